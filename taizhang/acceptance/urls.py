from django.urls import path

from . import views

app_name = "acceptance"

# The same paths as when these pages were in the people app, so bookmarks and printed links still work.
urlpatterns = [
    path("c/<slug:slug>/items/<int:pk>/acceptance/", views.item_accept, name="item_accept"),
    path("c/<slug:slug>/items/<int:pk>/close/", views.item_close, name="item_close"),
    path("c/<slug:slug>/items/<int:pk>/reopen/", views.item_reopen, name="item_reopen"),
    path("c/<slug:slug>/lookbacks/<int:pk>/", views.lookback_record, name="lookback_record"),
    path("c/<slug:slug>/evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
]
