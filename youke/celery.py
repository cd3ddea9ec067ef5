"""The Celery application: background jobs (transcoding, index retries, sync).

Two queues: `default` for short jobs and `transcode` for heavy, unhurried
work (ffmpeg, text extraction of uploaded documents), so a district can give
it machines of their own and short jobs never wait behind it.
"""

import os
import socket

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youke.settings.dev")

app = Celery("youke")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="youke.ping")
def ping():
    """Answer from a worker: proves the broker round trip in health checks and tests."""
    return {"pong": True, "worker": socket.gethostname(), "pid": os.getpid()}
