"""manage.py import_bundle_usage FILE [--school CODE]: offline plays, credited to the school."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ...usage_import import UsageFileError, import_usage


class Command(BaseCommand):
    help = "导入离线资源包的使用记录，计入学校的使用量 / Credit an offline bundle's plays to its school"

    def add_arguments(self, parser):
        parser.add_argument("file", help="youke-sync usage 或离线播放器「导出使用记录」生成的文件")
        parser.add_argument("--school", default=None, help="学校代码（文件未写明时必填）")

    def handle(self, *args, **options):
        try:
            with open(options["file"], encoding="utf-8") as handle:
                data = json.load(handle)
            with transaction.atomic():
                credited, plays, unknown = import_usage(data, options["school"])
        except (OSError, ValueError, UsageFileError) as exc:
            raise CommandError(f"无法导入 {options['file']}：{exc}") from exc
        self.stdout.write(f"已计入 {credited} 条记录，共 {plays} 次离线播放。")
        if unknown:
            self.stderr.write(f"跳过了平台上不存在的课：{', '.join(map(str, unknown))}")
