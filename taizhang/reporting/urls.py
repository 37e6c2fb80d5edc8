from django.urls import path

from . import views

app_name = "reporting"

_report = "c/<slug:slug>/reports/<int:period>/<int:unit>/"

urlpatterns = [
    path("c/<slug:slug>/reports/", views.report_home, name="report_home"),
    path("c/<slug:slug>/reports/board/", views.completeness_board, name="board"),
    path("c/<slug:slug>/reports/board.xlsx", views.completeness_export, name="board_export"),
    path("c/<slug:slug>/reports/units/", views.expected_units, name="expected_units"),
    path("c/<slug:slug>/reports/units/<int:unit>/remove/", views.expected_unit_remove, name="expected_unit_remove"),
    path("c/<slug:slug>/reports/documents/", views.document_home, name="document_home"),
    path("c/<slug:slug>/reports/documents/<int:pk>/", views.document_detail, name="document_detail"),
    path("c/<slug:slug>/reports/documents/<int:pk>/download/", views.document_download, name="document_download"),
    path(_report, views.report_detail, name="report_detail"),
    path(_report + "items/<int:item>/progress/", views.report_progress, name="report_progress"),
    path(_report + "summary/", views.report_summary, name="report_summary"),
    path(_report + "submit/", views.report_submit, name="report_submit"),
    path(_report + "accept/", views.report_accept, name="report_accept"),
    path(_report + "return/", views.report_return, name="report_return"),
    path(_report + "reopen/", views.report_reopen, name="report_reopen"),
]
