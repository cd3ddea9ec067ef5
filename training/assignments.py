"""Practice assignments: a teacher uploads a teaching artefact, a trainer approves it or returns it with a comment."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from resources.choices import PartKind
from resources.filetypes import check_part_file

from .models import AssignmentSubmission

Status = AssignmentSubmission.Status
MAX_UPLOAD_MB = 100  # a lesson recording belongs in the library; an artefact is a design, slides or a short clip


def latest(user, lesson):
    return AssignmentSubmission.objects.filter(user=user, lesson_id=lesson.pk).first()


def submit(lesson, user, upload, note=""):
    """Store a submission; ValidationError (Chinese) if one is pending or approved, or the file is unfit."""
    current = latest(user, lesson)
    if current is not None and current.status == Status.SUBMITTED:
        raise ValidationError("作业已提交，请等待讲师批阅。")
    if current is not None and current.status == Status.APPROVED:
        raise ValidationError("作业已通过，无需再交。")
    if upload is None:
        raise ValidationError("请选择要提交的文件。")
    if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
        raise ValidationError(f"文件过大：作业文件不能超过 {MAX_UPLOAD_MB} MB。")
    head = upload.read(4096)
    upload.seek(0)
    # Any kind of file a lesson's 素材 may hold, checked by content as the library does.
    check_part_file(PartKind.MATERIAL, upload.name, head)
    submission = AssignmentSubmission(
        user=user, lesson_id=lesson.pk, original_name=upload.name[:255], size=upload.size, note=note[:2000]
    )
    submission.file.save(upload.name, upload, save=False)
    submission.save()
    return submission


def review(submission, reviewer, action, comment=""):
    """Approve, or return with a comment (required, so the teacher knows what to change).

    The row is locked: two trainers reviewing at once cannot both decide.
    """
    from django.db import transaction

    with transaction.atomic():
        submission = type(submission).objects.select_for_update().get(pk=submission.pk)
        return _review(submission, reviewer, action, comment)


def _review(submission, reviewer, action, comment):
    if submission.user_id == reviewer.pk:
        raise ValidationError("不能批阅自己提交的作业。")
    if submission.status != Status.SUBMITTED:
        raise ValidationError("该作业已批阅。")
    comment = (comment or "").strip()
    if action == "approve":
        submission.status = Status.APPROVED
    elif action == "return":
        if not comment:
            raise ValidationError("退回作业时请写明修改意见。")
        submission.status = Status.RETURNED
    else:
        raise ValidationError("未知的批阅操作。")
    submission.comment = comment[:2000]
    submission.reviewed_by = reviewer
    submission.reviewed_at = timezone.now()
    submission.save(update_fields=["status", "comment", "reviewed_by", "reviewed_at"])
    return submission
