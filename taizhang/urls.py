from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("taizhang.orgs.urls")),
    path("", include("taizhang.ledger.urls")),
    path("", include("taizhang.sheets.urls")),
    path("", include("taizhang.reporting.urls")),
    path("", include("taizhang.notices.urls")),
    path("", include("taizhang.dashboards.urls")),
    path("", include("taizhang.supervision.urls")),
    path("", include("taizhang.people.urls")),
    path("", include("taizhang.bulletins.urls")),
    path("", include("taizhang.campaigns.urls")),
]
