"""Background jobs of the billing app, one module per domain: thin entry points that take ids and call services.

- `subscriptions`: the monthly fees and the closing of ended subscriptions (periodic, centrala/cron.py);
- `rating`: rating call records, one job per customer, and the every-minute sweep of what is still pending.

A job's dotted path (`billing.jobs.rating.rate_call_records`) is its name in RQ and in centrala/cron.py.
"""
