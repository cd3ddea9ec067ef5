from django.urls import path

from . import api, ledger_views, views

app_name = "supervision"

urlpatterns = [
    path("api/play", api.play_view, name="play"),
    path("", views.sharing_view, name="sharing"),
    path("showcase/", views.showcase_view, name="showcase"),
    path("training/", views.training_view, name="training"),
    path("balance/", views.balance_view, name="balance"),
    path("announcement.pdf", views.announcement_view, name="announcement"),
    path("templates/<slug:kind>.<str:fmt>", views.template_view, name="template"),
    path("ledger/", ledger_views.ledger_view, name="ledger"),
    path("ledger/new/", ledger_views.new_item_view, name="ledger_new"),
    path("ledger/<int:pk>/", ledger_views.item_view, name="ledger_item"),
    path("ledger/<int:pk>/attachments/<int:attachment_id>", ledger_views.attachment_view, name="ledger_attachment"),
]
