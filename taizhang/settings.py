"""Settings for taizhang, read from environment variables through typed helpers.

Unset, everything falls back to SQLite in ``var/`` with the production protections on (fail closed:
``SECRET_KEY`` and ``ALLOWED_HOSTS`` must then be given). ``DEBUG=1`` is the development set-up;
``make run``, ``make test`` and the other make targets set it, as does the test runner
(``taizhang/testing/devenv.py``).
"""

import datetime
import ipaddress
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TAIZHANG_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in env_str(name, default).split(",") if part.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError(
            "SECRET_KEY must be set when DEBUG is off (the default); for development set DEBUG=1, as make run does"
        )
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_NAME = env_str("SITE_NAME", "台账")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huey.contrib.djhuey",
    "taizhang.history",
    "taizhang.orgs",
    "taizhang.campaigns",
    "taizhang.audit",
    "taizhang.ledger",
    "taizhang.sheets",
    "taizhang.reporting",
    "taizhang.notices",
    "taizhang.dashboards",
    "taizhang.supervision",
    "taizhang.meetings",
    "taizhang.people",
    "taizhang.study",
    "taizhang.acceptance",
    "axes",
    "taizhang.bulletins",
    "taizhang.inspections",
    "taizhang.assessment",
    "ninja",  # its templates and bundled Swagger UI (served from our static files, no CDN)
    "taizhang.api",
    "taizhang.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "taizhang.lib.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: the audit log names who asked (taizhang/audit/log.py).
    "taizhang.audit.log.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
    # Last, so it sees the parsed form and the resolved path (taizhang/lib/input_guard.py).
    "taizhang.lib.input_guard.InputGuardMiddleware",
]
if env_str("DATABASE_REPLICA_URL"):
    # Before the session middleware, whose session read should come from the replica on a GET too.
    MIDDLEWARE.insert(1, "taizhang.lib.dbrouter.ReplicaMiddleware")

if not DEBUG:
    # Production serves its own static files (no CDN, no separate web server needed).
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "taizhang.urls"
WSGI_APPLICATION = "taizhang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "taizhang" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "taizhang.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        # Persistent connections: opening a PostgreSQL connection per request costs more than most pages' queries.
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# The production topology (docs/deploy.md, `make cluster`): a streaming read replica that read-only requests
# use (taizhang/lib/dbrouter.py), and PgBouncer in transaction mode in front of both.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
    )
    # Tests (and a test run against the cluster) see the primary through the replica's alias.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["taizhang.lib.dbrouter.ReplicaRouter"]
DB_READ_YOUR_WRITES_SECONDS = env_int("DB_READ_YOUR_WRITES_SECONDS", 10)
DB_REPLICA_RETRY_SECONDS = env_int("DB_REPLICA_RETRY_SECONDS", 5)
DB_REPLICA_MAX_LAG_SECONDS = env_int("DB_REPLICA_MAX_LAG_SECONDS", 30)
if env_bool("DB_PGBOUNCER", False):
    for _alias in DATABASES:
        # Transaction pooling hands each transaction any server connection: no server-side cursors (they live
        # across transactions) and no prepared statements (PgBouncer 1.18 does not track them).
        DATABASES[_alias]["DISABLE_SERVER_SIDE_CURSORS"] = True
        DATABASES[_alias].setdefault("OPTIONS", {})["prepare_threshold"] = None

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the Huey worker writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                # Reads through the OS page cache: each request opens a fresh connection with a cold cache.
                "PRAGMA mmap_size=1073741824; PRAGMA cache_size=-32000; PRAGMA temp_store=MEMORY;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "orgs.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "campaigns:home"
LOGOUT_REDIRECT_URL = "login"

# Local accounts: at least 10 characters, not like the user's name, not a common or all-digit password.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes): AxesStandaloneBackend first, so every authenticate() that
# passes the request is counted. An account is locked after AXES_FAILURE_LIMIT wrong passwords,
# and so is an address (two separate counters: guessing many accounts from one address, or one
# account from many addresses, both stop), for AXES_COOLOFF_MINUTES; the office unlocks earlier
# at /accounts/locked/. Attempts and logins are kept (AccessAttempt, AccessLog).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "taizhang.orgs.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "taizhang.lib.client.client_address"
AXES_VERBOSE = False

# Sign-on with the organisation's accounts (taizhang/signon/conf.py reads LDAP_*, OIDC_*, OTP_*): LDAP / AD and
# OIDC each on when named, beside local accounts; TOTP for local accounts, required for the office if OTP_REQUIRED_FOR_OFFICE.
from taizhang.signon.conf import signon_settings  # noqa: E402

globals().update(signon_settings(env_str))
AUTHENTICATION_BACKENDS += SIGNON_BACKENDS  # noqa: F821 (set just above)
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "taizhang.signon"]
_auth = MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
MIDDLEWARE[_auth:_auth] = ["django_otp.middleware.OTPMiddleware", "taizhang.signon.otp.SecondFactorMiddleware"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["taizhang.lib.formats"]  # ISO values first in date inputs (lib/formats)
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Behind nginx: after the permission check, a file is sent by nginx from MEDIA_ROOT through this internal
# location (X-Accel-Redirect) instead of streaming through a Python worker. Empty: the app sends the bytes.
MEDIA_X_ACCEL_PREFIX = env_str("MEDIA_X_ACCEL_PREFIX")
STORAGES = {
    # Every stored file gets a random name with the extension of what its bytes are (lib/media.py).
    "default": {"BACKEND": "taizhang.lib.media.MediaStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Uploads: attachments are capped per file; requests as a whole too.
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# Background work: Huey on SQLite by default, Redis when REDIS_URL is set.
REDIS_URL = env_str("REDIS_URL")
HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", False)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": env_str("HUEY_NAME", "taizhang"),
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "utc": False,
        "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "taizhang",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "utc": False,
        "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"},
    }

# A cache shared by every process: rate limits (the public form, ratings) hold across workers and
# restarts. The database cache (table made by a migration) by default; Redis when REDIS_URL is set.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "taizhang_cache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

# Reverse proxies whose X-Forwarded-For is believed (comma-separated addresses or CIDRs; none by
# default). taizhang.lib.client.client_address is the one reader of the client's address.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    ipaddress.ip_network(_proxy, strict=False)  # a typo stops the start, not every request

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "taizhang@localhost")
# Where people reach the site, for links in emails and group-robot messages (no request to build them from).
SITE_URL = env_str("SITE_URL", "")

SESSION_COOKIE_AGE = 60 * 60 * 12
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Load balancers ask each node directly over plain HTTP on the private side.
    SECURE_REDIRECT_EXEMPT = [r"^healthz/"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Intranet host names never go on the browsers' public preload list.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (taizhang/lib/csp.py, our own middleware): every script and style from our own
# origin, none inline, no eval, no plugins, never framed. Style *attributes* stay allowed (progress bars
# are drawn with style="width: N%"); <style> elements and inline or injected scripts are refused.
# Files and anything that is not a page get "sandbox; default-src 'none'" instead (lib/media.py).
CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "style-src-attr": ["'unsafe-inline'"],
    "img-src": ["'self'", "data:"],  # Bootstrap draws its select arrows and toggler as data: SVG
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Under these addresses errors answer as RFC 9457 problem+json, not as pages (lib/input_guard.py).
PROBLEM_JSON_PATHS = ("/api/v1/",)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# One handler, at the root: Django's own loggers propagate to it instead of printing a second copy
# through their default console handler; refused requests (403/404) log a line without a traceback.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"quiet_client_errors": {"()": "taizhang.lib.logs.QuietClientErrors"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["quiet_client_errors"]}
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "level": env_str("LOG_LEVEL", "INFO"), "propagate": True},
        "django.server": {"handlers": [], "propagate": True},
        # axes logs every login at INFO; its records are in AccessAttempt and AccessLog.
        "axes": {"level": env_str("AXES_LOG_LEVEL", "WARNING")},
    },
}

ITEMS_PER_PAGE = 50
