"""Certificates: issued once with their data frozen, rendered to a Chinese PDF, verified in public.

The PDF uses reportlab's built-in CID font STSong-Light (Adobe's Asian font
pack names it; PDF readers supply the glyphs), so no font file ships with
the site and the PDF stays small. `invariant` makes the bytes the same on
every download.
"""

import io
import secrets

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from .models import Certificate

# No 0/O or 1/I/L: the code is read off paper and typed in.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_code():
    groups = ["".join(secrets.choice(ALPHABET) for _ in range(4)) for _ in range(4)]
    return "YK-" + "-".join(groups)


def display_name(user):
    """Chinese names family name first (王芳; sso.names); the username when there is no name."""
    return user.get_full_name() or user.get_username()


def school_of(user):
    """The teacher's school, as single sign-on last said (local demo accounts have none)."""
    try:
        return user.sso_profile.school
    except ObjectDoesNotExist:
        return None


def frozen_data(enrolment):
    course, user = enrolment.course, enrolment.user
    school = school_of(user)
    completed = timezone.localtime(enrolment.completed_at or timezone.now())
    return {
        "name": display_name(user),
        "username": user.get_username(),
        "school": school.name if school else "",
        "course": course.title,
        "hours": str(course.study_hours),
        "competencies": [str(item) for item in course.competencies.all()],
        "completed_on": completed.date().isoformat(),
        "issuer": "优课 · 区域教育资源公共服务平台",
    }


def issue(enrolment):
    """The enrolment's certificate: the existing one, or a new one with the data as it is now."""
    existing = Certificate.objects.filter(user=enrolment.user, course=enrolment.course).first()
    if existing is not None:
        return existing
    data = frozen_data(enrolment)
    try:
        with transaction.atomic():
            return Certificate.objects.create(code=new_code(), user=enrolment.user, course=enrolment.course, data=data)
    except IntegrityError:  # issued meanwhile by a concurrent completion
        return Certificate.objects.get(user=enrolment.user, course=enrolment.course)


def verify_url(certificate):
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("training:verify", args=[certificate.code])


def _wrap(text, font, size, width):
    """Lines of at most `width` points; Chinese has no spaces, so break between any two characters."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, line = [], ""
    for char in text:
        if stringWidth(line + char, font, size) > width and line:
            lines.append(line)
            line = char
        else:
            line += char
    return [*lines, line] if line else lines


def render_pdf(certificate):
    """PDF bytes of a certificate, from its frozen data only."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    data = certificate.data
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height), invariant=1)
    pdf.setTitle(f"培训证书 {certificate.code}")
    pdf.setAuthor(data.get("issuer", ""))
    pdf.setLineWidth(3)
    pdf.rect(30, 30, width - 60, height - 60)
    pdf.setLineWidth(1)
    pdf.rect(38, 38, width - 76, height - 76)

    pdf.setFont(font, 34)
    pdf.drawCentredString(width / 2, height - 110, "培 训 证 书")
    school = f"（{data['school']}）" if data.get("school") else ""
    body = (
        f"{data['name']}{school}于 {data['completed_on']} 完成教师信息技术应用能力提升培训课程"
        f"《{data['course']}》，经考核合格，计 {data['hours']} 学时。"
    )
    y = height - 180
    pdf.setFont(font, 17)
    for line in _wrap(body, font, 17, width - 200):
        pdf.drawString(100, y, line)
        y -= 30
    if data.get("competencies"):
        y -= 6
        pdf.setFont(font, 13)
        for line in _wrap("对应微能力点：" + "、".join(data["competencies"]), font, 13, width - 200):
            pdf.drawString(100, y, line)
            y -= 22

    pdf.setFont(font, 14)
    pdf.drawRightString(width - 100, 150, data.get("issuer", ""))
    pdf.drawRightString(width - 100, 125, f"发证日期：{timezone.localtime(certificate.issued_at).date().isoformat()}")
    pdf.setFont(font, 11)
    pdf.drawString(100, 85, "验证码：")
    pdf.drawString(100, 67, "验证网址：")
    pdf.setFont("Helvetica", 11)
    pdf.drawString(150, 85, certificate.code)
    pdf.drawString(160, 67, verify_url(certificate))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
