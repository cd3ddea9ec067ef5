from django.core.management.base import BaseCommand

from home import demo
from resources import demo as library_demo


class Command(BaseCommand):
    help = "载入演示学校、用户与首页（可重复执行）。Load demo schools, users and pages (idempotent)."

    def handle(self, *args, **options):
        summary = demo.load()
        summary.update(library_demo.load_library())
        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪: {summary}"))
