# The site and its Celery workers (one image, different commands).
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=youke.settings.production

RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 youke

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY --chown=youke:youke . .
# Static files are collected at build time; nginx serves them from a volume.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput -v0 \
    && mkdir -p var/media && chown -R youke:youke var

USER youke
EXPOSE 8000
CMD ["gunicorn", "youke.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--worker-class", "gthread", "--threads", "4", "--timeout", "60"]
