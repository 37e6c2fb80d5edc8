from django.urls import path

from . import views

app_name = "bulletins"

_case = "c/<slug:slug>/practices/<int:pk>/"
_issue = "c/<slug:slug>/bulletins/<int:pk>/"
_public = "c/<slug:slug>/public/"

urlpatterns = [
    # Cases (经验做法).
    path("c/<slug:slug>/practices/", views.practice_list, name="practice_list"),
    path("c/<slug:slug>/practices/new/", views.practice_new, name="practice_new"),
    path("c/<slug:slug>/practices/items.json", views.item_search, name="item_search"),
    path("c/<slug:slug>/practices/from-report/<int:report>/", views.practice_from_report, name="practice_from_report"),
    path(
        "c/<slug:slug>/practices/from-activity/<int:activity>/",
        views.practice_from_activity,
        name="practice_from_activity",
    ),
    path(_case, views.practice_detail, name="practice_detail"),
    path(_case + "edit/", views.practice_edit, name="practice_edit"),
    path(_case + "photos/", views.practice_photo_add, name="practice_photo_add"),
    path(_case + "photos/<int:photo>/", views.photo, name="photo"),
    path(_case + "read/", views.practice_read, name="practice_read"),
    path(_case + "<str:what>/", views.practice_act, name="practice_act"),
    # Bulletins (信息简报).
    path("c/<slug:slug>/bulletins/", views.bulletin_list, name="bulletin_list"),
    path("c/<slug:slug>/bulletins/new/", views.bulletin_new, name="bulletin_new"),
    path("c/<slug:slug>/bulletins/signatories/", views.signatory_add, name="signatory_add"),
    path("c/<slug:slug>/bulletins/signatories/<int:pk>/remove/", views.signatory_remove, name="signatory_remove"),
    path(_issue, views.bulletin_detail, name="bulletin_detail"),
    path(_issue + "edit/", views.bulletin_edit, name="bulletin_edit"),
    path(_issue + "cases/", views.bulletin_cases, name="bulletin_cases"),
    path(_issue + "download/<str:fmt>/", views.bulletin_download, name="bulletin_download"),
    path(_issue + "<str:what>/", views.bulletin_act, name="bulletin_act"),
    # The public site (公示).
    path(_public + "bulletins/", views.public_bulletins, name="public_bulletins"),
    path(_public + "bulletins/<int:year>/<int:number>/", views.public_bulletin, name="public_bulletin"),
    path(_public + "bulletins/<int:year>/<int:number>.pdf", views.public_bulletin_pdf, name="public_bulletin_pdf"),
    path(_public + "practices/<int:pk>/", views.public_practice, name="public_practice"),
    path(_public + "practices/<int:pk>/read/", views.public_practice_read, name="public_practice_read"),
    path(_public + "practices/<int:pk>/photos/<int:photo>/", views.public_photo, name="public_photo"),
    path(_public + "feed.atom", views.public_feed, name="public_feed"),
]
