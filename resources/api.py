"""The lesson library's public surface for other apps (search, training, reports).

Visibility lives here and only here: a draft or a package in review is never
returned; a published one is returned to signed-in users, and to anonymous
visitors only when its licence is public.
"""

from .models import LessonPackagePage, Licence, ResourcePage


def visible(model, user):
    """Live pages of `model` that `user` may open."""
    pages = model.objects.live()
    if not (user and user.is_authenticated):
        pages = pages.filter(licence=Licence.PUBLIC)
    return pages


def visible_packages(user):
    return visible(LessonPackagePage, user)


def visible_resources(user):
    return visible(ResourcePage, user)


def can_view(page, user):
    """Whether `user` may open this live page (serving checks the same rule)."""
    return page.live and (page.licence == Licence.PUBLIC or bool(user and user.is_authenticated))
