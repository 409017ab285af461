"""SIP account services: every rule holds even without the form, and only hashes are stored."""

import functools
import hashlib
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from pbx import choices
from pbx.models import SipAccount
from pbx.selectors.sip import forwarding_summary, last_added_extension, sip_account_usages
from pbx.services import sip as services
from pbx.tests import factories

pytestmark = pytest.mark.django_db

SECRET = "Tajne5hasloX"


# The service under test, through the one builder: an extension "Konto <extension>" with the password SECRET.
create = functools.partial(factories.sip_account, password=SECRET)


def update(account, password=None, **fields):
    return services.sip_account_update(customer=account.customer, account=account, fields=fields, password=password)


def errors_of(call, *args, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return caught.value.message_dict


# ------------------------------------------------------------------ passwords and hashes
@pytest.mark.smoke
def test_create_stores_only_the_digest_hashes(customer):
    account = create(customer)
    a1 = f"firmaabcde_10:{settings.SIP_REALM}:{SECRET}".encode()
    assert account.ha1_md5 == hashlib.md5(a1).hexdigest()  # noqa: S324
    assert account.ha1_sha256 == hashlib.sha256(a1).hexdigest()
    stored = SipAccount.objects.filter(pk=account.pk).values().get()
    assert not any(SECRET in str(value) for value in stored.values())


def test_create_needs_a_strong_password(customer):
    assert errors_of(create, customer, password="") == {"password": ["Wpisz hasło nowego konta."]}
    messages = errors_of(create, customer, password="krotkie")["password"]
    assert "Hasło musi mieć co najmniej 10 znaków." in messages
    assert "Hasło musi zawierać cyfry." in messages
    assert errors_of(create, customer, password="abcdefghij")["password"] == ["Hasło musi zawierać cyfry."]
    assert errors_of(create, customer, password="1234567890")["password"] == ["Hasło musi zawierać litery."]
    assert (
        "Hasło nie może zawierać nazwy użytkownika SIP."
        in errors_of(create, customer, password="firmaabcde_10x")["password"]
    )
    assert errors_of(create, customer, password="abcdefgh10xy")["password"] == [
        "Hasło nie może zawierać numeru wewnętrznego."
    ]
    assert not SipAccount.objects.exists()


def test_update_without_a_password_keeps_the_hashes(customer):
    account = create(customer)
    before = (account.ha1_md5, account.ha1_sha256)
    account = update(account, name="Recepcja")
    assert account.name == "Recepcja"
    assert (account.ha1_md5, account.ha1_sha256) == before


def test_update_with_a_new_password_replaces_the_hashes(customer):
    account = create(customer)
    account = update(account, password="NoweHaslo77")
    expected = hashlib.md5(f"firmaabcde_10:{settings.SIP_REALM}:NoweHaslo77".encode()).hexdigest()  # noqa: S324
    assert account.ha1_md5 == expected


def test_changing_the_extension_needs_a_new_password(customer):
    account = create(customer)
    message = errors_of(update, account, extension="12")["password"][0]
    assert "Zmiana numeru wewnętrznego zmienia nazwę użytkownika SIP" in message
    assert SipAccount.objects.get(pk=account.pk).extension == "10"
    account = update(account, extension="12", password="NoweHaslo77")
    expected = hashlib.md5(f"firmaabcde_12:{settings.SIP_REALM}:NoweHaslo77".encode()).hexdigest()  # noqa: S324
    assert (account.extension, account.ha1_md5) == ("12", expected)


# ------------------------------------------------------------------ extension rules
@pytest.mark.parametrize("extension", ["10", "100", "123456"])
def test_valid_extensions(customer, extension):
    assert create(customer, extension=extension).extension == extension


@pytest.mark.parametrize("extension", ["1", "1234567", "1a", "", " 10", "+10"])
def test_invalid_extensions(customer, extension):
    assert errors_of(create, customer, extension=extension)["extension"] == [
        "Numer wewnętrzny musi mieć od 2 do 6 cyfr."
    ]


def test_an_extension_is_unique_within_the_customer_only(customer, other_customer):
    create(customer, extension="10")
    message = errors_of(create, customer, extension="10")["extension"][0]
    assert message == "Ten numer jest już zajęty w Twojej centrali: numer wewnętrzny 10 Konto 10."
    assert create(other_customer, extension="10").customer == other_customer


def test_an_extension_cannot_take_a_queue_number(customer):
    factories.queue(customer, name="Obsługa klienta", number="100")
    message = errors_of(create, customer, extension="100")["extension"][0]
    assert message == "Ten numer jest już zajęty w Twojej centrali: kolejka Obsługa klienta."
    assert create(customer, extension="101").extension == "101"


def test_saving_an_account_with_its_own_extension_is_no_collision(customer):
    account = create(customer, extension="10")
    assert update(account, ring_time=45).ring_time == 45


# ------------------------------------------------------------------ numbers and PINs
@pytest.mark.parametrize(("seconds", "valid"), [(4, False), (5, True), (300, True), (301, False)])
def test_ring_time_and_return_after_are_5_to_300_seconds(customer, seconds, valid):
    if valid:
        account = create(customer, ring_time=seconds, return_after=seconds)
        assert (account.ring_time, account.return_after) == (seconds, seconds)
    else:
        errors = errors_of(create, customer, ring_time=seconds, return_after=seconds)
        assert set(errors) == {"ring_time", "return_after"}


def test_voicemail_needs_a_pin_of_4_to_8_digits(customer):
    assert errors_of(create, customer, voicemail_enabled=True)["voicemail_pin"] == [
        "Ustaw kod PIN, aby korzystać z poczty głosowej."
    ]
    assert "voicemail_pin" in errors_of(create, customer, voicemail_enabled=True, voicemail_pin="123")
    assert "voicemail_pin" in errors_of(create, customer, voicemail_enabled=True, voicemail_pin="123456789")
    assert "voicemail_pin" in errors_of(create, customer, voicemail_enabled=True, voicemail_pin="12a4")
    account = create(customer, voicemail_enabled=True, voicemail_pin="1234", voicemail_email="biuro@firma.pl")
    assert account.voicemail_pin == "1234"


def test_voicemail_email_must_be_valid(customer):
    assert "voicemail_email" in errors_of(create, customer, voicemail_email="nie-mail")


def test_own_max_rate_is_required_and_not_negative(customer):
    own = choices.MaxRateMode.OWN
    assert errors_of(create, customer, max_rate_mode=own)["max_rate"] == ["Wpisz własną maksymalną stawkę minutową."]
    assert "max_rate" in errors_of(create, customer, max_rate_mode=own, max_rate=Decimal("-0.01"))
    assert create(customer, max_rate_mode=own, max_rate=Decimal("0")).max_rate == Decimal("0")


def test_global_max_rate_drops_an_own_value(customer):
    account = create(customer, max_rate_mode=choices.MaxRateMode.GLOBAL, max_rate=Decimal("2.00"))
    assert account.max_rate is None


def test_substitute_presentation_needs_a_number(customer):
    substitute = choices.InternalPresentation.SUBSTITUTE
    assert "internal_substitute" in errors_of(create, customer, internal_presentation=substitute)
    account = create(customer, internal_presentation=substitute, internal_substitute="200")
    assert account.internal_substitute == "200"


def test_caller_id_must_be_the_customers_number(customer, other_customer):
    foreign = factories.phone_number(other_customer, number="+48943401128")
    assert errors_of(create, customer, caller_id=foreign)["caller_id"] == ["Wybierz jeden ze swoich numerów telefonu."]


# ------------------------------------------------------------------ forwarding
EXT = choices.ForwardKind.EXTENSION


def test_forward_to_another_extension(customer):
    target = create(customer, extension="11")
    account = create(customer, extension="10", fwd_no_answer_kind=EXT, fwd_no_answer_sip=target)
    assert account.fwd_no_answer_sip == target
    assert forwarding_summary(account) == "Brak odpowiedzi → 11"


def test_forward_target_is_required_for_extension_and_external(customer):
    errors = errors_of(create, customer, fwd_no_answer_kind=EXT, fwd_busy_kind=choices.ForwardKind.EXTERNAL)
    assert errors["fwd_no_answer_sip"] == ["Wybierz numer wewnętrzny, na który mają być przekierowane połączenia."]
    assert errors["fwd_busy_external"] == ["Wybierz numer zewnętrzny, na który mają być przekierowane połączenia."]


def test_forward_targets_of_another_customer_are_refused(customer, other_customer):
    foreign_account = create(other_customer, extension="11")
    foreign_number = factories.external_number(other_customer, number="+48111222333")
    errors = errors_of(
        create,
        customer,
        fwd_no_answer_kind=EXT,
        fwd_no_answer_sip=foreign_account,
        fwd_busy_kind=choices.ForwardKind.EXTERNAL,
        fwd_busy_external=foreign_number,
    )
    assert errors["fwd_no_answer_sip"] == ["Wybierz jeden ze swoich numerów wewnętrznych."]
    assert errors["fwd_busy_external"] == ["Wybierz jeden ze swoich numerów zewnętrznych."]


def test_forward_to_itself_is_refused(customer):
    account = create(customer)
    errors = errors_of(update, account, fwd_busy_kind=EXT, fwd_busy_sip=account)
    assert errors["fwd_busy_sip"] == ["Numer wewnętrzny nie może przekierowywać połączeń na samego siebie."]


def test_a_forwarding_loop_is_refused_with_the_loop_shown(customer):
    ten = create(customer, extension="10")
    create(customer, extension="11", fwd_no_answer_kind=EXT, fwd_no_answer_sip=ten)
    eleven = SipAccount.objects.get(extension="11")
    errors = errors_of(update, ten, fwd_no_answer_kind=EXT, fwd_no_answer_sip=eleven)
    assert errors[NON_FIELD_ERRORS] == ["Przekierowania tworzą pętlę: 10 → 11 → 10."]
    assert SipAccount.objects.get(pk=ten.pk).fwd_no_answer_kind == choices.ForwardKind.NONE


def test_a_loop_through_three_extensions_and_mixed_conditions_is_refused(customer):
    ten = create(customer, extension="10")
    eleven = create(customer, extension="11", fwd_busy_kind=EXT, fwd_busy_sip=ten)
    twelve = create(customer, extension="12", fwd_unavailable_kind=EXT, fwd_unavailable_sip=eleven)
    errors = errors_of(update, ten, fwd_no_answer_kind=EXT, fwd_no_answer_sip=twelve)
    assert errors[NON_FIELD_ERRORS] == ["Przekierowania tworzą pętlę: 10 → 12 → 11 → 10."]


def test_a_chain_without_a_loop_is_fine(customer):
    twelve = create(customer, extension="12")
    eleven = create(customer, extension="11", fwd_no_answer_kind=EXT, fwd_no_answer_sip=twelve)
    ten = create(customer, extension="10", fwd_no_answer_kind=EXT, fwd_no_answer_sip=eleven)
    assert ten.fwd_no_answer_sip == eleven


def test_a_renumbered_account_keeps_its_place_in_a_loop_check(customer):
    ten = create(customer, extension="10")
    create(customer, extension="11", fwd_no_answer_kind=EXT, fwd_no_answer_sip=ten)
    eleven = SipAccount.objects.get(extension="11")
    errors = errors_of(
        update, ten, password="NoweHaslo77", extension="20", fwd_no_answer_kind=EXT, fwd_no_answer_sip=eleven
    )
    assert errors[NON_FIELD_ERRORS] == ["Przekierowania tworzą pętlę: 20 → 11 → 20."]


def test_forward_to_voicemail_needs_voicemail_switched_on(customer):
    voicemail = choices.ForwardKind.VOICEMAIL
    errors = errors_of(create, customer, fwd_busy_kind=voicemail)
    assert errors["fwd_busy_kind"] == [
        "Przekierowanie na pocztę głosową wymaga włączenia poczty głosowej tego konta: włącz ją powyżej."
    ]
    account = create(customer, fwd_busy_kind=voicemail, voicemail_enabled=True, voicemail_pin="1234")
    assert forwarding_summary(account) == "Zajęty → poczta głosowa"


def test_targets_a_kind_does_not_use_are_dropped(customer):
    target = create(customer, extension="11")
    account = create(customer, extension="10", fwd_no_answer_kind=choices.ForwardKind.NONE, fwd_no_answer_sip=target)
    assert account.fwd_no_answer_sip is None


# ------------------------------------------------------------------ selectors and delete
def test_last_added_extension_is_the_newest_not_the_highest(customer, other_customer):
    assert last_added_extension(customer=customer) is None
    create(customer, extension="50")
    create(customer, extension="11")
    create(other_customer, extension="99")
    assert last_added_extension(customer=customer) == "11"


def test_delete_is_refused_while_the_account_is_used(customer):
    target = create(customer, extension="11")
    create(customer, extension="10", fwd_busy_kind=EXT, fwd_busy_sip=target)
    factories.phone_number(customer, number="+48943401128", route_kind=choices.RouteKind.EXTENSION, route_sip=target)
    usages = sip_account_usages(customer=customer, account=target)
    assert usages == [
        "Cel przekierowania numeru wewnętrznego 10 Konto 10 (Zajęty)",
        "„Przekieruj na” numeru telefonu +48943401128",
    ]
    with pytest.raises(services.SipAccountInUse) as caught:
        services.sip_account_delete(customer=customer, account=target)
    assert caught.value.usages == usages
    assert SipAccount.objects.filter(pk=target.pk).exists()


def test_delete_an_unused_account_clearing_stale_references(customer):
    target = create(customer, extension="11")
    # A phone number that once pointed at the account but now routes elsewhere keeps a stale reference.
    number = factories.phone_number(
        customer, number="+48943401128", route_kind=choices.RouteKind.NONE, route_sip=target
    )
    assert sip_account_usages(customer=customer, account=target) == []
    services.sip_account_delete(customer=customer, account=target)
    assert not SipAccount.objects.filter(pk=target.pk).exists()
    number.refresh_from_db()
    assert number.route_sip is None


def test_account_that_is_a_queue_agent_lists_the_queue_and_cannot_be_deleted(customer):
    from pbx.selectors.sip import sip_account_usages

    account = factories.sip_account(customer, extension="10", name="Biuro")
    queue = factories.queue(customer, name="Sprzedaż", number="1000")
    factories.queue_agent(queue, sip=account, position=1)
    assert any("Sprzedaż" in usage for usage in sip_account_usages(customer=customer, account=account))
