"""python manage.py cleanup_uploads [--hours N]: remove abandoned video uploads now."""

from django.core.management.base import BaseCommand

from media_pipeline.uploads.cleanup import cleanup_abandoned


class Command(BaseCommand):
    help = "Abort uploads idle for UPLOAD_ABANDON_HOURS and remove orphaned parts; completed originals stay."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=float, help="idle hours before an upload counts as abandoned")

    def handle(self, *args, hours=None, **options):
        summary = cleanup_abandoned(hours=hours)
        self.stdout.write(
            f"已清理 {summary['abandoned']} 个超时上传，S3 孤立分片上传 {summary['s3_orphans']} 个，"
            f"本地孤立分块目录 {summary['local_orphans']} 个；出错 {summary['errors']} 个。"
        )
        if summary["errors"]:
            raise SystemExit(1)
