# Services of which a customer can have at most one running at a time (alternatives of the same thing).
EXCLUSIVE_SERVICE_GROUPS = ({"conference_3_days", "conference_month"},)
