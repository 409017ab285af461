"""A PBX that retries at once: two requests with the same call id at the same moment, through the real HTTP API."""

import json
import threading
import urllib.error
import urllib.request

import pytest
from rq import SimpleWorker

from billing.models import CallRecord, LedgerEntry
from billing.tests.rating_support import call_payload
from panel.models import ApiToken

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 5


def post_together(url: str, key: str, body: bytes, copies: int = 2) -> list[tuple[int, dict]]:
    barrier = threading.Barrier(copies)
    results: list[tuple[int, dict]] = []

    def post() -> None:
        request = urllib.request.Request(  # noqa: S310 (the test's own live server)
            url, data=body, method="POST", headers={"Authorization": f"Token {key}", "Content-Type": "application/json"}
        )
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                results.append((response.status, json.load(response)))
        except urllib.error.HTTPError as error:
            results.append((error.code, {"error": error.read().decode()}))

    threads = [threading.Thread(target=post) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_concurrent_duplicate_posts_store_one_record_and_charge_once(live_server, customer, rq):
    key = ApiToken.issue(customer=customer, name="PBX")[1]
    url = f"{live_server.url}/api/v1/calls/"
    for round_number in range(ROUNDS):
        body = json.dumps(call_payload(call_id=f"race-http-{round_number}", talk=60)).encode()
        results = post_together(url, key, body)
        assert sorted(status for status, _ in results) == [200, 201], results
        assert len({answer["id"] for _, answer in results}) == 1
    assert CallRecord.objects.for_customer(customer).count() == ROUNDS

    queue = rq.get_queue("default")
    assert queue.count == ROUNDS  # one rating job per stored call, none for the repeats
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    charges = LedgerEntry.objects.for_customer(customer).filter(call__isnull=False)
    assert charges.count() == ROUNDS
    assert sorted(charges.values_list("call__call_id", flat=True)) == [f"race-http-{n}" for n in range(ROUNDS)]
