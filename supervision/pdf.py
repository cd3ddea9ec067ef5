"""The printable results announcement (督导结果公告): a period's tables as a Chinese PDF for publication.

It prints the same tables the pages show (supervision.panels), so the
announcement never says other than the site; 「<5」 stays 「<5」. Like the
training certificates it uses reportlab's built-in CID font STSong-Light:
no font file ships with the site.
"""

import io

from .access import Scope
from .panels import balance_tables, sharing_tables, showcase_tables, training_tables

FONT = "STSong-Light"


def _plain(value):
    if value is None:
        return "—"
    return str(getattr(value, "display", value))


def render(filters):
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    title = ParagraphStyle("title", fontName=FONT, fontSize=18, leading=24, spaceAfter=8)
    heading = ParagraphStyle("heading", fontName=FONT, fontSize=13, leading=18, spaceBefore=10, spaceAfter=4)
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10)
    scope = Scope()
    tables = [
        *balance_tables(filters, scope),
        *sharing_tables(filters, scope)[0],
        *[table for table in showcase_tables(filters, scope) if table.key != "uncovered"],
        *training_tables(filters, scope),
    ]
    story = [
        Paragraph(f"{filters.year} 年度教育督导结果公告", title),
        Paragraph(f"统计期间：{filters.start.isoformat()} 至 {filters.end.isoformat()}", cell),
    ]
    grid = TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ])  # fmt: skip
    for table in tables:
        story.append(Paragraph(table.title, heading))
        if table.note:
            story.append(Paragraph(table.note, cell))
        rows = [[Paragraph(str(name), cell) for name in table.header]]
        rows += [[Paragraph(_plain(value), cell) for value in row] for row in table.rows]
        if len(rows) == 1:
            rows.append([Paragraph("暂无数据", cell)] + [""] * (len(table.header) - 1))
        story += [LongTable(rows, repeatRows=1, style=grid), Spacer(1, 6)]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=landscape(A4), title=f"{filters.year} 年度教育督导结果公告", invariant=1,
        leftMargin=36, rightMargin=36, topMargin=36, bottomMargin=36,
    )  # fmt: skip
    document.build(story)
    return buffer.getvalue()
