from django.core.management.base import BaseCommand

from training import demo


class Command(BaseCommand):
    help = "载入教师培训演示课程（可重复执行；需先运行 load_demo）。"

    def add_arguments(self, parser):
        parser.add_argument("--no-video", action="store_true", help="不生成并转码演示视频")

    def handle(self, *args, **options):
        summary = demo.load(with_video=not options["no_video"])
        self.stdout.write(self.style.SUCCESS(f"培训演示课程已就绪: {summary}"))
