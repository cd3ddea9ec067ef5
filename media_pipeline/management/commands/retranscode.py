"""`python manage.py retranscode <video id> [--now] [--force]`: make a video's outputs again.

Idempotent: a video whose job is already queued or running is left alone
(unless --force), and a finished job is replaced as a whole - viewers keep
the old outputs until the new ones are complete.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from media_pipeline.jobs import enqueue, stuck
from media_pipeline.models import Video, VideoStatus
from media_pipeline.tasks import transcode_video


class Command(BaseCommand):
    help = "重新转码一个视频（幂等：已在排队或转码中的不会重复提交）"

    def add_arguments(self, parser):
        parser.add_argument("video_id")
        parser.add_argument("--now", action="store_true", help="在本进程中立即转码，不经过队列")
        parser.add_argument("--force", action="store_true", help="即使已在排队或转码中也重新提交")

    def handle(self, video_id, now=False, force=False, **options):
        try:
            video = Video.objects.get(pk=video_id)
        except (Video.DoesNotExist, ValidationError):
            raise CommandError(f"找不到视频：{video_id}") from None
        in_flight = video.status in (VideoStatus.QUEUED, VideoStatus.PROCESSING)
        if in_flight and not force and not stuck().filter(pk=video.pk).exists() and not now:
            self.stdout.write(f"{video_id}：已在队列中（{video.get_status_display()} {video.progress}%），未重复提交")
            return
        if now:
            with transaction.atomic():
                token = enqueue(video, send=False)  # this process runs it; any queued job is superseded
            outcome = transcode_video.apply(args=[str(video.pk), token]).get()
            video.refresh_from_db()
            if video.status != VideoStatus.READY:
                raise CommandError(f"{video_id}：{video.get_status_display()}：{video.error or outcome}")
            self.stdout.write(f"{video_id}：转码完成，{len(video.outputs.get('files', []))} 个文件")
            return
        with transaction.atomic():
            enqueue(video)
        self.stdout.write(f"{video_id}：已提交转码")
