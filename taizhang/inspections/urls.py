from django.urls import path

from . import views

app_name = "inspections"

urlpatterns = [
    path("c/<slug:slug>/inspections/", views.home, name="home"),
    path("c/<slug:slug>/inspections/teams/", views.team_list, name="team_list"),
    path("c/<slug:slug>/inspections/teams/new/", views.team_new, name="team_new"),
    path("c/<slug:slug>/inspections/teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("c/<slug:slug>/inspections/teams/<int:pk>/round/", views.round_new, name="round_new"),
    path("c/<slug:slug>/inspections/teams/<int:pk>/report.docx", views.report_docx, name="report_docx"),
    path("c/<slug:slug>/inspections/teams/<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
    path("c/<slug:slug>/inspections/new/", views.inspection_new, name="inspection_new"),
    path("c/<slug:slug>/inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("c/<slug:slug>/findings/", views.finding_list, name="finding_list"),
    path("c/<slug:slug>/findings/<int:pk>/", views.finding_detail, name="finding_detail"),
    path("c/<slug:slug>/findings/<int:pk>/answer/", views.finding_answer, name="finding_answer"),
    path("c/<slug:slug>/findings/<int:pk>/verify/", views.finding_verify, name="finding_verify"),
    path("c/<slug:slug>/findings/<int:pk>/return/", views.finding_return, name="finding_return"),
    path("c/<slug:slug>/findings/evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("c/<slug:slug>/findings/lists/", views.lists, name="lists"),
    path("c/<slug:slug>/findings/lists/<str:kind>.xlsx", views.list_xlsx, name="list_xlsx"),
    path("c/<slug:slug>/findings/lists/<str:kind>.docx", views.list_docx, name="list_docx"),
]
