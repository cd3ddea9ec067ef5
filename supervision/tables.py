"""Reading an imported table (CSV or XLSX) into numbered rows keyed by column name.

A column may be headed by its key (`students`) or by its Chinese label
(在校学生数, as the downloadable template has it); both mean the same.
Row numbers are the file's own line/row numbers (the header is line 1), so
an error report points at what the user sees in their spreadsheet.
"""

import csv
import io
from pathlib import Path


class TableError(Exception):
    """The file as a whole cannot be read (format, header)."""


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _raw_rows(path):
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises zipfile, XML and KeyError alike for a broken file
            raise TableError(f"无法读取 Excel 文件：{error}") from error
        sheet = book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell(value) for value in row]
        book.close()
        return
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # Excel on Chinese Windows saves CSV as GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TableError("CSV 文件编码无法识别（请保存为 UTF-8）")
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        yield number, [_cell(value) for value in row]


def read(path, columns, required):
    """[(line number, {key: text})] of the data rows; `columns` is {key: Chinese label}.

    Blank rows are skipped; a header naming an unknown column, or missing a
    required one, makes the whole file unreadable.
    """
    names = {}
    for key, label in columns.items():
        names[key.lower()] = key
        names[label] = key
    rows = _raw_rows(path)
    header = None
    for _number, cells in rows:
        if any(cells):
            header = cells
            break
    if header is None:
        raise TableError("文件是空的")
    keys = []
    for cell in header:
        key = names.get(cell.lower()) or names.get(cell)
        if cell and key is None:
            raise TableError(f"未知的列「{cell}」")
        keys.append(key)
    missing = [columns[key] + f"（{key}）" for key in required if key not in keys]
    if missing:
        raise TableError("缺少列：" + "、".join(missing))
    result = []
    for number, cells in rows:
        if not any(cells):
            continue
        result.append((number, {key: cell for key, cell in zip(keys, cells, strict=False) if key}))
    return result
