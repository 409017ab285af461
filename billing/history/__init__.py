"""Call history ("Historia (billing) połączeń"): filters, keyset pages, totals and the CSV export.

Built for tens of millions of call records across customers: every query
starts with the customer and a bounded date range (at most 366 days), pages
are keyset (cursor) pages on the sort key and the id, never OFFSET, and exact
totals over more than 31 days are computed only when the user asks for them.
"""
