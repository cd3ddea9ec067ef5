"""整改台账 pages: the list (overdue items stand out), a new item (supervisors), an item with its history."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from resources.models import School

from . import ledger
from .access import is_supervisor, require_scope
from .balance import INDICATORS
from .exports import Table, respond
from .models import RectificationItem, RectificationStatus
from .views import PAGES

INDICATOR_CHOICES = [("", "其他问题"), *[(indicator.key, indicator.label) for indicator in INDICATORS]]
INDICATOR_LABELS = dict(INDICATOR_CHOICES)


class NewItemForm(forms.ModelForm):
    indicator = forms.ChoiceField(label="指标", choices=INDICATOR_CHOICES, required=False)

    class Meta:
        model = RectificationItem
        fields = ["school", "year", "indicator", "finding", "responsible_person", "measures", "deadline"]
        widgets = {"deadline": forms.DateInput(attrs={"type": "date"}), "finding": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = School.objects.order_by("code")


class UpdateForm(forms.Form):
    status = forms.ChoiceField(label="状态", required=False)
    responsible_person = forms.CharField(label="责任人", max_length=50, required=False)
    measures = forms.CharField(label="整改措施", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    review_notes = forms.CharField(label="复查意见", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    deadline = forms.DateField(label="整改期限", widget=forms.DateInput(attrs={"type": "date"}), required=False)
    note = forms.CharField(label="说明", max_length=500, required=False)
    attachment = forms.FileField(label="附件", required=False)

    def __init__(self, *args, user, item, **kwargs):
        super().__init__(*args, **kwargs)
        moves = ledger.moves_for(user, item)
        self.fields["status"].choices = [("", "（不变）"), *[(s.value, s.label) for s in moves]]
        if not is_supervisor(user):
            for name in ("review_notes", "deadline"):
                del self.fields[name]


def _context(request, **extra):
    return {"pages": PAGES, "current": "supervision:ledger", "today": timezone.localdate(), **extra}


@require_http_methods(["GET"])
@login_required
def ledger_view(request):
    require_scope(request.user)
    items = ledger.items_for(request.user)
    status = request.GET.get("status", "")
    if status in RectificationStatus.values:
        items = items.filter(status=status)
    items = list(items)
    today = timezone.localdate()
    header = ["编号", "学校", "年度", "指标", "问题", "责任人", "整改期限", "状态", "是否逾期"]
    table = Table("items", "整改台账", header, [
        [item.pk, item.school.name, item.year, INDICATOR_LABELS.get(item.indicator, item.indicator), item.finding,
         item.responsible_person, item.deadline.isoformat(), item.get_status_display(),
         "逾期" if item.is_overdue(today) else ""] for item in items
    ])  # fmt: skip
    export = respond([table], request, "整改台账")
    if export is not None:
        return export
    return render(request, "supervision/ledger.html", _context(
        request, items=items, statuses=RectificationStatus.choices, status=status,
        may_open=is_supervisor(request.user), query=f"status={status}",
    ))  # fmt: skip


@require_http_methods(["GET", "POST"])
@login_required
def new_item_view(request):
    if not is_supervisor(request.user):
        raise PermissionDenied("只有督导可以新建整改事项。")
    form = NewItemForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        item = ledger.open_item(request.user, **form.cleaned_data)
        messages.success(request, "已新建整改事项。")
        return redirect("supervision:ledger_item", item.pk)
    return render(request, "supervision/ledger_new.html", _context(request, form=form))


def _item(request, pk):
    require_scope(request.user)
    # Another school's item is not there at all for a school leader (404, not 403: no hint it exists).
    return get_object_or_404(ledger.items_for(request.user), pk=pk)


@require_http_methods(["GET", "POST"])
@login_required
def item_view(request, pk):
    item = _item(request, pk)
    initial = {name: getattr(item, name) for name in ("responsible_person", "measures", "review_notes", "deadline")}
    form = UpdateForm(request.POST or None, request.FILES or None, user=request.user, item=item, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        status, note, upload = data.pop("status"), data.pop("note"), data.pop("attachment")
        if "deadline" in data and data["deadline"] is None:
            data.pop("deadline")
        try:
            ledger.update(request.user, item, status=status or None, note=note, **data)
            if upload:
                ledger.attach(request.user, item, upload)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "已保存。")
            return redirect("supervision:ledger_item", item.pk)
    events = item.events.select_related("user")
    return render(request, "supervision/ledger_item.html", _context(
        request, item=item, form=form, events=events, attachments=item.attachments.all(),
        indicator=INDICATOR_LABELS.get(item.indicator, item.indicator)
    ))  # fmt: skip


@require_http_methods(["GET"])
@login_required
def attachment_view(request, pk, attachment_id):
    item = _item(request, pk)
    attachment = get_object_or_404(item.attachments, pk=attachment_id)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name)
