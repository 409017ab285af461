"""Queue statistics ("Statystyki z kolejek"): per queue, per day and per agent, as tables, charts and a PDF.

Computed from the call records that went through a queue (`queue_number`
set): wait = answered_at − started_at for answered calls, ended_at −
started_at for the others; the agent is the extension that answered.
"""
