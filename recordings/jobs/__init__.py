"""Background jobs of the recordings app, one module per domain: thin entry points that take ids and call
the domain code.

- `retention`: the nightly deletion of recordings past their retention (and of old ZIP exports);
- `exports`: building a ZIP of a customer's recordings;
- `push`: the nightly push planner and one push job per customer.

A job's dotted path (`recordings.jobs.push.push_nightly`) is its name in RQ and in centrala/cron.py.
"""
