from django.urls import path

from . import views

app_name = "signon"

urlpatterns = [
    path("accounts/oidc/start/", views.oidc_start, name="oidc_start"),
    path("accounts/oidc/callback/", views.oidc_callback, name="oidc_callback"),
    path("accounts/two-factor/", views.otp_setup, name="otp_setup"),
    path("accounts/two-factor/code/", views.otp_verify, name="otp_verify"),
    path("accounts/two-factor/remove/", views.otp_remove, name="otp_remove"),
    path("c/<slug:slug>/sign-on/groups/", views.group_rules, name="group_rules"),
    path("c/<slug:slug>/sign-on/groups/<int:pk>/remove/", views.group_rule_remove, name="group_rule_remove"),
]
