"""A PBX that sends the events of a call at the same moment, and retries at once, through the real HTTP API."""

import json
import threading
import urllib.error
import urllib.request

import pytest
from django.utils import timezone

from panel.models import ApiToken
from pbx.models import CallEvent, LiveCall

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 4


def post_at_once(url: str, key: str, bodies: list[dict]) -> list[int]:
    barrier = threading.Barrier(len(bodies))
    statuses: list[int] = []

    def post(body: dict) -> None:
        request = urllib.request.Request(  # noqa: S310 (the test's own live server)
            url,
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Authorization": f"Token {key}", "Content-Type": "application/json"},
        )
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                statuses.append(response.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)

    threads = [threading.Thread(target=post, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(statuses)


def event(call_id: str, kind: str) -> dict:
    return {
        "event_id": f"{call_id}-{kind}",
        "call_id": call_id,
        "kind": kind,
        "at": timezone.now().isoformat(),
        "direction": "in",
        "caller": "+48601100200",
        "callee": "+48221234567",
    }


def test_a_new_calls_events_at_once_and_their_repeats_make_one_ended_call(live_server, customer):
    key = ApiToken.issue(customer=customer, name="PBX")[1]
    url = f"{live_server.url}/api/v1/call-events/"
    for round_number in range(ROUNDS):
        call_id = f"race-{round_number}"
        bodies = [event(call_id, kind) for kind in ("started", "answered", "ended", "started", "ended")]
        assert post_at_once(url, key, bodies) == [200, 200, 201, 201, 201]
    calls = LiveCall.objects.for_customer(customer)
    assert calls.count() == ROUNDS and set(calls.values_list("state", flat=True)) == {"ended"}
    assert CallEvent.objects.for_customer(customer).count() == 3 * ROUNDS
