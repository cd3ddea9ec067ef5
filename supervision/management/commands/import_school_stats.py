from django.core.management.base import BaseCommand, CommandError

from supervision import imports, tables


class Command(BaseCommand):
    help = "导入学校年度统计（CSV 或 XLSX）：错误行按行号报告并跳过；重新导入某年度即替换该年度。"

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            result = imports.import_school_stats(file)
        except (tables.TableError, OSError) as error:
            raise CommandError(str(error)) from error
        for line, reason in result.errors:
            self.stderr.write(f"第 {line} 行：{reason}")
        self.stdout.write(result.message())
