"""Writes of SIP accounts: create, change and delete an extension of a customer's PBX."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from panel.models import Customer
from pbx import choices, digest, forwarding, passwords
from pbx.models import PhoneNumber, SipAccount
from pbx.selectors.sip import FORWARD_CONDITIONS, forwarding_graph, sip_account_usages
from pbx.services.dial_plan import dial_plan_collision
from pbx.voicemail import voicemail_delete_account_files

# The fields a customer edits (the form's fields minus the password, which only ever becomes hashes).
EDITABLE_FIELDS = (
    "extension",
    "name",
    "account_type",
    "caller_id",
    "internal_presentation",
    "internal_substitute",
    "sms_sender",
    "ring_time",
    "call_waiting",
    "voicemail_enabled",
    "voicemail_pin",
    "voicemail_email",
    "greeting_kind",
    "voicemail_on_no_answer",
    "voicemail_on_busy",
    *(f"fwd_{condition}_{part}" for condition in FORWARD_CONDITIONS for part in ("kind", "sip", "external")),
    "return_after",
    "return_action",
    "encryption",
    "international",
    "max_rate_mode",
    "max_rate",
    "outgoing_pin",
    "monitor_health",
    "t38_fax",
)
EXTENSION_RE = re.compile(r"^[0-9]{2,6}\Z")
SUBSTITUTE_RE = re.compile(r"^\+?[0-9]{2,15}\Z")

PASSWORD_MESSAGES = {
    passwords.TOO_SHORT: lambda: (
        _("The password must have at least %(count)d characters.") % {"count": passwords.MIN_LENGTH}
    ),
    passwords.NO_LETTER: lambda: _("The password must contain letters."),
    passwords.NO_DIGIT: lambda: _("The password must contain digits."),
    passwords.CONTAINS_USERNAME: lambda: _("The password must not contain the SIP user name."),
    passwords.CONTAINS_EXTENSION: lambda: _("The password must not contain the extension number."),
}


class SipAccountInUse(Exception):
    """The account is still a forward target or a phone number's destination."""

    def __init__(self, usages: list[str]):
        super().__init__("; ".join(usages))
        self.usages = usages


def sip_username(*, customer: Customer, extension: str) -> str:
    return f"{customer.prefix}_{extension}"


def validate_sip_account(
    *, customer: Customer, account: SipAccount, previous_extension: str | None, password: str | None
) -> None:
    """Check the rules that span fields or need the database; raise ValidationError keyed by field.

    `account` carries the proposed values (not saved); `previous_extension` is
    the stored extension when editing (None when creating); `password` is the
    new password, or None to keep the current one.
    """
    errors: dict[str, list[str]] = defaultdict(list)
    extension = account.extension or ""
    creating = previous_extension is None

    if not EXTENSION_RE.match(extension):
        errors["extension"].append(_("An extension number is 2 to 6 digits."))
    else:
        taken = dial_plan_collision(customer=customer, codes=[extension], owned=[previous_extension])
        if taken:
            errors["extension"].append(
                _("This number is already used in your PBX: %(what)s.") % {"what": str(taken.used_by).strip()}
            )

    if password:
        username = sip_username(customer=customer, extension=extension)
        for problem in passwords.password_problems(password, username=username, extension=extension):
            errors["password"].append(PASSWORD_MESSAGES[problem]())
    elif creating:
        errors["password"].append(_("Enter a password for the new account."))
    elif extension != previous_extension:
        errors["password"].append(
            _(
                "Changing the extension number changes the SIP user name, which the stored password hash "
                "contains. Enter a new password (and set it on the phone) to change the extension."
            )
        )

    if account.caller_id_id and account.caller_id.customer_id != customer.pk:
        errors["caller_id"].append(_("Choose one of your phone numbers."))
    if account.internal_presentation == choices.InternalPresentation.SUBSTITUTE and not SUBSTITUTE_RE.match(
        account.internal_substitute or ""
    ):
        errors["internal_substitute"].append(_("Enter the substitute number to show: digits, optionally with +."))
    if account.voicemail_enabled and not account.voicemail_pin:
        errors["voicemail_pin"].append(_("Set a PIN to use voicemail."))
    if account.max_rate_mode == choices.MaxRateMode.OWN:
        if account.max_rate is None:
            errors["max_rate"].append(_("Enter your own maximum per-minute rate."))
        elif account.max_rate < 0:
            errors["max_rate"].append(_("The maximum rate cannot be negative."))

    forwards_valid = _validate_forwards(customer=customer, account=account, errors=errors)
    if forwards_valid and "extension" not in errors:
        cycle = _forwarding_cycle(customer=customer, account=account)
        if cycle:
            errors[NON_FIELD_ERRORS].append(
                _("Forwards make a loop: %(cycle)s.") % {"cycle": forwarding.format_cycle(cycle)}
            )

    if errors:
        raise ValidationError(dict(errors))


def _validate_forwards(*, customer: Customer, account: SipAccount, errors: dict[str, list[str]]) -> bool:
    valid = True
    for condition in FORWARD_CONDITIONS:
        kind = getattr(account, f"fwd_{condition}_kind")
        if kind == choices.ForwardKind.EXTENSION:
            target = getattr(account, f"fwd_{condition}_sip")
            field = f"fwd_{condition}_sip"
            if target is None:
                errors[field].append(_("Choose the extension to forward to."))
            elif target.customer_id != customer.pk:
                errors[field].append(_("Choose one of your extensions."))
            elif account.pk is not None and target.pk == account.pk:
                errors[field].append(_("An extension cannot forward calls to itself."))
            else:
                continue
            valid = False
        elif kind == choices.ForwardKind.EXTERNAL:
            target = getattr(account, f"fwd_{condition}_external")
            field = f"fwd_{condition}_external"
            if target is None:
                errors[field].append(_("Choose the external number to forward to."))
            elif target.customer_id != customer.pk:
                errors[field].append(_("Choose one of your external numbers."))
            else:
                continue
            valid = False
        elif kind == choices.ForwardKind.VOICEMAIL and not account.voicemail_enabled:
            errors[f"fwd_{condition}_kind"].append(
                _("Forwarding to voicemail needs the voicemail of this account: switch it on above.")
            )
    return valid


def _forwarding_cycle(*, customer: Customer, account: SipAccount) -> list[str] | None:
    """The loop the proposed forwards of `account` would close, in extension numbers."""
    extensions = dict(SipAccount.objects.for_customer(customer).values_list("pk", "extension"))
    extensions[account.pk] = account.extension  # a new account has pk None; nothing points at it yet
    graph_by_id = forwarding_graph(customer=customer)
    graph_by_id[account.pk] = [
        getattr(account, f"fwd_{condition}_sip_id")
        for condition in FORWARD_CONDITIONS
        if getattr(account, f"fwd_{condition}_kind") == choices.ForwardKind.EXTENSION
    ]
    graph = {
        extensions[source]: [extensions[target] for target in targets if target in extensions]
        for source, targets in graph_by_id.items()
        if source in extensions
    }
    return forwarding.find_cycle(graph, start=account.extension)


def _apply(account: SipAccount, fields: Mapping[str, Any]) -> None:
    """Copy the editable values onto `account` and drop targets its forward kinds do not use."""
    for name in EDITABLE_FIELDS:
        if name in fields:
            setattr(account, name, fields[name])
    for condition in FORWARD_CONDITIONS:
        kind = getattr(account, f"fwd_{condition}_kind")
        if kind != choices.ForwardKind.EXTENSION:
            setattr(account, f"fwd_{condition}_sip", None)
        if kind != choices.ForwardKind.EXTERNAL:
            setattr(account, f"fwd_{condition}_external", None)
    if account.max_rate_mode != choices.MaxRateMode.OWN:
        account.max_rate = None
    if account.internal_presentation != choices.InternalPresentation.SUBSTITUTE:
        account.internal_substitute = ""


def _set_password(*, customer: Customer, account: SipAccount, password: str) -> None:
    hashes = digest.digest_hashes(
        username=sip_username(customer=customer, extension=account.extension),
        realm=settings.SIP_REALM,
        password=password,
    )
    account.ha1_md5 = hashes.md5
    account.ha1_sha256 = hashes.sha256


def _save(account: SipAccount) -> None:
    account.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:
        # Another request took the extension between the check and the save.
        raise ValidationError({"extension": [_("This number is already used in your PBX.")]}) from None


@transaction.atomic
def sip_account_create(*, customer: Customer, fields: Mapping[str, Any], password: str) -> SipAccount:
    """Create an extension; only the digest hashes of `password` are kept."""
    account = SipAccount(customer=customer)
    _apply(account, fields)
    validate_sip_account(customer=customer, account=account, previous_extension=None, password=password)
    _set_password(customer=customer, account=account, password=password)
    _save(account)
    return account


@transaction.atomic
def sip_account_update(
    *, customer: Customer, account: SipAccount, fields: Mapping[str, Any], password: str | None = None
) -> SipAccount:
    """Change an extension's settings; a new `password` replaces the hashes, None keeps them.

    The stored row is reloaded and locked, so the check "extension changed
    without a new password" compares against what is really stored.
    """
    current = SipAccount.objects.for_customer(customer).select_for_update().get(pk=account.pk)
    previous_extension = current.extension
    _apply(current, fields)
    validate_sip_account(
        customer=customer, account=current, previous_extension=previous_extension, password=password or None
    )
    if password:
        _set_password(customer=customer, account=current, password=password)
    _save(current)
    return current


@transaction.atomic
def sip_account_delete(*, customer: Customer, account: SipAccount) -> None:
    """Delete an extension that nothing uses any more (raises SipAccountInUse otherwise)."""
    account = SipAccount.objects.for_customer(customer).select_for_update().get(pk=account.pk)
    usages = sip_account_usages(customer=customer, account=account)
    if usages:
        raise SipAccountInUse(usages)
    # References left behind by a forward kind or route that no longer points here would block the delete.
    for condition in FORWARD_CONDITIONS:
        SipAccount.objects.for_customer(customer).filter(**{f"fwd_{condition}_sip": account}).update(
            **{f"fwd_{condition}_sip": None}
        )
    PhoneNumber.objects.for_customer(customer).filter(route_sip=account).update(route_sip=None)
    voicemail_delete_account_files(customer=customer, account=account)
    greeting = account.greeting_file.name
    storage = account.greeting_file.storage
    try:
        with transaction.atomic():
            account.delete()
    except ProtectedError:
        raise SipAccountInUse([_("Another part of your PBX still refers to this extension.")]) from None
    if greeting:
        transaction.on_commit(lambda: storage.delete(greeting))
