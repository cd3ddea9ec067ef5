"""Lesson packages (晒课) and standalone resources, as Wagtail pages.

Pages give the platform drafts, revisions, moderation workflows and
per-owner editing for free: teachers get "add" permission on the library,
which in Wagtail lets them create pages and edit only the ones they own.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import models
from django.db.models import F
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.models import Orderable, Page
from wagtail.search import index

from core.chinese import index_terms
from media_pipeline.video_documents import video_for_document
from media_pipeline.widgets import VideoUploadInput

from .. import indexing
from ..checklist import ChecklistPanel
from ..choices import REQUIRED_PARTS, AwardLevel, Licence, PartKind, ResourceType
from ..forms import LessonPackageForm, ResourceForm
from ..publishing import LibraryPermissionTester, carry_review_to, guard_new_revision
from ..review_panels import QuotaPanel, ReviewDecisionPanel
from ..visibility import visibility_of
from ..widgets import LessonChooser
from .placement import CurriculumPlacement


class LessonIndexPage(Page):
    """优课资源库: the one parent of every lesson package and resource."""

    intro = models.CharField(_("导语"), max_length=200, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["resources.LessonPackagePage", "resources.ResourcePage"]
    max_count = 1

    class Meta:
        verbose_name = _("优课资源库")

    def permissions_for_user(self, user):
        # Publishing straight into the library (create, copy, alias) is refused like publishing a lesson.
        return LibraryPermissionTester(user, self)

    def get_context(self, request, *args, **kwargs):
        from .. import api, listing

        context = super().get_context(request, *args, **kwargs)
        user = request.user
        context["items"] = listing.newest_page(user, request.GET.get("page"))
        context["tree"] = listing.curriculum_tree(user)
        context["more_when_signed_in"] = not user.is_authenticated and api.hidden_from(user)
        return context


class LessonTag(TaggedItemBase):
    content_object = ParentalKey("resources.LessonPackagePage", related_name="tagged_items", on_delete=models.CASCADE)


class ResourceTag(TaggedItemBase):
    content_object = ParentalKey("resources.ResourcePage", related_name="tagged_items", on_delete=models.CASCADE)


class SharedResourceFields(CurriculumPlacement, models.Model):
    """What a package and a standalone resource have in common."""

    description = models.TextField(_("简介"), blank=True)
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("授课教师（账号）"),
    )
    teacher_name = models.CharField(_("授课教师"), max_length=50, blank=True)
    school = models.ForeignKey(
        "resources.School", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("学校")
    )
    licence = models.CharField(_("共享范围"), max_length=20, choices=Licence.choices, default=Licence.SIGNED_IN)
    external_id = models.CharField(
        _("外部编号"), max_length=100, unique=True, null=True, blank=True, help_text=_("批量导入时的原始编号")
    )
    view_count = models.PositiveIntegerField(_("浏览次数"), default=0, editable=False)

    placement_panels = [
        MultiFieldPanel(
            [
                FieldPanel("knowledge_node", widget=LessonChooser),
                FieldPanel("textbook"),
                FieldPanel("grade"),
                FieldPanel("subject"),
            ],
            heading=_("课程位置（选择“课”即可，其余自动补全）"),
        )
    ]
    search_fields = Page.search_fields + [
        index.SearchField("description"),
        index.SearchField("teacher_name"),
        # Words, bigrams and pinyin for engines without Chinese analysis (core.chinese).
        index.SearchField("search_terms"),
        # The same kind of terms for the text of attached PDF/DOCX/PPTX files (search.document_text, cached).
        index.SearchField("document_terms"),
        index.AutocompleteField("title"),
        index.FilterField("stage_id"),
        index.FilterField("grade_id"),
        index.FilterField("subject_id"),
        index.FilterField("edition_id"),
        index.FilterField("school_id"),
        index.FilterField("licence"),
    ]

    # resources.publishing tells the library's pages from their parents by this flag.
    is_library_page = True

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.sync_placement()
        if self.teacher_id and not self.teacher_name:
            self.teacher_name = self.teacher.last_name + self.teacher.first_name
        super().save(*args, **kwargs)

    def permissions_for_user(self, user):
        return LibraryPermissionTester(user, self)

    def save_revision(self, *args, **kwargs):
        """Every new revision passes the review guard, whoever asks (editor, autosave, API revert, scripts)."""
        user = kwargs.get("user", args[0] if args else None)
        review = guard_new_revision(self, user)
        revision = super().save_revision(*args, **kwargs)
        if review is not None:
            carry_review_to(review, revision)
        return revision

    def search_terms(self):
        tags = " ".join(tag.name for tag in self.tags.all())
        school = self.school.name if self.school_id else ""
        return index_terms(" ".join([self.title, self.description, tags, self.placement_label, school]))

    def document_terms(self):
        return indexing.document_terms(self)

    def serve(self, request, *args, **kwargs):
        if not visibility_of(request.user).may_open(self):
            return redirect_to_login(request.get_full_path())
        # One UPDATE, no read-modify-write race between concurrent viewers.
        type(self).objects.filter(pk=self.pk).update(view_count=F("view_count") + 1)
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from ..jsonld import script_tag

        context = super().get_context(request, *args, **kwargs)
        context["jsonld"] = mark_safe(script_tag(self, self.get_full_url(request) or self.url))  # noqa: S308 - escaped JSON
        context["other_editions"] = self.knowledge_node.other_editions() if self.knowledge_node_id else []
        context["videos"] = self.videos()
        return context

    def videos(self):
        """Videos to play on the page, in the order of their parts."""
        return []


class LessonPackagePage(SharedResourceFields, Page):
    """一师一优课 lesson package: four required parts and optional ones."""

    award_level = models.CharField(_("获奖等级"), max_length=20, choices=AwardLevel.choices, blank=True)
    recommended_to = models.CharField(
        _("推荐至"),
        max_length=20,
        blank=True,
        choices=[c for c in AwardLevel.choices if c[0] in {"city", "province", "ministry"}],
    )
    guiding_teachers = models.CharField(_("指导教师"), max_length=100, blank=True, help_text=_("最多 3 人，用逗号分隔"))
    tags = ClusterTaggableManager(through=LessonTag, blank=True, verbose_name=_("关键词"))

    content_panels = Page.content_panels + [
        ChecklistPanel(heading=_("晒课完整性检查")),
        ReviewDecisionPanel(heading=_("审核")),
        *SharedResourceFields.placement_panels,
        FieldPanel("description"),
        FieldPanel("teacher_name"),
        FieldPanel("school"),
        FieldPanel("guiding_teachers"),
        FieldPanel("tags"),
        FieldPanel("licence"),
        InlinePanel("parts", label=_("课例组成部分"), heading=_("课例组成部分")),
    ]
    # Its own tab, shown to reviewers only (every panel in it asks): not under Wagtail's SEO tab.
    review_panels = [
        QuotaPanel(heading=_("推荐名额")),
        MultiFieldPanel(
            [
                FieldPanel("award_level", permission="resources.award_lesson"),
                FieldPanel("recommended_to", permission="resources.award_lesson"),
            ],
            heading=_("评优（区级审核员）"),
        ),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("课例内容")),
            ObjectList(review_panels, heading=_("评优推荐")),
            ObjectList(Page.promote_panels, heading=_("网址与搜索")),
            ObjectList(Page.settings_panels, heading=_("设置")),
        ]
    )
    search_fields = SharedResourceFields.search_fields + [
        index.SearchField("guiding_teachers"),
        index.FilterField("award_level"),
    ]
    parent_page_types = ["resources.LessonIndexPage"]
    subpage_types = []
    template = "resources/lesson_package_page.html"
    base_form_class = LessonPackageForm

    class Meta:
        verbose_name = _("一师一优课课例")
        verbose_name_plural = _("一师一优课课例")
        permissions = [("award_lesson", _("评定优课等级与推荐"))]

    def videos(self):
        parts = self.parts.select_related("video", "document")
        found = [part.playable_video() for part in parts if part.kind in (PartKind.VIDEO, PartKind.MICRO_LESSON)]
        return [video for video in found if video]

    def missing_required_parts(self, kinds=None):
        """Chinese labels of the required parts not yet attached (kinds: those that are)."""
        if kinds is None:
            kinds = {part.kind for part in self.parts.all()}
        return [str(kind.label) for kind in REQUIRED_PARTS if kind not in kinds]


class PackagePart(Orderable):
    package = ParentalKey(LessonPackagePage, related_name="parts", on_delete=models.CASCADE)
    kind = models.CharField(_("类别"), max_length=30, choices=PartKind.choices)
    document = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("文件"),
    )
    link = models.URLField(_("或链接"), blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    # A video uploaded straight to object storage (media_pipeline's resumable upload);
    # a video document above is streamed too, through the Video made from it.
    video = models.ForeignKey(
        "media_pipeline.Video",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("在线视频"),
    )

    panels = [
        FieldPanel("kind"),
        FieldPanel("document"),
        FieldPanel("video", widget=VideoUploadInput, heading=_("或上传在线视频（课堂实录、微课，支持断点续传）")),
        FieldPanel("link"),
        FieldPanel("note"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("组成部分")

    def playable_video(self):
        """The Video to stream for this part: uploaded directly, or made from its document."""
        if self.video_id:
            return self.video
        if self.document_id:
            return video_for_document(self.document)
        return None


class ResourcePage(SharedResourceFields, Page):
    """A standalone resource: one courseware, exercise set, micro-lesson or asset."""

    resource_type = models.CharField(_("资源类型"), max_length=30, choices=[
        c for c in ResourceType.choices if c[0] != ResourceType.LESSON_PACKAGE
    ])  # fmt: skip
    tags = ClusterTaggableManager(through=ResourceTag, blank=True, verbose_name=_("关键词"))

    content_panels = Page.content_panels + [
        FieldPanel("resource_type"),
        *SharedResourceFields.placement_panels,
        FieldPanel("description"),
        FieldPanel("teacher_name"),
        FieldPanel("school"),
        FieldPanel("tags"),
        FieldPanel("licence"),
        InlinePanel("files", label=_("文件"), heading=_("文件")),
    ]
    search_fields = SharedResourceFields.search_fields + [index.FilterField("resource_type")]
    base_form_class = ResourceForm
    parent_page_types = ["resources.LessonIndexPage"]
    subpage_types = []
    template = "resources/resource_page.html"

    class Meta:
        verbose_name = _("单项资源")
        verbose_name_plural = _("单项资源")

    def videos(self):
        found = [video_for_document(item.document) for item in self.files.select_related("document") if item.document]
        return [video for video in found if video]


class ResourceFile(Orderable):
    resource = ParentalKey(ResourcePage, related_name="files", on_delete=models.CASCADE)
    document = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("文件"),
    )
    link = models.URLField(_("或链接"), blank=True)

    panels = [FieldPanel("document"), FieldPanel("link")]
