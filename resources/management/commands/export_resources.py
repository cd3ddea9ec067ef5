from django.core.management.base import BaseCommand

from resources.exporter import export


class Command(BaseCommand):
    help = "导出全部课例与资源为 JSONL（文件复制到旁边的 *_files 目录），可再导入。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="output JSONL path")

    def handle(self, *args, file, **options):
        count = export(file)
        self.stdout.write(self.style.SUCCESS(f"已导出 {count} 条资源到 {file}"))
