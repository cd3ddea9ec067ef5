"""整改台账 rules: who may move an item where, and a history line for every change.

待整改 → 整改中 → 待复查 → 已销号. The school's leaders answer for their own
school's items: they start the work, fill in the measures and the person
responsible, and hand the item in for re-inspection. Supervisors open items,
re-inspect (send back to 整改中, or close as 已销号) and may reopen one.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from .access import is_supervisor, scope_of
from .models import RectificationAttachment, RectificationEvent, RectificationItem
from .models import RectificationStatus as S

LEADER_MOVES = {(S.PENDING, S.IN_PROGRESS), (S.IN_PROGRESS, S.AWAITING_REVIEW)}
SUPERVISOR_MOVES = LEADER_MOVES | {
    (S.AWAITING_REVIEW, S.CLOSED),
    (S.AWAITING_REVIEW, S.IN_PROGRESS),
    (S.CLOSED, S.IN_PROGRESS),
    (S.PENDING, S.CLOSED),
}
LEADER_FIELDS = ("responsible_person", "measures")
SUPERVISOR_FIELDS = (*LEADER_FIELDS, "finding", "indicator", "deadline", "review_notes")
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def items_for(user):
    scope = scope_of(user)
    if scope is None:
        return RectificationItem.objects.none()
    return scope.schools(RectificationItem.objects.select_related("school"), "school_id")


def may_change(user, item):
    scope = scope_of(user)
    return scope is not None and (scope.everything or scope.school_id == item.school_id)


def moves_for(user, item):
    """The statuses `user` may move `item` to, in the ledger's order."""
    if not may_change(user, item):
        return []
    allowed = SUPERVISOR_MOVES if is_supervisor(user) else LEADER_MOVES
    return [status for status in S if (item.status, status) in allowed]


def open_item(user, **fields):
    if not is_supervisor(user):
        raise PermissionDenied("只有督导可以新建整改事项。")
    with transaction.atomic():
        item = RectificationItem.objects.create(opened_by=user, status=S.PENDING, **fields)
        RectificationEvent.objects.create(item=item, user=user, to_status=S.PENDING, note="新建整改事项")
    return item


def update(user, item, *, status=None, note="", **fields):
    """Change `item` as `user` may; one history line for it all. Returns the event (None when nothing changed)."""
    if not may_change(user, item):
        raise PermissionDenied("只能处理本校的整改事项。")
    allowed_fields = SUPERVISOR_FIELDS if is_supervisor(user) else LEADER_FIELDS
    refused = set(fields) - set(allowed_fields)
    if refused:
        raise PermissionDenied("无权修改：" + "、".join(sorted(refused)))
    before = item.status
    if status and status != before and status not in moves_for(user, item):
        raise ValidationError(f"不能从「{S(before).label}」改为「{S(status).label}」。")
    changes = {}
    for name, value in fields.items():
        old = getattr(item, name)
        if old != value:
            changes[name] = [str(old), str(value)]
            setattr(item, name, value)
    if status and status != before:
        item.status = status
    if not changes and item.status == before and not note:
        return None
    with transaction.atomic():
        item.save()
        return RectificationEvent.objects.create(
            item=item, user=user, from_status=before, to_status=item.status, note=note, changes=changes
        )


def attach(user, item, upload):
    if not may_change(user, item):
        raise PermissionDenied("只能处理本校的整改事项。")
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError("附件不能超过 20 MB。")
    with transaction.atomic():
        attachment = RectificationAttachment.objects.create(
            item=item, file=upload, original_name=upload.name[:255], uploaded_by=user
        )
        RectificationEvent.objects.create(
            item=item, user=user, from_status=item.status, to_status=item.status, note=f"上传附件：{upload.name}"
        )
    return attachment
