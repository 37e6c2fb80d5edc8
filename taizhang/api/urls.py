from django.urls import path

from . import views
from .api import api

app_name = "api"

urlpatterns = [
    path("api/tokens/", views.personal_tokens, name="personal_tokens"),
    path("api/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("c/<slug:slug>/api/tokens/", views.integration_tokens, name="integration_tokens"),
]

# The API itself, under its own namespace ("api-v1"): its operations are proved by the API matrix.
api_urlpatterns = [path("api/v1/", api.urls)]
