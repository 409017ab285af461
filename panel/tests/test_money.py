from decimal import Decimal

import pytest

from panel.money import gross_amount

pytestmark = pytest.mark.smoke


@pytest.mark.parametrize(
    ("net", "quantum", "gross"),
    [
        (Decimal("89.00"), Decimal("0.01"), Decimal("109.47")),
        (Decimal("49.00"), Decimal("0.01"), Decimal("60.27")),
        (Decimal("0.050"), Decimal("0.001"), Decimal("0.062")),  # 5,0 gr -> 6,2 gr
        (Decimal("0.110"), Decimal("0.001"), Decimal("0.135")),  # 11,0 gr -> 13,5 gr (half-up)
        (Decimal("0.00"), Decimal("0.01"), Decimal("0.00")),
    ],
)
def test_gross_is_rounded_half_up(net, quantum, gross):
    assert gross_amount(net, Decimal("23"), quantum) == gross
