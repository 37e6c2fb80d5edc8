from django.urls import path

from . import views

app_name = "assessment"

_scheme = "c/<slug:slug>/assessment/schemes/<int:pk>/"
_run = "c/<slug:slug>/assessment/runs/<int:pk>/"

urlpatterns = [
    path("c/<slug:slug>/assessment/", views.home, name="home"),
    path("c/<slug:slug>/assessment/import/", views.scheme_import, name="scheme_import"),
    path("c/<slug:slug>/assessment/copy/", views.scheme_copy, name="scheme_copy"),
    path(_scheme, views.scheme_detail, name="scheme_detail"),
    path(_scheme + "sections/", views.section_add, name="section_add"),
    path(_scheme + "items/new/", views.item_edit, name="item_add"),
    path(_scheme + "items/<int:item>/", views.item_edit, name="item_edit"),
    path(_scheme + "items/<int:item>/remove/", views.item_remove, name="item_remove"),
    path(_scheme + "order/", views.scheme_reorder, name="scheme_reorder"),
    path(_scheme + "version/", views.scheme_version, name="scheme_version"),
    path(_scheme + "scheme.xlsx", views.scheme_xlsx, name="scheme_xlsx"),
    path(_scheme + "run/", views.run_start, name="run_start"),
    path(_run, views.run_detail, name="run_detail"),
    path(_run + "units/<int:unit>/", views.unit_breakdown, name="unit_breakdown"),
    path(_run + "units/<int:unit>/sheet.pdf", views.unit_sheet, name="unit_sheet"),
    path(_run + "scores/<int:score>/", views.item_score, name="item_score"),
    path(_run + "adjustments/", views.adjustment_queue, name="adjustment_queue"),
    path(_run + "adjustments/files/<int:file>/", views.adjustment_file, name="adjustment_file"),
    path(_run + "scores/files/<int:file>/", views.score_file, name="score_file"),
    path(_run + "objections/files/<int:file>/", views.objection_file, name="objection_file"),
    path(_run + "objections/", views.objection_list, name="objection_list"),
    path(_run + "review/", views.run_review, name="run_review"),
    path(_run + "freeze/", views.run_freeze, name="run_freeze"),
    path(_run + "penalties/", views.penalty_list, name="penalty_list"),
    path(_run + "penalties/files/<int:file>/", views.penalty_file, name="penalty_file"),
    path(_run + "circular.docx", views.circular_docx, name="circular_docx"),
    path(_run + "circular.pdf", views.circular_pdf, name="circular_pdf"),
    path(_run + "scores.xlsx", views.scores_xlsx, name="scores_xlsx"),
    path(_run + "year-end.xlsx", views.year_end_xlsx, name="year_end_xlsx"),
    path(_run + "nominations.xlsx", views.nominations_xlsx, name="nominations_xlsx"),
]
