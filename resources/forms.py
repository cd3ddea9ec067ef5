"""The teacher's package form: completeness before review, the right file in each part."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminPageForm

from .filetypes import check_document

# The national activity lists at most three guiding teachers per lesson.
MAX_GUIDING_TEACHERS = 3
# The edit view's buttons that send a package on to reviewers (or publish it).
SUBMIT_ACTIONS = ("action-submit", "action-publish", "action-restart-workflow")


class LessonPackageForm(WagtailAdminPageForm):
    def _live_parts(self):
        formset = self.formsets.get("parts")
        if formset is None or not formset.is_valid():
            return []
        return [
            form.cleaned_data
            for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("kind")
        ]

    def clean(self):
        cleaned = super().clean()
        parts = self._live_parts()
        errors = []
        for part in parts:
            if part.get("document"):
                try:
                    check_document(part["kind"], part["document"])
                except ValidationError as exc:
                    errors.extend(exc.messages)
            if part.get("video"):
                errors.extend(self._video_problems(part["kind"], part["video"]))
        if any(self.data.get(action) for action in SUBMIT_ACTIONS):
            present = {part["kind"] for part in parts if part.get("document") or part.get("link") or part.get("video")}
            missing = self.instance.missing_required_parts(present)
            if missing:
                errors.append(_("提交审核前请补齐必备内容：%(parts)s。") % {"parts": "、".join(missing)})
        guiding = [name for name in re.split(r"[,，、\s]+", cleaned.get("guiding_teachers") or "") if name]
        if len(guiding) > MAX_GUIDING_TEACHERS:
            errors.append(_("指导教师最多 %(n)s 人。") % {"n": MAX_GUIDING_TEACHERS})
        level = cleaned.get("recommended_to")
        if level and level != self.instance.recommended_to:
            from .quotas import recommendation_problems

            candidate = self.instance
            for name in ("stage", "teacher_name", "knowledge_node"):
                if name in cleaned:
                    setattr(candidate, name, cleaned[name])
            candidate.sync_placement()
            errors.extend(recommendation_problems(candidate, level))
        if errors:
            raise ValidationError(errors)
        return cleaned

    def _video_problems(self, kind, video):
        from media_pipeline.models import VideoStatus

        from .choices import PartKind

        user = self.for_user
        problems = []
        # Ids are unguessable, but a teacher attaches only their own uploads.
        attached = self.instance.pk and self.instance.parts.filter(video=video).exists()
        if not (attached or user.is_superuser or video.owner_id == user.pk):
            problems.append(_("只能使用自己上传的视频。"))
        if kind not in (PartKind.VIDEO, PartKind.MICRO_LESSON):
            problems.append(_("在线视频只能用于“课堂实录”或“微课”。"))
        if video.status == VideoStatus.FAILED:
            problems.append(_("视频“%(name)s”处理失败：%(error)s") % {"name": video, "error": video.error})
        return problems
