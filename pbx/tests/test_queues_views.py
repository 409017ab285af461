"""The queue pages as a customer's user sees them (Polish UI)."""

import json

import pytest
from django.urls import reverse

from pbx import choices
from pbx.models import Queue, QueueAgent
from pbx.selectors import queues as selectors
from pbx.services import queues as services
from pbx.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(customer):
    return factories.queue(customer, name="Sekretariat", number="1000")


@pytest.fixture
def two_agents(customer, queue):
    return [
        services.queue_agent_add(
            customer=customer, queue=queue, sip=factories.sip_account(customer, extension=extension)
        )
        for extension in ("10", "11")
    ]


def valid_post(**overrides):
    data = {
        "name": "Handel",
        "number": "2000",
        "strategy": choices.RingStrategy.IN_ORDER,
        "agent_ring_time": "20",
        "max_wait": "120",
        "timeout_action": "hangup",
        "greeting": "system",
        "announce_position": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.smoke
def test_list_shows_only_own_queues_with_agent_count(client_user, customer, other_customer, queue, two_agents):
    factories.queue(other_customer, name="Obca kolejka", number="3000")
    html = client_user.get(reverse("pbx:queues")).content.decode()
    assert "<h1" in html and "Kolejki" in html
    assert "Sekretariat" in html and "Dzwoń do wszystkich" in html
    assert 'data-testid="agent-count">2' in html
    assert "Obca kolejka" not in html


def test_list_search_by_name_or_number(client_user, customer, queue):
    factories.queue(customer, name="Handel", number="2000")
    html = client_user.get(reverse("pbx:queues"), {"q": "hand"}).content.decode()
    assert "Handel" in html and "Sekretariat" not in html
    html = client_user.get(reverse("pbx:queues"), {"q": "100"}).content.decode()
    assert "Sekretariat" in html and "Handel" not in html


def test_list_paginates_by_25(client_user, customer):
    for index in range(30):
        factories.queue(customer, name=f"Kolejka {index:02}", number=str(2000 + index))
    first = client_user.get(reverse("pbx:queues")).content.decode()
    assert "Kolejka 24" in first and "Kolejka 25" not in first
    assert "Strona 1 z 2" in first
    second = client_user.get(reverse("pbx:queues"), {"page": 2}).content.decode()
    assert "Kolejka 29" in second


def test_create_form_suggests_a_free_number(client_user, queue):
    html = client_user.get(reverse("pbx:queue_create")).content.decode()
    assert 'value="1001"' in html
    assert "Strategia dzwonienia" in html


def test_create_saves_and_goes_to_agents(client_user, customer):
    response = client_user.post(reverse("pbx:queue_create"), valid_post())
    queue = Queue.objects.get(customer=customer)
    assert response.status_code == 302 and response.url == reverse("pbx:queue_agents", kwargs={"pk": queue.pk})
    assert (queue.name, queue.number, queue.strategy, queue.agent_ring_time, queue.max_wait) == (
        "Handel",
        "2000",
        "linear",
        20,
        120,
    )
    assert queue.announce_position is True


def test_create_with_an_extensions_number_shows_the_error_and_saves_nothing(client_user, customer):
    factories.sip_account(customer, extension="100", name="Biuro")
    response = client_user.post(reverse("pbx:queue_create"), valid_post(number="100"))
    assert response.status_code == 200
    assert "Kod 100 jest już zajęty" in response.content.decode()
    assert not Queue.objects.exists()


def test_create_with_bad_ring_time_shows_the_error(client_user):
    response = client_user.post(reverse("pbx:queue_create"), valid_post(agent_ring_time="301"))
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert not Queue.objects.exists()


def test_edit_keeps_the_number_and_changes_settings(client_user, queue):
    response = client_user.post(
        reverse("pbx:queue_edit", kwargs={"pk": queue.pk}), valid_post(name="Sekretariat 2", number="1000")
    )
    assert response.status_code == 302
    queue.refresh_from_db()
    assert queue.name == "Sekretariat 2" and queue.strategy == "linear"


def test_edit_cannot_forward_to_another_customers_extension(client_user, other_customer, queue):
    foreign = factories.sip_account(other_customer, extension="10")
    response = client_user.post(
        reverse("pbx:queue_edit", kwargs={"pk": queue.pk}),
        valid_post(number="1000", timeout_action="extension", timeout_sip=str(foreign.pk)),
    )
    assert response.status_code == 200
    queue.refresh_from_db()
    assert queue.timeout_sip is None and queue.timeout_action == "hangup"


def test_detail_shows_codes_and_agents_in_ring_order(client_user, customer, queue, two_agents):
    services.queue_agents_reorder(customer=customer, queue=queue, agent_ids=[two_agents[1].pk, two_agents[0].pk])
    dynamic_sip = factories.sip_account(customer, extension="15", name="Konsultant 2")
    services.queue_agent_log_in(customer=customer, queue=queue, sip=dynamic_sip)
    html = client_user.get(reverse("pbx:queue_detail", kwargs={"pk": queue.pk})).content.decode()
    assert 'data-testid="login-code">1000*1<' in html
    assert 'data-testid="logout-code">1000*2<' in html
    assert "Każdy numer wewnętrzny może stać się konsultantem" in html
    static = html.split('data-testid="static-agents"')[1].split("</ol>")[0]
    assert static.index("firmaabcde_11") < static.index("firmaabcde_10")
    assert "firmaabcde_15" not in static
    assert "firmaabcde_15" in html.split('data-testid="dynamic-agents"')[1]


def test_delete_asks_for_confirmation_then_deletes(client_user, queue, two_agents):
    url = reverse("pbx:queue_delete", kwargs={"pk": queue.pk})
    page = client_user.get(url).content.decode()
    assert "Tak, usuń" in page
    assert Queue.objects.filter(pk=queue.pk).exists()
    response = client_user.post(url)
    assert response.status_code == 302 and response.url == reverse("pbx:queues")
    assert not Queue.objects.exists() and not QueueAgent.objects.exists()


def test_delete_is_refused_while_a_did_routes_to_the_queue(client_user, customer, queue):
    factories.phone_number(customer, number="+48943401128", route_kind=choices.RouteKind.QUEUE, route_queue=queue)
    url = reverse("pbx:queue_delete", kwargs={"pk": queue.pk})
    page = client_user.get(url).content.decode()
    assert "+48943401128" in page and "Tak, usuń" not in page
    response = client_user.post(url, follow=True)
    assert "przekierowują połączenia do tej kolejki" in response.content.decode()
    assert Queue.objects.filter(pk=queue.pk).exists()


def test_add_agents_from_own_extensions_and_external_numbers(client_user, customer, queue):
    sip = factories.sip_account(customer, extension="10", name="Sekretariat")
    external = factories.external_number(customer, number="+48111222333")
    url = reverse("pbx:queue_agents", kwargs={"pk": queue.pk})
    page = client_user.get(url).content.decode()
    assert "Konsultanci powiązani z Kolejką" in page and "firmaabcde_10" in page
    assert client_user.post(url, {"action": "add", "sip": sip.pk}).status_code == 302
    assert client_user.post(url, {"action": "add", "external": external.pk}).status_code == 302
    agents = list(selectors.queue_static_agents(customer=customer, queue=queue))
    assert [(agent.sip, agent.external) for agent in agents] == [(sip, None), (None, external)]


def test_add_select_lists_only_own_extensions(client_user, customer, other_customer, queue):
    factories.sip_account(customer, extension="10", name="Moje biuro")
    factories.sip_account(other_customer, extension="77", name="Obce biuro")
    page = client_user.get(reverse("pbx:queue_agents", kwargs={"pk": queue.pk})).content.decode()
    assert "Moje biuro" in page and "Obce biuro" not in page


def test_add_forged_other_customer_id_is_an_error(client_user, other_customer, queue):
    foreign = factories.sip_account(other_customer, extension="10")
    foreign_external = factories.external_number(other_customer, number="+48111222333")
    url = reverse("pbx:queue_agents", kwargs={"pk": queue.pk})
    response = client_user.post(url, {"action": "add", "sip": foreign.pk})
    assert response.status_code == 400
    assert "Wybierz jeden ze swoich numerów wewnętrznych" in response.content.decode()
    response = client_user.post(url, {"action": "add", "external": foreign_external.pk})
    assert response.status_code == 400
    assert not QueueAgent.objects.exists()


def test_add_duplicate_is_an_error(client_user, customer, queue, two_agents):
    url = reverse("pbx:queue_agents", kwargs={"pk": queue.pk})
    response = client_user.post(url, {"action": "add", "sip": two_agents[0].sip.pk})
    assert response.status_code == 400
    assert "jest już konsultantem tej kolejki" in response.content.decode()
    assert QueueAgent.objects.count() == 2


@pytest.mark.parametrize("data", [{"action": "add"}, {"action": "add", "sip": "abc"}, {"action": "whatever"}, {}])
def test_bad_agent_posts_never_fail(client_user, queue, data):
    response = client_user.post(reverse("pbx:queue_agents", kwargs={"pk": queue.pk}), data)
    assert response.status_code in (302, 400)
    assert not QueueAgent.objects.exists()


def test_move_down_and_remove_without_javascript(client_user, customer, queue, two_agents):
    url = reverse("pbx:queue_agents", kwargs={"pk": queue.pk})
    first, second = two_agents
    response = client_user.post(url, {"action": "move", "agent": first.pk, "direction": "down"}, follow=True)
    assert "Kolejność dzwonienia została zapisana" in response.content.decode()
    assert selectors.queue_agent_order(customer=customer, queue=queue) == [second.pk, first.pk]
    client_user.post(url, {"action": "remove", "agent": second.pk})
    assert selectors.queue_agent_order(customer=customer, queue=queue) == [first.pk]


def test_move_an_agent_of_another_queue_is_refused(client_user, customer, queue, two_agents):
    other = factories.queue(customer, name="Handel", number="2000")
    stranger = services.queue_agent_add(customer=customer, queue=other, sip=two_agents[0].sip)
    url = reverse("pbx:queue_agents", kwargs={"pk": queue.pk})
    response = client_user.post(url, {"action": "move", "agent": stranger.pk, "direction": "up"}, follow=True)
    assert "Tego konsultanta nie ma już w kolejce" in response.content.decode()
    response = client_user.post(url, {"action": "remove", "agent": stranger.pk})
    assert QueueAgent.objects.filter(pk=stranger.pk).exists()


def test_order_endpoint_saves_a_valid_order(client_user, customer, queue, two_agents):
    url = reverse("pbx:queue_agents_order", kwargs={"pk": queue.pk})
    first, second = (agent.pk for agent in two_agents)
    assert client_user.get(url).json() == {"order": [first, second]}
    response = client_user.post(url, {"order": [second, first]})
    assert response.status_code == 200
    assert response.json()["message"] == "Kolejność dzwonienia została zapisana."
    assert selectors.queue_agent_order(customer=customer, queue=queue) == [second, first]
    response = client_user.post(url, json.dumps({"order": [first, second]}), content_type="application/json")
    assert response.status_code == 200
    assert selectors.queue_agent_order(customer=customer, queue=queue) == [first, second]


@pytest.mark.parametrize(
    "body",
    [
        {"order": ["x", "y"]},
        {"order": []},
        {},
    ],
)
def test_order_endpoint_refuses_bad_input_with_400(client_user, customer, queue, two_agents, body):
    url = reverse("pbx:queue_agents_order", kwargs={"pk": queue.pk})
    before = selectors.queue_agent_order(customer=customer, queue=queue)
    response = client_user.post(url, body)
    assert response.status_code == 400 and response.json()["error"]
    assert selectors.queue_agent_order(customer=customer, queue=queue) == before


@pytest.mark.parametrize("raw", ["not json", '{"order": "1,2"}', '{"order": [1, null]}', "[1, 2]", '{"order": [1.5]}'])
def test_order_endpoint_refuses_malformed_json(client_user, customer, queue, two_agents, raw):
    url = reverse("pbx:queue_agents_order", kwargs={"pk": queue.pk})
    response = client_user.post(url, raw, content_type="application/json")
    assert response.status_code == 400


def test_order_endpoint_refuses_other_customers_agent_ids(client_user, customer, other_customer, queue, two_agents):
    foreign_queue = factories.queue(other_customer, name="Q", number="1000")
    foreign = factories.queue_agent(
        foreign_queue, sip=factories.sip_account(other_customer, extension="10"), position=1
    )
    url = reverse("pbx:queue_agents_order", kwargs={"pk": queue.pk})
    before = selectors.queue_agent_order(customer=customer, queue=queue)
    response = client_user.post(url, {"order": [foreign.pk, *before]})
    assert response.status_code == 400
    assert "nie zgadza się" in response.json()["error"]
    assert selectors.queue_agent_order(customer=customer, queue=queue) == before
    assert QueueAgent.objects.get(pk=foreign.pk).queue == foreign_queue


def test_order_endpoint_needs_csrf(customer, user, queue, two_agents):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    url = reverse("pbx:queue_agents_order", kwargs={"pk": queue.pk})
    assert client.post(url, {"order": [agent.pk for agent in two_agents][::-1]}).status_code == 403


def test_other_customers_queue_pages_are_404(client_other, queue, two_agents):
    for name in ("pbx:queue_detail", "pbx:queue_edit", "pbx:queue_delete", "pbx:queue_agents"):
        assert client_other.get(reverse(name, kwargs={"pk": queue.pk})).status_code == 404
    response = client_other.post(
        reverse("pbx:queue_agents_order", kwargs={"pk": queue.pk}), {"order": [a.pk for a in two_agents][::-1]}
    )
    assert response.status_code == 404
    assert client_other.post(reverse("pbx:queue_delete", kwargs={"pk": queue.pk})).status_code == 404
    assert Queue.objects.filter(pk=queue.pk).exists()
