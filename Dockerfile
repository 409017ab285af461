# One image for web, worker, cron and the FTP server; configured by environment variables only.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 TZ=Europe/Warsaw
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg gettext nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir -e . \
 && DEBUG=true python manage.py compilemessages -v0 --ignore=node_modules \
 && SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput -v0
RUN useradd --system --home /app centrala && mkdir -p /data && chown centrala /data
USER centrala
EXPOSE 8000
CMD ["gunicorn", "centrala.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
