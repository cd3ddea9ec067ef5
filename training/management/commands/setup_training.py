from django.core.management.base import BaseCommand

from training.provision import ensure_training


class Command(BaseCommand):
    help = "创建教师培训栏目、30 个微能力点与培训管理员权限（可重复执行）。"

    def handle(self, *args, **options):
        summary = ensure_training()
        self.stdout.write(self.style.SUCCESS(f"教师培训已就绪: {summary}"))
