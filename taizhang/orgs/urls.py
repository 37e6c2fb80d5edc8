from django.urls import path

from . import views

app_name = "orgs"

urlpatterns = [
    path("units/", views.unit_tree, name="unit_tree"),
    path("units/search.json", views.unit_search, name="unit_search"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("accounts/locked/", views.lockouts, name="lockouts"),
    path("accounts/first-sign-in/<str:token>/", views.first_sign_in, name="first_sign_in"),
    path("units/<int:pk>/active/", views.unit_set_active, name="unit_set_active"),
]
