import pytest
from django.core.management import CommandError, call_command

from panel.models import Customer, User

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def test_seed_demo_is_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    assert Customer.objects.filter(prefix__in=["firmaabcde", "drugafirma"]).count() == 2
    demo = User.objects.get(username="demo")
    assert demo.customer.prefix == "firmaabcde" and demo.customer.package == "biznes"
    assert demo.check_password("demo12345")
    assert User.objects.get(username="drugi").check_password("drugi12345")
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.customer is None and admin.check_password("admin12345")


def test_seed_demo_is_refused_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")
    assert not Customer.objects.exists()
    call_command("seed_demo", force=True)
    assert Customer.objects.count() == 2


def test_demo_customer_gets_a_small_working_pbx(settings):
    from pbx.models import PhoneNumber, Queue, SipAccount

    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    firm = Customer.objects.get(prefix="firmaabcde")
    assert sorted(SipAccount.objects.for_customer(firm).values_list("extension", flat=True)) == ["10", "11"]
    queue = Queue.objects.for_customer(firm).get(number="1000")
    assert queue.agents.count() == 3
    assert PhoneNumber.objects.get(number="+48943401128").route_queue == queue
    assert not SipAccount.objects.for_customer(Customer.objects.get(prefix="drugafirma")).exists()
