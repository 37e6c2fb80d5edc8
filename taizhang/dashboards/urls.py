from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("c/<slug:slug>/dashboard/", views.overview, name="overview"),
    path("c/<slug:slug>/dashboard/mine/", views.mine, name="mine"),
    path("c/<slug:slug>/dashboard/contacts/", views.contacts, name="contacts"),
    path("c/<slug:slug>/dashboard/screen/", views.screen, name="screen"),
    path("c/<slug:slug>/dashboard/data.json", views.data, name="data"),
]
