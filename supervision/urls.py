from django.urls import path

from . import api

app_name = "supervision"

urlpatterns = [
    path("api/play", api.play_view, name="play"),
]
