"""Every queues URL that takes an object id, with a factory making such an object for a customer."""

from pbx.tests import factories


def _queue_of(customer):
    queue = factories.queue(customer, name="Sekretariat", number="1000")
    sip = factories.sip_account(customer, extension="10", name="Biuro")
    factories.queue_agent(queue, sip=sip, position=1)
    return {"pk": queue.pk}


OBJECT_URLS = {
    "pbx:queue_detail": _queue_of,
    "pbx:queue_edit": _queue_of,
    "pbx:queue_delete": _queue_of,
    "pbx:queue_agents": _queue_of,
    "pbx:queue_agents_order": _queue_of,
}
