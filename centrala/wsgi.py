"""The WSGI entry point gunicorn serves (`gunicorn centrala.wsgi:application`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "centrala.settings")
application = get_wsgi_application()
