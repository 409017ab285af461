"""The recordings app's admin pages; importing this package registers them (Django's admin autodiscovery).

- `recordings`: everything registered so far (recordings, FTP, retention, push), to be split by aggregate;
- `totals`: the per-customer totals page mixed into the recordings' admin.
"""

from recordings.admin import recordings  # noqa: F401 (registers the admin classes)
