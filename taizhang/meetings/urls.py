from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("c/<slug:slug>/meetings/", views.meeting_list, name="meeting_list"),
    path("c/<slug:slug>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("c/<slug:slug>/meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("c/<slug:slug>/meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("c/<slug:slug>/meetings/<int:pk>/held/", views.meeting_held, name="meeting_held"),
    path("c/<slug:slug>/meetings/<int:pk>/approve/", views.meeting_approve, name="meeting_approve"),
    path("c/<slug:slug>/meetings/<int:pk>/agenda/build/", views.agenda_build, name="agenda_build"),
    path("c/<slug:slug>/meetings/<int:pk>/agenda/", views.agenda_edit, name="agenda_edit"),
    path("c/<slug:slug>/meetings/<int:pk>/minutes/", views.minutes_edit, name="minutes_edit"),
    path("c/<slug:slug>/meetings/<int:pk>/decisions/new/", views.decision_new, name="decision_new"),
    path("c/<slug:slug>/meetings/<int:pk>/pack.docx", views.pack_docx, name="pack_docx"),
    path("c/<slug:slug>/meetings/<int:pk>/pack.pdf", views.pack_pdf, name="pack_pdf"),
    path("c/<slug:slug>/meetings/<int:pk>/minutes.docx", views.minutes_docx, name="minutes_docx"),
    path("c/<slug:slug>/meetings/<int:pk>/minutes.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("c/<slug:slug>/decisions/", views.decision_list, name="decision_list"),
    path("c/<slug:slug>/decisions/<int:pk>/", views.decision_detail, name="decision_detail"),
    path("c/<slug:slug>/decisions/<int:pk>/edit/", views.decision_edit, name="decision_edit"),
    path("c/<slug:slug>/decisions/<int:pk>/done/", views.decision_done, name="decision_done"),
    path("c/<slug:slug>/decisions/<int:pk>/close/", views.decision_close, name="decision_close"),
]
