"""Every periodic job of Centrala, declared in one place.

Run exactly one cron process: `python manage.py rqcron centrala.cron` with
TZ=Europe/Warsaw (rq evaluates cron expressions in the process's local time).
Each entry enqueues the real job through `panel.jobqueue.dispatch`, so the
job's own timeout and retry policy apply.
"""

from rq import cron

from panel.jobqueue import QUEUE_HIGH, dispatch

PERIODIC_JOBS = [
    # (dotted job name, cron expression in Europe/Warsaw time)
    ("panel.jobs.prune_login_records", "17 * * * *"),
    ("billing.jobs.subscriptions.charge_monthly_fees", "5 0 1 * *"),
    ("billing.jobs.subscriptions.close_ended_subscriptions", "1 * * * *"),
    ("recordings.jobs.push.push_nightly", "5 0 * * *"),
    ("billing.jobs.rating.rate_pending_call_records", "* * * * *"),
    ("recordings.jobs.retention.apply_retention", "30 1 * * *"),
    ("pbx.jobs.prune_live_calls", "23 * * * *"),
    ("pbx.kamailio.jobs.monitor_sip_accounts", "*/5 * * * *"),
]

for dotted_name, expression in PERIODIC_JOBS:
    cron.register(
        dispatch,
        QUEUE_HIGH,
        args=(dotted_name,),
        cron=expression,
        job_timeout=30,
        name=dotted_name,
    )
