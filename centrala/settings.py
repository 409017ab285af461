"""Settings of Centrala, configured by environment variables only.

Development defaults (SQLite and the embedded Redis under var/) apply when a
variable is unset; with DEBUG off the variables a production deployment needs
are required and a missing one raises ImproperlyConfigured with its name.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from panel.env import env_bool, env_int, env_list, env_str, secret_key_from_file

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("CENTRALA_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("CENTRALA_TESTING", False)

if DEBUG or TESTING:
    SECRET_KEY = env_str("SECRET_KEY") or secret_key_from_file(VAR_DIR / "secret_key")
else:
    SECRET_KEY = env_str("SECRET_KEY", required=True)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG or TESTING else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_rq",
    "rest_framework",
    "drf_spectacular",
    "panel",
    "pbx",
    "pbx.kamailio",
    "billing",
    "recordings",
    "conferences",
    "callback",
    "simulator",
    "centrala",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "panel.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "panel.middleware.PolishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "panel.middleware.CurrentCustomerMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "centrala.urls"
WSGI_APPLICATION = "centrala.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "centrala.context_processors.layout",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'centrala.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The development default: WAL and immediate transactions let the web server, worker and FTP server write
    # at the same time without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "panel.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The largest request body accepted (uploads of audio files are the largest: 10 MB plus form overhead).
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", 12 * 1024 * 1024)
# Endpoints that take whole call recordings (up to 200 MB each) from the PBX.
LARGE_REQUEST_PATHS = {"/api/v1/recordings/": env_int("MAX_RECORDING_UPLOAD_BYTES", 210 * 1024 * 1024)}

# Brute-force protection of the log-in form (panel.services.login_*).
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)
LOGIN_LOCK_SECONDS = env_int("LOGIN_LOCK_SECONDS", 15 * 60)

LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", _("Polish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Warsaw"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Front-end packages installed by `npm ci` from the pinned package.json.
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/sortablejs", NODE_MODULES / "sortablejs"),
    ("vendor/drawflow", NODE_MODULES / "drawflow" / "dist"),
    ("vendor/chart.js", NODE_MODULES / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Centrala <no-reply@localhost>")

# SIP: what phones connect to; the realm is part of every stored digest hash (HA1).
SIP_REALM = env_str("SIP_REALM", "centrala.local")
SIP_SERVER_HOST = env_str("SIP_SERVER_HOST", "127.0.0.1")
SIP_SERVER_PORT = env_int("SIP_SERVER_PORT", 5060)
SIP_TRANSPORTS = env_list("SIP_TRANSPORTS", ["UDP", "TCP"])
# The digest algorithm Kamailio challenges phones with: MD5 (every phone) or SHA-256 (RFC 8760, few phones).
SIP_DIGEST_ALGORITHM = env_str("SIP_DIGEST_ALGORITHM", "MD5")
# Devices one extension may register at once (a fax extension: always 1).
SIP_MAX_CONTACTS = env_int("SIP_MAX_CONTACTS", 5)
# How long the monitoring waits for a phone to answer SIP OPTIONS (retransmitting meanwhile).
SIP_MONITOR_TIMEOUT = env_int("SIP_MONITOR_TIMEOUT", 4)

# Kamailio, the SIP registrar and proxy (deploy/kamailio/, rendered by `manage.py render_kamailio`).
KAMAILIO_BINARY = env_str("KAMAILIO_BINARY", "kamailio")
KAMAILIO_LISTEN = env_str("KAMAILIO_LISTEN", "127.0.0.1")  # the address it binds
KAMAILIO_PORT = env_int("KAMAILIO_PORT", SIP_SERVER_PORT)
KAMAILIO_HOST = env_str("KAMAILIO_HOST", "127.0.0.1")  # where the panel's workers reach it
KAMAILIO_ADVERTISE = env_str("KAMAILIO_ADVERTISE")  # the public address, when it binds a private one
KAMAILIO_DB_URL = env_str("KAMAILIO_DB_URL")  # empty: the panel's own database (DATABASE_URL)
KAMAILIO_CONFIG = Path(env_str("KAMAILIO_CONFIG", str(VAR_DIR / "kamailio" / "kamailio.cfg")))

# Outgoing SMS (forward notices, callback instructions): the default gateway only records them in the outbox.
SMS_GATEWAY = env_str("SMS_GATEWAY", "pbx.sms.OutboxGateway")

# Inbound SMS from the operator's SMS gateway ("Rozmowa na SMSa"): the gateway's shared secret (empty refuses all),
# the service number customers' employees text or call, and the PBX command interface that places calls.
SMS_WEBHOOK_TOKEN = env_str("SMS_WEBHOOK_TOKEN")
CALLBACK_SERVICE_NUMBER = env_str("CALLBACK_SERVICE_NUMBER", "+48799366599")
PBX_COMMANDS = env_str("PBX_COMMANDS", "simulator.commands.SimulatorCommands")

# Secrets stored in the database (FTP passwords, push credentials) are encrypted with this key (Fernet,
# urlsafe base64 of 32 bytes). Development derives one from SECRET_KEY; production must set it.
if DEBUG or TESTING:
    FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY")
else:
    FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY", required=True)

# Recordings and the embedded FTP/FTPS server that serves them.
RECORDINGS_ROOT = Path(env_str("RECORDINGS_ROOT", str(VAR_DIR / "recordings")))
FTP_PUBLIC_HOST = env_str("FTP_PUBLIC_HOST", "127.0.0.1")  # shown to customers
FTP_PUBLIC_PORT = env_int("FTP_PUBLIC_PORT", 2121 if DEBUG or TESTING else 21)
FTP_PASSIVE_PORTS = env_str("FTP_PASSIVE_PORTS", "60000-60100")
FTP_TLS_CERTFILE = env_str("FTP_TLS_CERTFILE", str(VAR_DIR / "ftp" / "cert.pem"))
FTP_TLS_KEYFILE = env_str("FTP_TLS_KEYFILE", str(VAR_DIR / "ftp" / "key.pem"))
FTP_REQUIRE_TLS = env_bool("FTP_REQUIRE_TLS", False)
FTP_MAX_CONNECTIONS = env_int("FTP_MAX_CONNECTIONS", 512)
FTP_MAX_CONNECTIONS_PER_IP = env_int("FTP_MAX_CONNECTIONS_PER_IP", 10)
FTP_IDLE_TIMEOUT = env_int("FTP_IDLE_TIMEOUT", 300)
# The push to customers' servers refuses private and loopback addresses in production (no reaching inside).
PUSH_ALLOW_PRIVATE_TARGETS = env_bool("PUSH_ALLOW_PRIVATE_TARGETS", DEBUG or TESTING)

# Background jobs: one Redis, three named queues.
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6380/0")
RQ_QUEUES = {
    name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": timeout}
    for name, timeout in (("high", 60), ("default", 300), ("low", 1800))
}
RQ = {"COMMIT_MODE": env_str("RQ_COMMIT_MODE", "on_db_commit")}
RQ_SHOW_ADMIN_LINK = True

# The ingestion API for the PBX (call records, recordings, events): per-customer tokens, JSON only.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["panel.api.CustomerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["panel.api.IsCustomerClient"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser", "rest_framework.parsers.MultiPartParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "panel.api.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Centrala PBX ingestion API",
    "DESCRIPTION": "What a PBX sends to Centrala: call records, recordings and conference events.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    # Several endpoints have a field named "kind"; each choice set gets its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "CallLegKindEnum": "billing.choices.LegKind",
        "ConferenceEventKindEnum": "conferences.choices.EventKind",
        "RatingStatusEnum": "billing.choices.RatingStatus",
    },
}

# Security: secure defaults that a reverse proxy with TLS in front expects.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
_SECURE = env_bool("SECURE_COOKIES", not (DEBUG or TESTING))
SESSION_COOKIE_SECURE = _SECURE
CSRF_COOKIE_SECURE = _SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _SECURE)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = [
    # HSTS preload is a one-way commitment of the whole domain; operators opt in with SECURE_HSTS_PRELOAD.
    "security.W021",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
