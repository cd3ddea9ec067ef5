"""Tags for the public site's frame (templates/base.html)."""

from django import template
from django.urls import reverse
from wagtail.models import Page

register = template.Library()


@register.simple_tag(takes_context=True)
def page_edit_url(context):
    """The admin edit URL of the page being shown, for a user who may edit it; else "".

    In place of {% wagtailuserbar %}: the userbar puts ~1.2 MB of parser-blocking
    admin CSS and JS above every public page for every signed-in teacher, a
    blank screen for half a minute on a rural line. One plain link does the job.
    """
    page = context.get("page")
    request = context.get("request")
    user = getattr(request, "user", None)
    if not isinstance(page, Page) or not page.pk or user is None or not user.is_authenticated:
        return ""
    if not page.permissions_for_user(user).can_edit():
        return ""
    return reverse("wagtailadmin_pages:edit", args=(page.pk,))
