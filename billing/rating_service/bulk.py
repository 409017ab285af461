"""Many rows written at once without model instances: `BulkWrites` and the text the database reads.

The writes of one rating batch (legs' and records' results, ledger entries) go
through `BulkWrites`: on PostgreSQL the rows are rendered in COPY's text format
(possibly in another thread, ahead of time), copied into temporary staging
tables and applied by one statement; on SQLite a prepared single-row statement
runs for every row. `pln_text` and `db_text` turn amounts and times into the
text a column accepts, so the driver need not adapt each value. `bulk_insert`
is the one-call form (the benchmark's set-up uses it too).
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction


def pln_text(grosz: int) -> str:
    """An amount in whole grosz as the text of a DecimalField value ("-0.24"): what the drivers make of a
    Decimal, without making one (several per call add up to a good share of a bulk run)."""
    if grosz < 0:
        grosz = -grosz
        return f"-{grosz // 100}.{grosz % 100:02d}"
    return f"{grosz // 100}.{grosz % 100:02d}"


def db_text(value) -> str | None:
    """A time prepared for the database (`get_db_prep_save`) as text, so the driver need not adapt it per row."""
    return value.isoformat() if isinstance(value, datetime) else value


class BulkWrites:
    """Many rows to update and to insert, in several tables, written together by `apply()` without model
    instances: the writes of one rating batch.

    Values go to the driver as they are: str, int, bool, Decimal, None, or an aware datetime; text the
    column's type accepts (`db_text`, `pln_text`) is cheapest for numbers and times. Values that every
    row of a part shares are given once as `constants` (field name → value) and are not repeated per row.

    PostgreSQL: the rows are copied (COPY) into temporary staging tables, then one statement applies
    them all, each UPDATE … FROM its staging table a data-modifying WITH clause of the final INSERT …
    SELECT. A long VALUES list, or `bulk_update`'s CASE per row and field, costs the server several
    times more to parse than the writing itself. `prepare()` renders the COPY text ahead (another
    thread may apply). SQLite: one prepared single-row statement run for every row (`executemany`),
    cheaper there than anything longer.
    """

    def __init__(self) -> None:
        self.parts: list[_WritePart] = []
        self._copies: list[str] | None = None

    def update(
        self, model, field_names: Sequence[str], rows: Sequence[tuple], *, constants: dict | None = None
    ) -> BulkWrites:
        """Set `field_names` of existing rows: `rows` are (pk, value, ...) in the order of `field_names`; every
        row's `constants` fields get the same value."""
        if rows:
            fields = [model._meta.pk, *(model._meta.get_field(name) for name in field_names)]
            self.parts.append(_WritePart(model, fields, rows, _constants(model, constants)))
        return self

    def insert(
        self,
        model,
        field_names: Sequence[str],
        rows: Sequence[tuple],
        *,
        constants: dict | None = None,
        skip_conflicts: bool = False,
    ) -> BulkWrites:
        """Insert `rows` (values in the order of `field_names`, plus `constants`); `skip_conflicts` leaves out
        rows that a unique constraint already holds."""
        if rows:
            fields = [model._meta.get_field(name) for name in field_names]
            part = _WritePart(model, fields, rows, _constants(model, constants), insert=True)
            part.skip_conflicts = skip_conflicts
            self.parts.append(part)
        return self

    def prepare(self) -> BulkWrites:
        """Render the rows as PostgreSQL's COPY reads them, now rather than in `apply()`."""
        if connection.vendor == "postgresql" and self._copies is None:
            self._copies = [_copy_text(part.rows, len(part.fields)) for part in self.parts]
        return self

    def apply(self) -> None:
        if not self.parts:
            return
        if connection.vendor == "postgresql":
            self._apply_staged()
            return
        quote = connection.ops.quote_name
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            for part in self.parts:
                table, constant_values = quote(part.model._meta.db_table), [value for _field, value in part.constants]
                if part.insert:
                    fields = part.fields + [field for field, _value in part.constants]
                    columns = ", ".join(quote(field.column) for field in fields)
                    conflict = " ON CONFLICT DO NOTHING" if part.skip_conflicts else ""
                    placeholders = ", ".join(["%s"] * len(fields))
                    insert = f"INSERT INTO {table} ({columns}) VALUES ({placeholders}){conflict}"  # noqa: S608
                    cursor.executemany(insert, [(*row, *constant_values) for row in part.rows])
                    continue
                pk, *fields = part.fields
                fields += [field for field, _value in part.constants]
                assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
                update = f"UPDATE {table} SET {assignments} WHERE {quote(pk.column)} = %s"  # noqa: S608 (model names)
                cursor.executemany(update, [(*row[1:], *constant_values, row[0]) for row in part.rows])

    def _apply_staged(self) -> None:
        quote = connection.ops.quote_name
        copies = self.prepare()._copies
        tables = [_staging_table(part.model, part.fields, position) for position, part in enumerate(self.parts)]
        statements, params = [], []
        # Updates first (data-modifying WITH clauses), the inserts last.
        for part, (staging, _layout) in sorted(zip(self.parts, tables, strict=True), key=lambda item: item[0].insert):
            table = quote(part.model._meta.db_table)
            if part.insert:
                columns = ", ".join(quote(field.column) for field in part.fields)
                extra = "".join(f", {quote(field.column)}" for field, _value in part.constants)
                values = "".join(f", CAST(%s AS {field.db_type(connection)})" for field, _value in part.constants)
                conflict = " ON CONFLICT DO NOTHING" if part.skip_conflicts else ""
                statements.append(
                    f"INSERT INTO {table} ({columns}{extra}) SELECT {columns}{values} FROM {staging}{conflict}"  # noqa: S608
                )
                params += [value for _field, value in part.constants]
                continue
            pk, *fields = part.fields
            pk = quote(pk.column)
            assignments = [f"{quote(field.column)} = s.{quote(field.column)}" for field in fields]
            assignments += [
                f"{quote(field.column)} = CAST(%s AS {field.db_type(connection)})" for field, _ in part.constants
            ]
            # The redundant range keeps each plan a walk of the primary key even where statistics are thin.
            statements.append(
                f"UPDATE {table} SET {', '.join(assignments)} FROM {staging} AS s "  # noqa: S608 (model names)
                f"WHERE {table}.{pk} = s.{pk} AND {table}.{pk} BETWEEN %s AND %s"
            )
            params += [value for _field, value in part.constants]
            params += [min(row[0] for row in part.rows), max(row[0] for row in part.rows)]
        # One statement: every write but the last is a data-modifying WITH clause of the last.
        *clauses, last = statements
        written = ", ".join(f"w{position} AS ({clause})" for position, clause in enumerate(clauses))
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            cursor.execute(
                "".join(
                    f"CREATE TEMPORARY TABLE IF NOT EXISTS {name} ({layout}) ON COMMIT DELETE ROWS; "  # noqa: S608
                    f"DELETE FROM {name};"
                    for name, layout in tables
                )
            )
            for (name, _layout), part, text in zip(tables, self.parts, copies, strict=True):
                _copy(cursor, name, ", ".join(quote(field.column) for field in part.fields), text)
            cursor.execute(f"WITH {written} {last}" if written else last, params)


@dataclass
class _WritePart:
    """The rows of one table that a `BulkWrites` updates (the first field is the primary key) or inserts."""

    model: type
    fields: list
    rows: Sequence[tuple]
    constants: list[tuple]  # (field, value) given once for every row
    insert: bool = False
    skip_conflicts: bool = False


def _constants(model, constants: dict | None) -> list[tuple]:
    return [(model._meta.get_field(name), value) for name, value in (constants or {}).items()]


def _staging_table(model, fields: Sequence, position: int) -> tuple[str, str]:
    """The name and column list of the temporary table that stages rows of `model` with `fields`' columns as
    the `position`-th part of a `BulkWrites`.

    Created once per database session; its rows go at commit, and each use starts by emptying it
    (a transaction may stage several batches).
    """
    quote = connection.ops.quote_name
    layout = ", ".join(f"{quote(field.column)} {field.db_type(connection)}" for field in fields)
    return quote(f"staging_{model._meta.db_table}_{position}_{zlib.crc32(layout.encode()):08x}"), layout


def bulk_insert(model, field_names: Sequence[str], rows: Sequence[tuple], *, skip_conflicts: bool = False) -> None:
    """Insert many rows given as value tuples in the order of `field_names` (the benchmark's set-up, too)."""
    BulkWrites().insert(model, field_names, rows, skip_conflicts=skip_conflicts).apply()


def _copy_text(rows: Sequence[tuple], width: int) -> str:
    """`rows` of `width` values in COPY's text format, a line each."""
    separators = width - 1
    lines = []
    for row in rows:
        # Nearly every row is plain: its values' own text, none of it needing an escape.
        line = "\t".join(map(str, row))
        if line.count("\t") != separators or _COPY_SPECIAL_BUT_TAB.search(line):
            line = "\t".join(map(_copy_value, row))
        elif None in row:
            line = "\t".join([_NULL if value is None else str(value) for value in row])
        lines.append(line)
    lines.append("")
    return "\n".join(lines)


def _copy(cursor, table: str, columns: str, text: str) -> None:
    """COPY the rendered `text` (see `_copy_text`) into `table` (quoted names)."""
    # In one read rather than the driver's 8 KB pieces, each a call back into Python.
    cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", io.StringIO(text), size=max(len(text), 8192))


_NULL = "\\N"
_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
_COPY_SPECIAL_BUT_TAB = re.compile(r"[\\\n\r]")
_COPY_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _copy_value(value) -> str:
    """One value in COPY's text format: \\N for NULL, t/f, and text with its backslash escapes."""
    if value.__class__ is str:
        return (
            _COPY_SPECIAL.sub(lambda match: _COPY_ESCAPES[match.group()], value)
            if _COPY_SPECIAL.search(value)
            else value
        )
    if value is None:
        return _NULL
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)
