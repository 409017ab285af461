"""Indexes the call history and the queue statistics need on billing_callrecord, beyond the model's own.

The main index `call_customer_started` (customer, -started_at, -id, covering
the totals' columns) serves the default page, the period and every filter that
narrows the period's rows. These add a dedicated range for the filters and
sorts that can select few rows out of a long period (an extension, a minimum
cost, the cost order) and for the queue statistics (only calls that went
through a queue). All of them are declared in CallRecord.Meta.indexes and
created by the billing migrations; the EXPLAIN test and the benchmark use this
list to check them, and to create any that a database built elsewhere lacks.
"""

from django.db import connection
from django.db.models import Index, Q

PROPOSED_INDEXES = (
    Index(fields=["customer", "extension", "-started_at", "-id"], name="call_customer_ext_started"),
    Index(fields=["customer", "cost_net", "id"], name="call_customer_cost"),
    Index(
        fields=["customer", "queue_number", "started_at"],
        name="call_customer_queue_started",
        condition=~Q(queue_number=""),
    ),
)


def missing_indexes(using=connection) -> list[Index]:
    """The proposed indexes that the call-record table does not have yet (by name)."""
    from billing.models import CallRecord

    with using.cursor() as cursor:
        existing = set(using.introspection.get_constraints(cursor, CallRecord._meta.db_table))
    return [index for index in PROPOSED_INDEXES if index.name not in existing]


def create_missing_indexes(using=connection) -> list[str]:
    """Create the proposed indexes that are missing; returns their names."""
    from billing.models import CallRecord

    created = []
    for index in missing_indexes(using):
        with using.schema_editor() as editor:
            editor.add_index(CallRecord, index)
        created.append(index.name)
    return created
