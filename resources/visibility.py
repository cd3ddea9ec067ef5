"""Who may see what of the library: one policy, asked by the site, the API, the admin and the review tasks.

Two rules, each in the two forms callers need (one object, or a queryset filter):

- **Published work** is open to signed-in users, and to anonymous visitors
  only when its licence is public.
- **Unpublished work** (drafts, work in review, a draft revision's files) is
  seen by its author, the school reviewers of the author's school, and the
  district (its reviewers, administrators and superusers). Nobody else: not
  another school's reviewer, not a trainer.

`visibility_of(user)` returns the policy for one user, kept on the user object
for the request, so the roles and the school are read once however often it is
asked. This module imports no model: the models (a page's serve()) may use it.
"""

from functools import cached_property

from django.db.models import Q

from sso.roles import has_role, is_district_staff, school_of

from .choices import Licence


class Visibility:
    def __init__(self, user):
        self.user = user

    @cached_property
    def signed_in(self):
        return bool(self.user and self.user.is_authenticated)

    @cached_property
    def sees_all_unpublished(self):
        """The district sees every school's unpublished work."""
        return is_district_staff(self.user)

    @cached_property
    def reviewed_school_id(self):
        """The school whose unpublished work this user reviews (a school reviewer's own), else None."""
        if not self.signed_in or not has_role(self.user, "school_reviewer"):
            return None
        return school_of(self.user)

    @cached_property
    def school_id(self):
        """The school the user teaches at (None for the district, or when the directory does not say)."""
        return school_of(self.user) if self.signed_in else None

    # --- published work ---

    def live(self, pages):
        """Of a queryset of library pages, the live ones this user may open."""
        pages = pages.live()
        return pages if self.signed_in else pages.filter(licence=Licence.PUBLIC)

    def may_open(self, page):
        """Whether this user may open a live page (serving checks the same rule)."""
        return page.live and (page.licence == Licence.PUBLIC or self.signed_in)

    # --- unpublished work ---

    def sees_work_of(self, author):
        """Whether this user may see unpublished pages, files and videos by `author`.

        Decided by the author rather than by the page, because a file in a draft
        revision is not linked to any page row until that draft is published.
        """
        if not self.signed_in:
            return False
        if author is not None and author.pk == self.user.pk:
            return True
        if self.sees_all_unpublished:
            return True
        if author is None or self.reviewed_school_id is None:
            return False
        return self.reviewed_school_id == school_of(author)

    def unpublished_filter(self, owner="owner", school="school"):
        """A Q for the unpublished rows this user may see, by their owner and school fields; None: all of them.

        `owner` and `school` name the row's fields (a page's owner and school;
        a document's uploader and the uploader's profile school).
        """
        if self.sees_all_unpublished:
            return None
        allowed = Q(**{f"{owner}_id": self.user.pk}) if self.signed_in else Q(pk__in=[])
        if self.reviewed_school_id is not None:
            allowed |= Q(**{f"{school}_id": self.reviewed_school_id})
        return allowed


def visibility_of(user):
    """The policy for `user`, made once per request (kept on the request's user object)."""
    if user is None or not user.is_authenticated:
        return Visibility(user)
    policy = getattr(user, "_youke_visibility", None)
    if policy is None:
        policy = user._youke_visibility = Visibility(user)
    return policy
