from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from taizhang import health
from taizhang.api.urls import api_urlpatterns


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; the icon itself is a static file.

    Resolved per request: with hashed static names the URL exists only after collectstatic.
    """
    return HttpResponsePermanentRedirect(static("favicon.ico"))


handler400 = "taizhang.lib.input_guard.bad_request"
handler404 = "taizhang.lib.input_guard.not_found"

urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("healthz/live", health.live, name="health_live"),
    path("healthz/ready", health.ready, name="health_ready"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("taizhang.orgs.urls")),
    path("", include("taizhang.signon.urls")),
    path("", include("taizhang.audit.urls")),
    path("", include("taizhang.ledger.urls")),
    path("", include("taizhang.sheets.urls")),
    path("", include("taizhang.reporting.urls")),
    path("", include("taizhang.notices.urls")),
    path("", include("taizhang.dashboards.urls")),
    path("", include("taizhang.supervision.urls")),
    path("", include("taizhang.meetings.urls")),
    path("", include("taizhang.people.urls")),
    path("", include("taizhang.acceptance.urls")),
    path("", include("taizhang.study.urls")),
    path("", include("taizhang.bulletins.urls")),
    path("", include("taizhang.inspections.urls")),
    path("", include("taizhang.assessment.urls")),
    path("", include("taizhang.api.urls")),
    *api_urlpatterns,
    path("", include("taizhang.campaigns.urls")),
]
