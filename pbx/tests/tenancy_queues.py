"""Every queues URL that takes an object id, with a factory making such an object for a customer."""

from pbx.models import Queue, QueueAgent, SipAccount


def _queue_of(customer):
    queue = Queue.objects.create(customer=customer, name="Sekretariat", number="1000")
    sip = SipAccount.objects.create(customer=customer, extension="10", name="Biuro")
    QueueAgent.objects.create(queue=queue, sip=sip, position=1)
    return {"pk": queue.pk}


OBJECT_URLS = {
    "pbx:queue_detail": _queue_of,
    "pbx:queue_edit": _queue_of,
    "pbx:queue_delete": _queue_of,
    "pbx:queue_agents": _queue_of,
    "pbx:queue_agents_order": _queue_of,
}
