"""A small demo course for the embedded default (`make run`): every lesson kind, trainer1 as its trainer.

Idempotent: a second run finds the course and changes nothing.
"""

import datetime
import io
import json
import shutil
import subprocess
import tempfile
import uuid
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from wagtail.documents import get_document_model

from media_pipeline import jobs
from media_pipeline.models import Video
from media_pipeline.tasks import transcode_video
from resources.models import LessonPackagePage

from .models import (
    AssignmentLessonPage,
    CoursePage,
    DocumentLessonPage,
    MicroCompetency,
    ModulePage,
    QuizLessonPage,
    ResourceLessonPage,
    TrainingIndexPage,
    VideoLessonPage,
)
from .provision import ensure_training

SLUG = "a3-presentation-design"
QUESTIONS = [
    ("一页演示文稿上的文字，以下哪种做法更利于学生阅读？", "single",
     [("把课本原文整段贴上", False), ("提炼关键词，配合图示", True), ("字号越小越能放下更多内容", False)]),
    ("插入课堂视频素材时，应注意哪些方面？（多选）", "multiple",
     [("控制时长，突出重点", True), ("确认版权或使用授权", True), ("分辨率越高越好，不必考虑文件大小", False)]),
    ("乡村学校网络较慢时，课件中的视频最好怎样处理？", "single",
     [("使用平台生成的小体积下载版本", True), ("现场在线播放最高清晰度", False)]),
]  # fmt: skip


def quiz_stream():
    """Questions as the StreamField's raw JSON, the same shape the page editor saves."""
    return json.dumps(
        [
            {
                "type": "question",
                "id": str(uuid.uuid4()),
                "value": {
                    "text": text,
                    "kind": kind,
                    "points": 1,
                    "choices": [
                        {"type": "item", "id": str(uuid.uuid4()), "value": {"text": c, "correct": ok}}
                        for c, ok in choices
                    ],
                },
            }
            for text, kind, choices in QUESTIONS
        ],
        ensure_ascii=False,
    )


def _guide_pdf():

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, invariant=1)
    pdf.setFont("STSong-Light", 18)
    pdf.drawString(72, 760, "演示文稿设计要点")
    pdf.setFont("STSong-Light", 12)
    for number, line in enumerate(["一页一个重点", "文字提炼为关键词", "图示胜于大段文字", "视频素材控制时长"], 1):
        pdf.drawString(72, 720 - number * 24, f"{number}. {line}")
    pdf.save()
    return buffer.getvalue()


def _document(owner):
    Document = get_document_model()
    existing = Document.objects.filter(title="演示文稿设计要点（培训讲义）").first()
    if existing:
        return existing
    document = Document(title="演示文稿设计要点（培训讲义）", uploaded_by_user=owner)
    document.file.save("ppt-design-guide.pdf", ContentFile(_guide_pdf()), save=False)
    document._set_document_file_metadata()
    document.save()
    return document


def _video(owner):
    """A 12 s generated clip, transcoded by the real pipeline in this process; None without ffmpeg."""

    existing = Video.objects.filter(title="演示：插入与裁剪图片").first()
    if existing or not shutil.which("ffmpeg"):
        return existing
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "demo.mp4"
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=12",
             "-f", "lavfi", "-i", "sine=frequency=440:duration=12", "-c:v", "libx264", "-preset", "ultrafast",
             "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path)],
            check=True,
            timeout=120,
        )  # fmt: skip
        video = Video.objects.create(
            owner=owner,
            title="演示：插入与裁剪图片",
            original_filename="demo.mp4",
            original="",
            size=path.stat().st_size,
        )
        video.original = default_storage.save(Video.original_name_for(video.pk), ContentFile(path.read_bytes()))
        video.save()
    transcode_video.apply(args=[str(video.pk), jobs.enqueue(video)])
    video.refresh_from_db()
    return video


def _add(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def load(with_video=True):
    ensure_training()
    course = CoursePage.objects.filter(slug=SLUG).first()
    if course is not None:
        return {"course": course.url_path, "created": False}
    trainer = get_user_model().objects.filter(username="trainer1").first()
    today = timezone.localdate()
    course = CoursePage(
        title="演示文稿设计与制作（A3）",
        slug=SLUG,
        description="<p>面向全区中小学教师：从学情出发设计演示文稿，合理使用图片与视频素材。</p>",
        study_hours=Decimal("10"),
        capacity=200,
        enrol_opens=timezone.now() - datetime.timedelta(days=1),
        enrol_closes=timezone.now() + datetime.timedelta(days=180),
        starts_on=today,
        ends_on=today + datetime.timedelta(days=90),
    )
    TrainingIndexPage.objects.get().add_child(instance=course)
    course.competencies.set(MicroCompetency.objects.filter(code__in=["A3", "A5"]))
    if trainer:
        course.trainers.set([trainer])
    course.save_revision().publish()

    first = _add(course, ModulePage(title="模块一：理念与方法", slug="m1"))
    video = _video(trainer) if with_video else None
    if video is not None:
        _add(first, VideoLessonPage(title="视频：插入与裁剪图片", slug="video", video=video))
    _add(first, DocumentLessonPage(title="阅读：演示文稿设计要点", slug="guide", document=_document(trainer)))

    package = LessonPackagePage.objects.live().first()
    if package is not None:
        _add(first, ResourceLessonPage(title=f"观摩课例：{package.title}", slug="example", resource=package))

    second = _add(course, ModulePage(title="模块二：检测与实践", slug="m2"))
    _add(second, QuizLessonPage(title="小测验：演示文稿设计", slug="quiz", questions=quiz_stream()))
    _add(
        second,
        AssignmentLessonPage(
            title="实践作业：提交一份本学科演示文稿",
            slug="practice",
            instructions="<p>结合本学科一节课，提交不超过 15 页的演示文稿（PPT、PDF 均可）。</p>",
        ),
    )
    return {"course": course.url_path, "created": True, "video": bool(video)}
