from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from resources.importer import import_lines


class Command(BaseCommand):
    help = "从 JSONL 文件批量导入资源（按 id 幂等）。Import resources from a JSONL file (idempotent by id)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="UTF-8 JSONL, one resource per line (README: Bulk import/export)")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except UnicodeDecodeError as exc:
            raise CommandError(f"文件不是 UTF-8 编码：{exc}") from exc
        summary = import_lines(lines, path.parent)
        for number, reason in summary.errors:
            self.stderr.write(f"第 {number} 行：{reason}")
        message = f"导入完成：新增 {summary.created}，更新 {summary.updated}，失败 {len(summary.errors)}"
        if summary.errors:
            raise CommandError(message)
        self.stdout.write(self.style.SUCCESS(message))
