"""Which files each part of a lesson package accepts, judged by content.

The extension says what a file claims to be; the first bytes say what it is.
A file must pass both: a renamed .txt is not a .docx, and a slideshow is not
a 课堂实录. Messages are for teachers, in Chinese.
"""

import filetype
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .choices import PartKind

FAMILIES = {
    "document": {"pdf", "doc", "docx", "txt", "rtf", "odt", "wps"},
    "spreadsheet": {"xls", "xlsx", "ods", "csv"},
    "presentation": {"ppt", "pptx", "odp", "key"},
    "image": {"jpg", "jpeg", "png", "gif", "webp", "bmp"},
    "audio": {"mp3", "m4a", "wav", "aac", "ogg"},
    "video": {"mp4", "mov", "m4v", "webm", "mkv", "avi", "flv", "3gp", "mpg", "mpeg", "ts"},
    "archive": {"zip", "rar", "7z"},
}
FAMILY_NAMES = {
    "document": "文档", "spreadsheet": "表格", "presentation": "演示文稿", "image": "图片",
    "audio": "音频", "video": "视频", "archive": "压缩包",
}  # fmt: skip
WRITTEN = {"document", "spreadsheet"}
ALL = set(FAMILIES)

# What each part of a 晒课 package may hold.
PART_ACCEPTS = {
    PartKind.TEACHING_DESIGN: WRITTEN,
    PartKind.COURSEWARE: {"presentation", "document", "image", "audio", "video", "archive"},
    PartKind.VIDEO: {"video"},
    PartKind.EXERCISE: WRITTEN,
    PartKind.MICRO_LESSON: {"video"},
    PartKind.MATERIAL: ALL,
    PartKind.LEARNER_ANALYSIS: WRITTEN,
    PartKind.TEXTBOOK_ANALYSIS: WRITTEN,
    PartKind.REFLECTION: WRITTEN,
    PartKind.OBSERVATION: WRITTEN,
}

# Office's two container formats: OOXML is a zip, the old binary formats OLE2.
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SIGNATURES = {
    "pdf": (b"%PDF",),
    "docx": (ZIP_MAGIC,), "xlsx": (ZIP_MAGIC,), "pptx": (ZIP_MAGIC,), "zip": (ZIP_MAGIC,),
    "odt": (ZIP_MAGIC,), "ods": (ZIP_MAGIC,), "odp": (ZIP_MAGIC,),
    "doc": (OLE_MAGIC,), "xls": (OLE_MAGIC,), "ppt": (OLE_MAGIC,), "wps": (OLE_MAGIC,),
}  # fmt: skip


def family_of(extension):
    return next((family for family, extensions in FAMILIES.items() if extension in extensions), None)


def _content_matches(extension, family, head):
    if extension in SIGNATURES:
        return head.startswith(SIGNATURES[extension])
    if family in {"image", "audio", "video"}:
        guessed = filetype.guess(head)
        return guessed is not None and guessed.mime.split("/")[0] == family
    return True  # plain text, csv, rtf: no reliable signature


def check_part_file(kind, filename, head, shown_as=None):
    """Raise ValidationError unless `filename` with first bytes `head` fits part `kind`.

    `shown_as` is the name the teacher knows the file by (storage may rename it).
    """
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    family = family_of(extension)
    accepted = PART_ACCEPTS.get(kind, ALL)
    label = PartKind(kind).label if kind in PartKind.values else kind
    wanted = "、".join(FAMILY_NAMES[f] for f in sorted(accepted))
    shown_as = shown_as or filename
    if family is None:
        raise ValidationError(_("“%(name)s”的文件类型不受支持。") % {"name": shown_as})
    if family not in accepted:
        raise ValidationError(
            _("“%(part)s”只接受%(wanted)s，而“%(name)s”是%(actual)s。")
            % {"part": label, "wanted": wanted, "name": shown_as, "actual": FAMILY_NAMES[family]}
        )
    if not head or not _content_matches(extension, family, head):
        raise ValidationError(
            _("“%(name)s”的内容与扩展名 .%(ext)s 不符，文件可能已损坏或被改了扩展名。")
            % {"name": shown_as, "ext": extension}
        )


def check_document(kind, document):
    """check_part_file for a stored Wagtail document."""
    with document.open_file() as handle:
        head = handle.read(4096)
    check_part_file(kind, document.file.name.rsplit("/", 1)[-1], head, shown_as=document.title)
