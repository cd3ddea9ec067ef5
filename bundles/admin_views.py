"""离线资源包 in the admin, for district admins: choose, see the size, then build."""

import datetime
import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from core.media.offline import RENDITIONS
from resources.choices import AwardLevel, Licence
from resources.models import Edition, Grade, Stage, Subject
from sso.roles import is_district_admin

from .estimate import estimate
from .selection import Selection, SelectionError
from .tasks import build_bundle


def _names(model):
    return [("", _("全部"))] + [(row.name, row.name) for row in model.objects.all()]


class BundleForm(forms.Form):
    stage = forms.ChoiceField(label=_("学段"), required=False)
    subject = forms.ChoiceField(label=_("学科"), required=False)
    edition = forms.ChoiceField(label=_("版本"), required=False)
    grade = forms.ChoiceField(label=_("年级"), required=False)
    award_min = forms.ChoiceField(
        label=_("最低获奖等级"), required=False, choices=[("", _("不限")), *AwardLevel.choices]
    )
    rendition = forms.ChoiceField(label=_("清晰度"), choices=[(name, name) for name in RENDITIONS], initial="360p")
    include_documents = forms.BooleanField(label=_("同时收录教学设计、课件等文档"), required=False)
    licence = forms.ChoiceField(label=_("共享范围"), choices=Licence.choices, initial=Licence.PUBLIC)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, model in (("stage", Stage), ("subject", Subject), ("edition", Edition), ("grade", Grade)):
            self.fields[name].choices = _names(model)

    def selection(self):
        return Selection(**self.cleaned_data)


def describe(selection):
    """The selection in words, as the form asked it (全部 where a field was left open)."""
    parts = [selection.get(name) or str(_("全部%(what)s") % {"what": label}) for name, label in OPEN_FIELDS]
    award = selection.get("award_min")
    if award:
        parts.append(str(_("%(award)s及以上") % {"award": dict(AwardLevel.choices).get(award, award)}))
    parts.append(selection.get("rendition", ""))
    parts.append(str(dict(Licence.choices).get(selection.get("licence"), "")))
    if selection.get("include_documents"):
        parts.append(str(_("含文档")))
    return " · ".join(part for part in parts if part)


OPEN_FIELDS = (("stage", _("学段")), ("subject", _("学科")), ("edition", _("版本")), ("grade", _("年级")))


def existing_bundles():
    found = []
    for manifest in sorted(settings.BUNDLE_OUTPUT_DIR.glob("*/manifest.json")):
        data = json.loads(manifest.read_text(encoding="utf-8"))
        sizes = {f["path"]: f["size"] for lesson in data["lessons"] for f in lesson["files"]}
        found.append({"id": data["bundle_id"], "version": data["version"], "lessons": len(data["lessons"]),
                      "bytes": sum(sizes.values()), "selection": describe(data["selection"]),
                      "created": datetime.datetime.fromisoformat(data["created"]),
                      "folder": str(manifest.parent)})  # fmt: skip
    return sorted(found, key=lambda bundle: bundle["created"], reverse=True)


class BundlePageView(WagtailAdminTemplateMixin, TemplateView):
    page_title = _("离线资源包")
    header_icon = "download"
    template_name = "bundles/admin_page.html"

    def dispatch(self, request, *args, **kwargs):
        if not is_district_admin(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = BundleForm(self.request.GET or None)
        context["form"], context["bundles"] = form, existing_bundles()
        if form.is_valid():
            try:
                context["estimate"] = estimate(form.selection())
            except SelectionError as exc:
                form.add_error(None, str(exc))
        return context

    def post(self, request, *args, **kwargs):
        form = BundleForm(request.POST)
        if not form.is_valid():
            return self.get(request, *args, **kwargs)
        build_bundle.delay(form.selection().as_dict())
        messages.success(request, _("已开始生成资源包，完成后出现在下方列表中（刷新本页查看）。"))
        # Back to the same choice and its size, not to an empty form.
        chosen = {name: value for name, value in form.cleaned_data.items() if value}
        return redirect(f"{reverse('bundles_admin')}?{urlencode(chosen)}")
