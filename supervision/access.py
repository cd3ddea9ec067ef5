"""Who sees which school's supervision figures: the one rule every page, export and the report ask.

District administrators, superusers and 督导 see every school. A 学校领导
sees their own school only (the school of their SSO profile); without a
school they see nothing. Anyone else is refused.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from sso.roles import has_role, is_district_admin, school_of


@dataclass(frozen=True)
class Scope:
    """All schools (school_id None) or one school's own pages."""

    school_id: int | None = None

    @property
    def everything(self):
        return self.school_id is None

    def schools(self, queryset, field="pk"):
        """`queryset` narrowed to the schools in scope, by its `field` naming a school."""
        return queryset if self.everything else queryset.filter(**{field: self.school_id})


def is_supervisor(user):
    """The district's view: 督导, district administrators and superusers."""
    return is_district_admin(user) or (bool(user and user.is_authenticated) and has_role(user, "supervisor"))


def scope_of(user):
    """The Scope `user` may see, or None when supervision is none of their business."""
    if is_supervisor(user):
        return Scope()
    if user and user.is_authenticated and has_role(user, "school_leader"):
        school_id = school_of(user)
        return Scope(school_id) if school_id else None
    return None


def require_scope(user):
    scope = scope_of(user)
    if scope is None:
        raise PermissionDenied("只有督导、区级管理员和学校领导可以查看督导信息。")
    return scope
