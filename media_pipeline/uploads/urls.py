from django.urls import path

from . import views

app_name = "media_uploads"

urlpatterns = [
    path("", views.create, name="create"),
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/parts/", views.parts, name="parts"),
    path("<uuid:pk>/chunks/<int:number>/", views.chunk, name="chunk"),
    path("<uuid:pk>/complete/", views.complete, name="complete"),
]
