"""Periodic work of single sign-on (Celery beat: CELERY_BEAT_SCHEDULE in settings)."""

from celery import shared_task
from django.conf import settings

from .sync import sync


@shared_task(name="sso.sync_keycloak")
def sync_keycloak():
    """Mirror Keycloak's users, roles and schools; a no-op on the embedded default."""
    if not settings.KEYCLOAK or not settings.KEYCLOAK.get("SYNC_CLIENT_SECRET"):
        return {"skipped": "Keycloak sync is not configured"}

    return sync().as_dict()
