"""The teacher's package form: completeness before review, the right file in each part."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminPageForm

from media_pipeline.models import VideoStatus
from sso.roles import is_district_staff, school_of

from .choices import PartKind
from .filetypes import check_document

# The national activity lists at most three guiding teachers per lesson.
MAX_GUIDING_TEACHERS = 3
# Page.slug's max_length: a suffixed slug must still fit.
SLUG_MAX_LENGTH = 255
# The edit view's buttons that send a package on to reviewers (or publish it).
SUBMIT_ACTIONS = ("action-submit", "action-publish", "action-restart-workflow")


def guiding_names(text):
    """The names in a 指导教师 field ("张三，李四"): the form and the importer count them alike."""
    return [name for name in re.split(r"[,，、\s]+", text or "") if name]


class LibraryPageForm(WagtailAdminPageForm):
    """What packages and standalone resources share: whose school, whose files.

    A teacher's school decides who reviews the work (resources.models.review),
    so it comes from the identity provider, not from a field the teacher picks.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        own_school_id = None if (user is None or is_district_staff(user)) else school_of(user)
        if own_school_id is not None and "school" in self.fields:
            self.fields["school"].disabled = True
            self.fields["school"].help_text = _("按您在统一身份认证中的学校填写，如有误请联系管理员。")
            self.initial["school"] = own_school_id
        if "slug" in self.fields:
            # Blank is fine: clean_slug makes one from the title, as Wagtail's own script would.
            self.fields["slug"].required = False

    def clean_slug(self):
        """The slug, from the title when blank, made free under the library with -2, -3...

        Wagtail's script derives it from the title as the teacher types, and
        two teachers may well call their lessons 「分数的初步认识」; it stays blank
        when a first save failed before a title was typed. The slug sits on the
        推荐 tab a teacher never opens, so refusing it would fail a save for a
        reason they cannot see.
        """
        slug = self.cleaned_data.get("slug") or slugify(
            self.cleaned_data.get("title") or "", allow_unicode=getattr(settings, "WAGTAIL_ALLOW_UNICODE_SLUGS", True)
        )
        if not slug or self.parent_page is None:
            return slug
        siblings = self.parent_page.get_children()
        if self.instance.pk:
            siblings = siblings.exclude(pk=self.instance.pk)
        taken = set(siblings.filter(slug__startswith=slug[: SLUG_MAX_LENGTH - 8]).values_list("slug", flat=True))
        candidate, number = slug, 1
        while candidate in taken:
            number += 1
            suffix = f"-{number}"
            candidate = slug[: SLUG_MAX_LENGTH - len(suffix)] + suffix
        return candidate

    def clean(self):
        cleaned = super().clean()
        if "slug" in self.errors:
            # Said at the top of the form too: the field itself is on the 推荐 tab.
            self.add_error(None, _("“推荐”标签页中的网址有误：%(error)s") % {"error": " ".join(self.errors["slug"])})
        user = self.for_user
        if user is not None and not self.instance.teacher_id and not is_district_staff(user):
            # The author's account, so "one per teacher" cannot be dodged by spelling a name differently.
            self.instance.teacher = user
        if self.submitting() and not cleaned.get("school"):
            self.add_error("school", _("提交审核前请选择学校，本校审核员才能审核。"))
        return cleaned

    def already_attached(self, relation, attname):
        """Ids in `relation` (e.g. parts.document_id) of the saved page and of its latest revision.

        Read from the database, not from `self.instance`: the bound formset has
        already put the submitted (unsaved) parts on the instance, so asking it
        would call every newly chosen file "already attached" - and filtering
        those in-memory parts by a foreign key fails on parts that lack one.
        """
        if not self.instance.pk:
            return set()
        saved = type(self.instance).objects.filter(pk=self.instance.pk).values_list(f"{relation}__{attname}", flat=True)
        ids = set(saved)
        revision = self.instance.get_latest_revision()
        if revision is not None:
            ids |= {getattr(item, attname) for item in getattr(revision.as_object(), relation).all()}
        ids.discard(None)
        return ids

    def submitting(self):
        return any(self.data.get(action) for action in SUBMIT_ACTIONS)

    def document_problems(self, kind, document, attached):
        """Chinese reasons why `document` may not go into part `kind` of this page."""
        user = self.for_user
        problems = []
        if not (attached or user is None or is_district_staff(user) or document.uploaded_by_user_id == user.pk):
            problems.append(_("只能使用自己上传的文件：“%(name)s”。") % {"name": document.title})
        try:
            check_document(kind, document)
        except ValidationError as exc:
            problems.extend(exc.messages)
        return problems


class ResourceForm(LibraryPageForm):
    def clean(self):
        cleaned = super().clean()
        formset = self.formsets.get("files")
        kind = cleaned.get("resource_type")
        if formset is None or not formset.is_valid() or not kind:
            return cleaned
        attached = self.already_attached("files", "document_id")
        errors = []
        for form in formset.forms:
            document = form.cleaned_data.get("document") if form.cleaned_data else None
            if document and not form.cleaned_data.get("DELETE"):
                # A resource type names the package part of the same kind (courseware, exercise...).
                errors.extend(self.document_problems(kind, document, document.pk in attached))
        if errors:
            raise ValidationError(errors)
        return cleaned


class LessonPackageForm(LibraryPageForm):
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
        attached = self.already_attached("parts", "document_id")
        attached_videos = self.already_attached("parts", "video_id")
        for part in parts:
            if part.get("document"):
                errors.extend(self.document_problems(part["kind"], part["document"], part["document"].pk in attached))
            if part.get("video"):
                errors.extend(self._video_problems(part["kind"], part["video"], part["video"].pk in attached_videos))
        if self.submitting():
            present = {part["kind"] for part in parts if part.get("document") or part.get("link") or part.get("video")}
            missing = self.instance.missing_required_parts(present)
            if missing:
                errors.append(_("提交审核前请补齐必备内容：%(parts)s。") % {"parts": "、".join(missing)})
        if len(guiding_names(cleaned.get("guiding_teachers"))) > MAX_GUIDING_TEACHERS:
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

    def _video_problems(self, kind, video, attached):

        user = self.for_user
        problems = []
        # Ids are unguessable, but a teacher attaches only their own uploads.
        if not (attached or user is None or user.is_superuser or video.owner_id == user.pk):
            problems.append(_("只能使用自己上传的视频。"))
        if kind not in (PartKind.VIDEO, PartKind.MICRO_LESSON):
            problems.append(_("在线视频只能用于“课堂实录”或“微课”。"))
        if video.status == VideoStatus.FAILED:
            problems.append(_("视频“%(name)s”处理失败：%(error)s") % {"name": video, "error": video.error})
        from .video_use import packages_using

        # One upload, one lesson: who may watch it and where it is listed follow that lesson.
        others = packages_using(video.pk, exclude_page_id=self.instance.pk)
        if others:
            problems.append(
                _("视频“%(name)s”已用于课例“%(lesson)s”，一个视频只能放在一个课例中；请为本课例另行上传。")
                % {"name": video, "lesson": others[0].title}
            )
        return problems
