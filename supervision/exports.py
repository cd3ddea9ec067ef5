"""Every supervision table as CSV or XLSX: the same cells the page shows (「<5」 included), formula-safe.

A Table is what a page renders and what an export writes, so no figure can
be shown one way and exported another. CSV cells go through
core.spreadsheets.inert like the other exports; XLSX is written with
strings never turned into formulas or links.
"""

import csv
import io
from dataclasses import dataclass, field

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from core.spreadsheets import Echo, inert

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Table:
    key: str
    title: str
    header: list
    rows: list = field(default_factory=list)  # lists of plain values (str, int, float, None)
    note: str = ""


def _plain(value):
    if value is None:
        return ""
    if hasattr(value, "display"):  # a supervision.cells.Cell
        return value.display
    if isinstance(value, (int, float, str)):
        return value
    return str(value)


def csv_response(table, filename):
    writer = csv.writer(Echo())

    def lines():
        yield "\ufeff" + writer.writerow(table.header)  # the BOM: Excel on Chinese Windows reads UTF-8
        for row in table.rows:
            yield writer.writerow([inert(_plain(value)) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def xlsx_bytes(tables):
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    for table in tables:
        sheet = book.add_worksheet(table.title[:31])
        sheet.write_row(0, 0, table.header, bold)
        sheet.set_column(0, max(len(table.header) - 1, 0), 16)
        for number, row in enumerate(table.rows, start=1):
            sheet.write_row(number, 0, [_plain(value) for value in row])
    book.close()
    return out.getvalue()


def xlsx_response(table, filename):
    # Supervision tables are one row per school or lesson (hundreds, a few thousand): built in memory.
    response = HttpResponse(xlsx_bytes([table]), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def respond(tables, request, stem):
    """The export the request asks for (?export=csv|xlsx&table=<key>), or None to render the page."""
    kind = request.GET.get("export")
    if kind not in ("csv", "xlsx"):
        return None
    wanted = request.GET.get("table") or tables[0].key
    table = next((table for table in tables if table.key == wanted), tables[0])
    filename = f"{stem}-{table.title}.{kind}"
    return (csv_response if kind == "csv" else xlsx_response)(table, filename)
