"""The downloadable import templates: Chinese headers (the importer reads them as the column keys) and notes."""

import csv
import io

from .imports import HOURS_COLUMNS, STATS_COLUMNS

STATS_NOTES = {
    "year": "统计年度，如 2026",
    "school": "学校代码（推荐）或学校全称",
    "section": "小学 或 初中；九年一贯制学校每个学段一行",
    "students": "该学段在校学生数",
    "teachers": "专任教师数",
    "qualified_teachers": "高于规定学历的专任教师数",
    "backbone_teachers": "县级及以上骨干教师数",
    "pe_art_teachers": "体育、艺术（美术、音乐）专任教师数",
    "floor_area_m2": "教学及辅助用房面积，平方米",
    "sports_area_m2": "体育运动场馆面积，平方米",
    "equipment_value_yuan": "教学仪器设备值，元",
    "multimedia_rooms": "网络多媒体教室间数",
}
HOURS_NOTES = {
    "year": "获得学时的年度",
    "teacher": "教师在本平台的账号（用户名）",
    "hours": "学时数",
    "kind": "线上 或 实践（默认线上）",
    "ability_program": "是否计入信息技术应用能力提升工程2.0：是 或 否",
    "source": "学时来源，如“省教师培训平台”；同一来源重新导入某年度即替换该年度",
}
TEMPLATES = {"school_stats": (STATS_COLUMNS, STATS_NOTES), "training_hours": (HOURS_COLUMNS, HOURS_NOTES)}


def template_csv(kind):
    columns, _ = TEMPLATES[kind]
    out = io.StringIO()
    csv.writer(out).writerow(columns.values())
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(kind):
    import xlsxwriter

    columns, notes = TEMPLATES[kind]
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet("数据")
    sheet.write_row(0, 0, list(columns.values()), bold)
    sheet.set_column(0, len(columns) - 1, 18)
    about = book.add_worksheet("说明")
    about.write_row(0, 0, ["列名", "英文列名", "填写说明"], bold)
    for number, (key, label) in enumerate(columns.items(), start=1):
        about.write_row(number, 0, [label, key, notes[key]])
    about.set_column(0, 2, 30)
    book.close()
    return out.getvalue()


def stats_template_xlsx():
    return template_xlsx("school_stats")
