from django.urls import path

from . import keytasks, unit_home, views

app_name = "dashboards"

urlpatterns = [
    path("c/<slug:slug>/dashboard/", views.overview, name="overview"),
    path("c/<slug:slug>/dashboard/mine/", views.mine, name="mine"),
    path("c/<slug:slug>/my-unit/", unit_home.unit_home, name="unit_home"),
    path("c/<slug:slug>/dashboard/contacts/", views.contacts, name="contacts"),
    path("c/<slug:slug>/dashboard/screen/", views.screen, name="screen"),
    path("c/<slug:slug>/dashboard/data.json", views.data, name="data"),
    path("c/<slug:slug>/key-tasks/", keytasks.key_tasks, name="key_tasks"),
    path("c/<slug:slug>/key-tasks/<int:pk>/", keytasks.key_task, name="key_task"),
    path("c/<slug:slug>/key-tasks/<int:pk>/edit/", keytasks.key_task_edit, name="key_task_edit"),
    path("c/<slug:slug>/key-tasks/<int:pk>/owner/", keytasks.key_task_owner, name="key_task_owner"),
    path("c/<slug:slug>/key-tasks/<int:pk>/progress/", keytasks.key_task_progress, name="key_task_progress"),
]
