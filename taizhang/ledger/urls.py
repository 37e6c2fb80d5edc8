from django.urls import path

from . import views

app_name = "ledger"

urlpatterns = [
    path("c/<slug:slug>/items/", views.item_list, name="item_list"),
    path("c/<slug:slug>/items/search.json", views.item_search, name="item_search"),
    path("c/<slug:slug>/items/export.xlsx", views.item_export, name="item_export"),
    path("c/<slug:slug>/items/new/", views.item_create, name="item_create"),
    path("c/<slug:slug>/items/<int:pk>/", views.item_detail, name="item_detail"),
    path("c/<slug:slug>/items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("c/<slug:slug>/items/<int:pk>/progress/", views.item_progress, name="item_progress"),
    path("c/<slug:slug>/items/<int:pk>/comment/", views.item_comment, name="item_comment"),
    path("c/<slug:slug>/items/<int:pk>/withdraw/", views.item_withdraw, name="item_withdraw"),
    path("c/<slug:slug>/items/<int:pk>/model/", views.item_model_mark, name="item_model_mark"),
    path("c/<slug:slug>/attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
]
