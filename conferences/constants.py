DEFAULT_MAX_PARTICIPANTS = 15
HARD_MAX_PARTICIPANTS = 500  # what an operator may raise a customer's limit to
SERVICE_CODES = ("conference_3_days", "conference_month")
LIVE_REFRESH_SECONDS = 2  # how often the room page asks for the participant list
