"""Rating of call records: the service that prices pending calls and debits the ledger, in bulk.

- `calls`: rating and re-rating call records (batches, the pipelined backlog run, the customer's rating lock);
- `bulk`: `BulkWrites`, many rows updated and inserted without model instances (COPY on PostgreSQL).

The prices themselves come from the plain-Python engine, billing/rating.py. Callers use the names below.
"""

from billing.rating_service.calls import RatingSummary, call_records_rate, call_records_rerate

__all__ = ["RatingSummary", "call_records_rate", "call_records_rerate"]
