"""Automatic push of each day's recordings to the customer's own server (FTP, FTPS or SFTP).

- `paths`, `days`, `hosts`: plain rules (path template, the local day, which hosts may be reached);
- `transports`: one connection to the target over ftplib or paramiko (a module per protocol), with timeouts
  on every socket;
- `connection_test`: "Testuj połączenie", step by step;
- `services` / `selectors`: the settings, the nightly push and its run log.
"""
