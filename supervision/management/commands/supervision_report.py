import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from supervision import report
from supervision.access import Scope
from supervision.filters import Filters


def _date(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期「{text}」应为 YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "输出某年度的督导报告（均衡指标、城乡共享、一师一优课、培训达标）；--json 输出机器可读格式。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--from", dest="start", help="使用统计起始日期 YYYY-MM-DD（默认该年 1 月 1 日）")
        parser.add_argument("--to", dest="end", help="使用统计截止日期 YYYY-MM-DD（默认该年 12 月 31 日）")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, year, start, end, **options):
        filters = Filters.for_year(year, start and _date(start), end and _date(end))
        if filters.start > filters.end:
            raise CommandError("起始日期晚于截止日期")
        data = report.build(filters, Scope())
        if options["json"]:
            self.stdout.write(_dumps(data))
            return
        for section, part in data["balance"].items():
            passed = sum(1 for school in part["schools"] if school["pass"])
            self.stdout.write(f"{section}：{len(part['schools'])} 所学校，达标 {passed} 所")
        self.stdout.write(f"城乡共享：{data['sharing']}")
        self.stdout.write(f"一师一优课：{data['showcase']}")
        self.stdout.write(f"培训：{data['training']}")


def _dumps(data):
    return json.dumps(data, ensure_ascii=False, indent=2)
