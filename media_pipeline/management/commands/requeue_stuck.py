import datetime

from django.core.management.base import BaseCommand

from media_pipeline.jobs import QUEUED_TOO_LONG, STUCK_AFTER, requeue_stuck


class Command(BaseCommand):
    help = "重新提交卡住的转码任务（转码进程已消失或消息丢失）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--minutes", type=float, default=STUCK_AFTER.total_seconds() / 60, help="转码中多久没有心跳算卡住"
        )
        parser.add_argument(
            "--queued-hours", type=float, default=QUEUED_TOO_LONG.total_seconds() / 3600, help="排队多久没有开始算丢失"
        )

    def handle(self, minutes, queued_hours, **options):
        videos = requeue_stuck(
            stuck_after=datetime.timedelta(minutes=minutes), queued_too_long=datetime.timedelta(hours=queued_hours)
        )
        for video in videos:
            self.stdout.write(f"{video.pk}：已重新提交（{video}）")
        self.stdout.write(f"共 {len(videos)} 个")
