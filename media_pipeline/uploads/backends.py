"""Choosing the upload backend (what each offers: .parts)."""

from django.conf import settings

# django-storages' S3 classes (the current name and its older alias).
S3_STORAGE_BACKENDS = ("storages.backends.s3.S3Storage", "storages.backends.s3boto3.S3Boto3Storage")


def default_backend_name():
    """`s3` when the site's media live in S3, else `local` (files under MEDIA_ROOT)."""
    return "s3" if settings.STORAGES["default"]["BACKEND"] in S3_STORAGE_BACKENDS else "local"


def get_backend(name):
    if name == "s3":
        from .s3 import S3Backend

        return S3Backend()
    from .local import LocalBackend

    return LocalBackend()
