from django.urls import path

from . import group_views, views

app_name = "study"

urlpatterns = [
    path("c/<slug:slug>/study/", views.study_home, name="home"),
    path("c/<slug:slug>/study/activities/new/", views.activity_new, name="activity_new"),
    path("c/<slug:slug>/study/activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("c/<slug:slug>/study/activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("c/<slug:slug>/study/activities/<int:pk>/attendance/", views.activity_attendance, name="activity_attendance"),
    path("c/<slug:slug>/study/activities/<int:pk>/qr.svg", views.activity_qr, name="activity_qr"),
    path("c/<slug:slug>/study/activities/<int:pk>/model/", views.activity_model, name="activity_model"),
    path("c/<slug:slug>/study/activities/<int:pk>/photos/", views.activity_photos, name="activity_photos"),
    path("c/<slug:slug>/study/activities/<int:pk>/photos/<int:photo>/", views.activity_photo, name="activity_photo"),
    path(
        "c/<slug:slug>/study/activities/<int:pk>/photos/<int:photo>/remove/",
        views.activity_photo_remove,
        name="activity_photo_remove",
    ),
    path(
        "c/<slug:slug>/study/activities/<int:pk>/attendance/upload/", views.attendance_upload, name="attendance_upload"
    ),
    path("c/<slug:slug>/study/participation/", views.participation_page, name="participation"),
    path("c/<slug:slug>/study/kinds/", views.activity_kinds, name="activity_kinds"),
    path("c/<slug:slug>/study/plan/", views.activity_plan, name="activity_plan"),
    path("c/<slug:slug>/study/roster/", views.roster, name="roster"),
    path("c/<slug:slug>/study/roster/import/", views.roster_import, name="roster_import"),
    path("c/<slug:slug>/study/members/new/", views.member_edit, name="member_new"),
    path("c/<slug:slug>/study/members/<int:pk>/", views.member_edit, name="member_edit"),
    path("c/<slug:slug>/study/members/<int:pk>/record/", views.member_record, name="member_record"),
    path("c/<slug:slug>/study/materials/", views.material_list, name="material_list"),
    path("c/<slug:slug>/study/materials/new/", views.material_new, name="material_new"),
    path("c/<slug:slug>/study/materials/<int:pk>/", views.material_detail, name="material_detail"),
    path("c/<slug:slug>/study/files/<int:pk>/", views.material_file, name="material_file"),
    path("c/<slug:slug>/study/groups/", group_views.group_list, name="group_list"),
    path("c/<slug:slug>/study/groups/new/", group_views.group_new, name="group_new"),
    path("c/<slug:slug>/study/groups/search.json", group_views.group_search, name="group_search"),
    path("c/<slug:slug>/study/groups/<int:pk>/", group_views.group_detail, name="group_detail"),
    path("c/<slug:slug>/study/groups/<int:pk>/edit/", group_views.group_edit, name="group_edit"),
    path("c/<slug:slug>/study/groups/<int:pk>/remove/", group_views.group_member_remove, name="group_member_remove"),
    path("c/<slug:slug>/study/groups/<int:pk>/export.xlsx", group_views.group_export, name="group_export"),
    path(
        "c/<slug:slug>/study/groups/<int:pk>/members.json",
        group_views.group_member_search,
        name="group_member_search",
    ),
    # Public, no login: the QR sign-in at the door and a member's reading link.
    path("study/sign-in/<str:token>/", views.sign_in, name="sign_in"),
    path("study/read/<str:token>/", views.read, name="read"),
    path("study/reading/<str:token>/", views.reading, name="reading"),
    path("study/reading/<str:token>/files/<int:pk>/", views.reading_file, name="reading_file"),
]
