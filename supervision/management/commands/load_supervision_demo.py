from django.core.management.base import BaseCommand

from supervision import demo


class Command(BaseCommand):
    help = "载入督导演示数据：学校年度统计与近四周的资源使用（可重复执行）。"

    def handle(self, *args, **options):
        self.stdout.write(self.style.SUCCESS(f"督导演示数据已就绪: {demo.load()}"))
