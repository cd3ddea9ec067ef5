"""Cohort exports: CSV streamed as it is read, Excel written row by row to a temporary file.

Neither holds the cohort in memory, so a 10,000-teacher course exports
as quickly as the database reads it and no request waits on a huge build.
"""

import csv
import os
import tempfile

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from core.spreadsheets import Echo, inert


def header(modules):
    return [
        "姓名", "用户名", "学校", "城乡", "状态", "报名方式", "报名时间", "总进度(%)",
        *[f"{module.title}(%)" for module in modules], "完成时间", "进度落后",
    ]  # fmt: skip


def _when(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _percent(value):
    return "" if value is None else round(value * 100, 1)


def values(row):
    return [
        row.name, row.username, row.school, row.area, row.status_label, row.source, _when(row.enrolled_at),
        _percent(row.progress), *[_percent(value) for value in row.modules], _when(row.completed_at),
        "是" if row.behind else "",
    ]  # fmt: skip


def csv_response(course, cohort_rows, modules, filename):
    writer = csv.writer(Echo())

    def lines():
        # The BOM makes Excel on Chinese Windows read UTF-8 rather than GBK.
        yield "\ufeff" + writer.writerow(header(modules))
        for row in cohort_rows:
            yield writer.writerow([inert(value) for value in values(row)])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def xlsx_response(course, cohort_rows, modules, filename):
    import xlsxwriter

    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # handed to FileResponse
    handle.close()
    try:
        # constant_memory: each row goes to disk once the next starts; memory stays flat for any cohort.
        # Names come from teachers' own profiles: never let one become a formula or a link.
        workbook = xlsxwriter.Workbook(
            handle.name, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        )
        sheet = workbook.add_worksheet("学员进度")
        bold = workbook.add_format({"bold": True})
        sheet.write_row(0, 0, header(modules), bold)
        sheet.set_column(0, 2, 16)
        for number, row in enumerate(cohort_rows, start=1):
            sheet.write_row(number, 0, values(row))
        workbook.close()
        stream = open(handle.name, "rb")  # FileResponse closes it
    finally:
        os.unlink(handle.name)  # the open handle keeps the data until the response is sent
    return FileResponse(
        stream,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
