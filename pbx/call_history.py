"""What pbx gives billing's call history (billing.registry, registered in PbxConfig.ready()).

billing may not import pbx (STYLE.md, "Layers"), so the history's extension
filter learns the customer's extensions through this hook.
"""

from __future__ import annotations

from panel.models import Customer
from pbx.models import SipAccount


def extension_numbers(*, customer: Customer) -> list[str]:
    """The customer's extension numbers in order, which the call history's extension filter suggests."""
    return list(SipAccount.objects.for_customer(customer).order_by("extension").values_list("extension", flat=True))
