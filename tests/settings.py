"""Test overrides on top of the one settings module (which still reads the environment)."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("CENTRALA_TESTING", "true")
os.environ.setdefault("CENTRALA_VAR_DIR", os.path.join(tempfile.gettempdir(), "centrala-test-var"))
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop.

from centrala.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
RQ = {"COMMIT_MODE": "auto"}
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

# Files written by tests go to a fresh directory per test process, removed when it exits.
_FILES = tempfile.mkdtemp(prefix="centrala-test-files-")
atexit.register(shutil.rmtree, _FILES, ignore_errors=True)
MEDIA_ROOT = Path(_FILES) / "media"  # noqa: F405
RECORDINGS_ROOT = Path(_FILES) / "recordings"  # noqa: F405

# Translation parts written beside the main catalogue while work is in progress (merged before commit).
LOCALE_PATHS = [*LOCALE_PATHS, *sorted((BASE_DIR / "locale" / "parts").glob("*"))]  # noqa: F405

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory: Kamailio (pbx.kamailio integration tests) opens the test database from its own process.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(_FILES) / "test-db.sqlite3")}  # noqa: F405
