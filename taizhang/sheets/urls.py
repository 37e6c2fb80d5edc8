from django.urls import path

from . import views

app_name = "sheets"

urlpatterns = [
    path("c/<slug:slug>/sheets/import/", views.import_start, name="import_start"),
    path("c/<slug:slug>/sheets/import/<int:pk>/mapping/", views.import_mapping, name="import_mapping"),
    path("c/<slug:slug>/sheets/import/<int:pk>/", views.import_job, name="import_job"),
    path("c/<slug:slug>/sheets/import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("c/<slug:slug>/sheets/import/<int:pk>/retry/", views.import_retry, name="import_retry"),
    path("c/<slug:slug>/sheets/import/<int:pk>/place-unit/", views.import_place_unit, name="import_place_unit"),
    path("c/<slug:slug>/sheets/import/<int:pk>/options/", views.import_options, name="import_options"),
]
urlpatterns += [
    path("c/<slug:slug>/sheets/statistics/", views.statistics_home, name="statistics_home"),
    path(
        "c/<slug:slug>/sheets/statistics/<str:period>/download.xlsx",
        views.statistics_download,
        name="statistics_download",
    ),
    path("c/<slug:slug>/sheets/statistics/<str:period>/upload/", views.statistics_upload, name="statistics_upload"),
    path("c/<slug:slug>/sheets/statistics/uploads/<int:pk>/", views.statistics_preview, name="statistics_preview"),
]
