"""Keyset (cursor) pagination: opaque cursors and the "rows after this one" condition.

A page is fetched with `WHERE <sort key> after <cursor> ORDER BY <sort key>, id
LIMIT n + 1`, so page 1,000 costs the same index range walk as page 1 (an
OFFSET would read and throw away every earlier row). The cursor is the sort
value and the id of the last row shown, encoded so it survives a URL.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db.models import F, Q

NULL = "~"


@dataclass(frozen=True)
class SortKey:
    """The column a list is ordered by, its direction and where NULLs go; the id breaks ties in the same direction.

    `nulls_first` follows PostgreSQL's b-tree order (ascending: NULLs last; a
    backward scan: NULLs first), so one index serves both directions.
    """

    field: str
    descending: bool
    kind: str  # "datetime" or "decimal"
    nullable: bool = False

    @property
    def nulls_first(self) -> bool:
        return self.descending

    def reversed(self) -> SortKey:
        return SortKey(self.field, not self.descending, self.kind, self.nullable)

    def order_by(self) -> list:
        column = F(self.field)
        if self.nullable:
            column = column.desc(nulls_first=True) if self.descending else column.asc(nulls_last=True)
        else:
            column = column.desc() if self.descending else column.asc()
        return [column, F("id").desc() if self.descending else F("id").asc()]

    def after(self, cursor: Cursor) -> Q:
        """Rows strictly after `cursor` in this order."""
        beyond = "lt" if self.descending else "gt"
        tie = Q(**{f"{self.field}__isnull": True}) if cursor.value is None else Q(**{self.field: cursor.value})
        same_value_later_id = tie & Q(**{f"id__{beyond}": cursor.pk})
        if cursor.value is None:
            # NULLs sort first when descending: every non-NULL row comes after the NULL block.
            if self.nulls_first:
                return same_value_later_id | Q(**{f"{self.field}__isnull": False})
            return same_value_later_id
        # The redundant inclusive bound is what lets the database start the index walk at the cursor.
        bounded = Q(**{f"{self.field}__{beyond}e": cursor.value}) & (
            Q(**{f"{self.field}__{beyond}": cursor.value}) | same_value_later_id
        )
        if self.nullable and not self.nulls_first:
            return bounded | Q(**{f"{self.field}__isnull": True})
        return bounded


@dataclass(frozen=True)
class Cursor:
    value: datetime | Decimal | None
    pk: int

    def encode(self, kind: str) -> str:
        if self.value is None:
            text = NULL
        elif kind == "datetime":
            text = self.value.isoformat()
        else:
            text = str(self.value)
        raw = f"{text}|{self.pk}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str, kind: str) -> Cursor | None:
        """The cursor in `token`, or None when it is not one of ours (a hand-edited URL)."""
        if not token or len(token) > 200:
            return None
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            text, pk_text = raw.rsplit("|", 1)
            pk = int(pk_text)
            if pk < 0 or pk > 2**63 - 1:
                return None
            if text == NULL:
                return cls(None, pk)
            if kind == "datetime":
                value = datetime.fromisoformat(text)
                if value.tzinfo is None:
                    return None
                return cls(value, pk)
            number = Decimal(text)
            if not number.is_finite():
                return None
            return cls(number, pk)
        except (ValueError, UnicodeDecodeError, binascii.Error, InvalidOperation):
            return None
