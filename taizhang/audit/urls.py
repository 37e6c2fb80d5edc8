from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("audit/", views.event_list, name="event_list"),
    path("audit/export.xlsx", views.event_export, name="event_export"),
    path("audit/person/", views.person_data, name="person_data"),
]
