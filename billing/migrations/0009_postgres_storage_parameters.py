"""PostgreSQL storage parameters for the two busiest tables (nothing on SQLite).

- billing_callrecord: vacuum after 1% new rows (not 20%), so the month totals stay index-only scans under constant
  ingestion (an index-only scan reads the table for pages vacuum has not yet marked all-visible).
- billing_callleg: fillfactor 80, so the rating job's update of a leg can stay on its page (a HOT update) instead
  of writing every leg index again.
"""

from django.db import migrations

FORWARD = [
    "ALTER TABLE billing_callrecord SET (autovacuum_vacuum_insert_scale_factor = 0.01)",
    "ALTER TABLE billing_callleg SET (fillfactor = 80)",
]
BACKWARD = [
    "ALTER TABLE billing_callrecord RESET (autovacuum_vacuum_insert_scale_factor)",
    "ALTER TABLE billing_callleg RESET (fillfactor)",
]


def _run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("billing", "0008_call_and_ledger_indexes_for_rating_and_totals")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
