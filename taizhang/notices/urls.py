from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("notices/", views.inbox, name="inbox"),
    path("notices/bell/", views.bell, name="bell"),
    path("notices/read-all/", views.mark_all_read, name="mark_all_read"),
    path("notices/<int:pk>/read/", views.mark_read, name="mark_read"),
    path("notices/preferences/", views.preferences, name="preferences"),
    path("c/<slug:slug>/notices/log/", views.send_log, name="send_log"),
    path("c/<slug:slug>/notices/robots/", views.robots, name="robots"),
    path("c/<slug:slug>/notices/robots/<int:pk>/active/", views.robot_active, name="robot_active"),
]
