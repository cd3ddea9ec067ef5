from django.urls import path

from . import views

app_name = "media_pipeline"

urlpatterns = [
    path("videos/<uuid:video_id>/status", views.status, name="status"),
    path("videos/<uuid:video_id>/hls/<path:name>", views.playlist, name="playlist"),
    path("videos/<uuid:video_id>/download", views.download, name="download"),
    path("videos/<uuid:video_id>/poster.jpg", views.poster, name="poster"),
    path("videos/<uuid:video_id>/poster.webp", views.poster, {"small": True}, name="poster_small"),
    path("files/<str:token>", views.signed_file, name="signed_file"),
]
