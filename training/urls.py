from django.urls import path

from .views import api, teacher, trainer

app_name = "training"

urlpatterns = [
    path("", teacher.catalogue, name="catalogue"),
    path("my/", teacher.my_learning, name="my"),
    path("courses/<int:course_id>/enrol/", teacher.enrol, name="enrol"),
    path("courses/<int:course_id>/withdraw/", teacher.withdraw, name="withdraw"),
    path("lessons/<int:lesson_id>/quiz/", teacher.submit_quiz, name="submit_quiz"),
    path("lessons/<int:lesson_id>/assignment/", teacher.submit_assignment, name="submit_assignment"),
    path("lessons/<int:lesson_id>/document/", teacher.document, name="document"),
    path("submissions/<int:submission_id>/file/", teacher.submission_file, name="submission_file"),
    path("submissions/<int:submission_id>/review/", trainer.review, name="review"),
    path("api/heartbeat", api.heartbeat_view, name="heartbeat"),
    path("certificates/verify/", teacher.verify, name="verify_form"),
    path("certificates/verify/<str:code>/", teacher.verify, name="verify"),
    path("certificates/<str:code>.pdf", teacher.certificate_pdf, name="certificate"),
    path("dashboard/", trainer.home, name="dashboard"),
    path("dashboard/<int:course_id>/", trainer.course, name="dashboard_course"),
    path("dashboard/<int:course_id>/export.csv", trainer.export_csv, name="export_csv"),
    path("dashboard/<int:course_id>/export.xlsx", trainer.export_xlsx, name="export_xlsx"),
    path("dashboard/<int:course_id>/cohort/", trainer.enrol_cohort, name="enrol_cohort"),
    path("dashboard/<int:course_id>/submissions/", trainer.submissions, name="submissions"),
]
