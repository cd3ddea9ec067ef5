from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from resources.importer import import_lines


class Command(BaseCommand):
    help = "从 JSONL 文件批量导入资源（按 id 幂等）。Import resources from a JSONL file (idempotent by id)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="UTF-8 JSONL, one resource per line (docs/import-format.md)")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        # Binary lines split on "\n" only: U+2028/U+2029/U+0085 inside a JSON
        # string are text, not line breaks (str.splitlines would cut the record).
        with path.open("rb") as lines:
            summary = import_lines(lines, path.parent)
        if summary.notice:
            self.stderr.write(self.style.WARNING(summary.notice))
        for number, reason in summary.errors:
            self.stderr.write(f"第 {number} 行：{reason}")
        for number, warning in summary.warnings:
            self.stderr.write(self.style.WARNING(f"第 {number} 行（警告）：{warning}"))
        message = summary.message()
        if summary.errors:
            raise CommandError(message)
        self.stdout.write(self.style.SUCCESS(message))
