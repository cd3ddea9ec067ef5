from django.urls import path

from . import views

urlpatterns = [
    path("", views.curriculum_home, name="curriculum_home"),
    path("textbook/<int:pk>/", views.curriculum_textbook, name="curriculum_textbook"),
    path("<slug:stage_code>/<slug:subject_code>/", views.curriculum_subject, name="curriculum_subject"),
]
