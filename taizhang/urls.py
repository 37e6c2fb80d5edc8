from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    # Browsers ask for /favicon.ico whatever the page says; the icon itself is a static file.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.ico"), permanent=True), name="favicon"),
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
    path("", include("taizhang.study.urls")),
    path("", include("taizhang.campaigns.urls")),
]
