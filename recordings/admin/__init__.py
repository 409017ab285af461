"""The recordings app's admin pages, one module per aggregate as in recordings/models/; importing this package
registers them (Django's admin autodiscovery imports `recordings.admin`).

- `recordings`: the recordings, with `totals`, the per-customer totals page mixed into their admin;
- `ftp`: FTP log-ins and the FTP audit log;
- `retention`: the retention runs' log;
- `push`: push targets, runs and confirmations.
"""

from recordings.admin import ftp, push, recordings, retention  # noqa: F401 (each registers its admin classes)
