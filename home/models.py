from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from resources.publishing import LibraryPermissionTester


class HomePage(Page):
    """The site's front page: a search box first, then what is new."""

    intro = models.CharField(_("导语"), max_length=200, blank=True)
    body = RichTextField(_("正文"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    max_count = 1

    class Meta:
        verbose_name = _("首页")

    def permissions_for_user(self, user):
        # Deleting or copying the home page would take the library below it along.
        return LibraryPermissionTester(user, self)

    def get_context(self, request, *args, **kwargs):
        from .front import front_page

        context = super().get_context(request, *args, **kwargs)
        context.update(front_page(request.user))
        return context
