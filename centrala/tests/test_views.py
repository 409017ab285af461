"""The dashboard: the customer's package, balance and counts, only their own, and what is going on now."""

import pytest
from django.urls import reverse
from django.utils import timezone

from conferences.models import ConferenceRoom, Participant
from pbx.models import PhoneNumber, SipAccount
from simulator.live import start_call

pytestmark = pytest.mark.django_db


def test_dashboard_shows_package_balance_and_counts(client_user, customer):
    SipAccount.objects.create(customer=customer, extension="10", name="Biuro")
    PhoneNumber.objects.create(customer=customer, number="+48943401128")
    html = client_user.get(reverse("dashboard")).content.decode()
    assert "Biznes" in html
    assert "100,00 zł" in html  # Polish number format
    assert "123,00 zł" in html  # gross at 23% VAT
    assert 'data-testid="sip-count">1<' in html
    assert 'data-testid="number-count">1<' in html
    assert 'data-testid="queue-count">0<' in html


def test_dashboard_counts_only_own_objects(client_user, other_customer):
    SipAccount.objects.create(customer=other_customer, extension="10")
    html = client_user.get(reverse("dashboard")).content.decode()
    assert 'data-testid="sip-count">0<' in html


def test_dashboard_shows_what_is_going_on_now_and_refreshes_it(client_user, customer):
    room = ConferenceRoom.objects.create(customer=customer, name="Zarząd", pin="4545", number="*7556")
    for channel in ("a", "b"):
        Participant.objects.create(room=room, channel=channel, number="+48601000001", joined_at=timezone.now())
    start_call(customer=customer, caller="+48601222333", callee="+48943401128")

    html = client_user.get(reverse("dashboard")).content.decode()
    assert 'data-testid="live-calls">1<' in html
    assert 'data-testid="conference-participants">2<' in html and "w 1 sali" in html
    partial = client_user.get(reverse("dashboard"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and 'data-testid="live-calls">1<' in partial
