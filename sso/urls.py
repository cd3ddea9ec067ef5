from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.login, name="sso_login"),
    path("callback/", views.callback, name="sso_callback"),
    path("logout/", views.logout, name="sso_logout"),
    path("logged-out/", views.logged_out, name="sso_logged_out"),
    # No trailing slash: the URL registered in the realm (backchannel.logout.url).
    path("backchannel-logout", views.backchannel_logout, name="sso_backchannel_logout"),
]
