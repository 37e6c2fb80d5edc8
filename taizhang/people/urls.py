from django.urls import path, re_path

from . import open311, views

app_name = "people"

urlpatterns = [
    # The public, no login.
    path("c/<slug:slug>/problems/new/", views.demand_new, name="demand_new"),
    path("c/<slug:slug>/problems/units/", views.public_unit_search, name="public_unit_search"),
    path("track/", views.track_lookup, name="track_lookup"),
    path("track/<str:code>/", views.track, name="track"),
    path("track/<str:code>/rate/<int:pk>/", views.track_rate, name="track_rate"),
    path("c/<slug:slug>/rate/<str:token>/", views.rate, name="rate"),
    path("c/<slug:slug>/rate/<str:token>/qr.svg", views.rate_qr, name="rate_qr"),
    path("c/<slug:slug>/items/<int:pk>/rating/", views.item_rating, name="item_rating"),
    path("c/<slug:slug>/public/", views.public_list, name="public_list"),
    path("c/<slug:slug>/public/<int:pk>/", views.public_item, name="public_item"),
    # Staff.
    path("c/<slug:slug>/problems/", views.demand_list, name="demand_list"),
    path("c/<slug:slug>/problems/settings/", views.people_settings, name="settings"),
    path("c/<slug:slug>/problems/api-keys/", views.api_key_new, name="api_key_new"),
    path("c/<slug:slug>/problems/api-keys/<int:pk>/active/", views.api_key_active, name="api_key_active"),
    path("c/<slug:slug>/problems/record/", views.demand_record, name="demand_record"),
    path("c/<slug:slug>/problems/upload/", views.demand_upload, name="demand_upload"),
    path("c/<slug:slug>/problems/to-item/", views.item_from_demands, name="item_from_demands"),
    path("c/<slug:slug>/problems/<int:pk>/", views.demand_detail, name="demand_detail"),
    path("c/<slug:slug>/problems/<int:pk>/photo/", views.demand_photo, name="demand_photo"),
    path(
        "c/<slug:slug>/problems/<int:pk>/<str:what>/",
        views.demand_act,
        name="demand_act",
    ),
    path("c/<slug:slug>/items/<int:pk>/publish/", views.item_publish, name="item_publish"),
    # Open311 GeoReport v2.
    re_path(r"^open311/v2/services\.(?P<fmt>\w+)$", open311.services, name="open311_services"),
    re_path(
        r"^open311/v2/services/(?P<code>[^/.]+)\.(?P<fmt>\w+)$",
        open311.service_definition,
        name="open311_service",
    ),
    re_path(r"^open311/v2/requests\.(?P<fmt>\w+)$", open311.requests_view, name="open311_requests"),
    re_path(
        r"^open311/v2/requests/(?P<request_id>[^/.]+)\.(?P<fmt>\w+)$",
        open311.request_detail,
        name="open311_request",
    ),
]
