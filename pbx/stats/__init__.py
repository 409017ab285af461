"""Queue statistics ("Statystyki z kolejek"): per queue, per day and per agent, as tables, charts and a PDF.

Computed from the call records that went through a queue (`queue_number`
set): wait = answered_at − started_at for answered calls, ended_at −
started_at for the others; the agent is the extension that answered.
The numbers come from billing's call records; the queue and agent names from
pbx's queues and SIP accounts, so the statistics live in pbx (billing may not
import pbx). The project shell mounts their URLs at "billing/queue-statistics/".
"""
