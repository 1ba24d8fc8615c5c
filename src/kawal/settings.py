"""Kawal Anak settings.

Every value that differs between machines is read from the environment here
and nowhere else. Three environments exist (``KAWAL_ENV``):

- ``demo``: a single machine with synthetic data; SQLite by default; a secret
  key is generated once into ``var/``; demo accounts may skip the second factor.
- ``test``: the test suite; fast password hashing is *not* used so that the
  real Argon2 path is what the tests exercise.
- ``production``: refuses to start without ``SECRET_KEY``, ``ALLOWED_HOSTS``
  and ``DATABASE_URL``; HTTPS-only cookies and HSTS.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("KAWAL_HOME", BASE_DIR.parent.parent)).resolve()
VAR_DIR = Path(os.environ.get("KAWAL_VAR_DIR", PROJECT_DIR / "var")).resolve()

KAWAL_ENV = os.environ.get("KAWAL_ENV", "demo").strip().lower()
if KAWAL_ENV not in {"demo", "production", "test"}:
    raise ImproperlyConfigured(f"KAWAL_ENV must be demo, production or test, not {KAWAL_ENV!r}")
PRODUCTION = KAWAL_ENV == "production"
DEMO_MODE = KAWAL_ENV == "demo"
TESTING = KAWAL_ENV == "test"


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _demo_secret_key() -> str:
    """Generate the demo key once so sessions survive a restart of the demo server."""
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when KAWAL_ENV=production")
    SECRET_KEY = "test-only-not-secret" * 3 if TESTING else _demo_secret_key()

DEBUG = os.environ.get("KAWAL_DEBUG", "") == "1" and not PRODUCTION

ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when KAWAL_ENV=production")
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS")

# Number of reverse proxies in front of the app whose X-Forwarded-For may be
# trusted. Zero means the TCP peer is the client, so a forged header is ignored.
KAWAL_TRUSTED_PROXY_COUNT = int(os.environ.get("KAWAL_TRUSTED_PROXY_COUNT", "0"))

# --- Cache --------------------------------------------------------------------
# The public form's hourly limit is counted in the cache, so every worker
# process must share it: production needs Redis. Elsewhere a per-process
# memory cache is enough (one demo server, one test run).
KAWAL_CACHE_URL = os.environ.get("KAWAL_CACHE_URL", "").strip()
if KAWAL_CACHE_URL:
    if not KAWAL_CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("KAWAL_CACHE_URL must be a redis://, rediss:// or unix:// URL")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": KAWAL_CACHE_URL,
            "KEY_PREFIX": "kawal",
        }
    }
elif PRODUCTION:
    raise ImproperlyConfigured(
        "KAWAL_CACHE_URL must name a Redis server when KAWAL_ENV=production "
        "(rate limits must hold across worker processes)"
    )
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

INSTALLED_APPS = [
    "kawal.web",  # first, so its templates override those of contrib apps
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "kawal.core",
    "kawal.access",
    "kawal.regions",
    "kawal.accounts",
    "kawal.notify",
    "kawal.people",
    "kawal.cases",
    "kawal.identity",
    "kawal.outreach",
    "kawal.reports",
    "kawal.hotspots",
    "kawal.assessments",
    "kawal.care",
    "kawal.shelters",
    "kawal.families",
    "kawal.institutions",
    "kawal.placement",
    "kawal.monitoring",
    "kawal.schooling",
    "kawal.funding",
    "kawal.reminders",
    "kawal.figures",
    "kawal.publication",
    "kawal.exports",
    "kawal.simfoni",
    "kawal.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kawal.core.middleware.RequestIdMiddleware",
    "kawal.core.middleware.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kawal.web.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "kawal.accounts.middleware.SessionLifetimeMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "kawal.accounts.middleware.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kawal.core.middleware.NoStoreMiddleware",
    "kawal.access.middleware.AccessLogFailClosedMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kawal.urls"
WSGI_APPLICATION = "kawal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kawal.web.context_processors.shell",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
_default_sqlite = f"sqlite:///{VAR_DIR / 'kawal.sqlite3'}"
if PRODUCTION and not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured("DATABASE_URL must be set when KAWAL_ENV=production")
if not os.environ.get("DATABASE_URL"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _default_sqlite),
        conn_max_age=int(os.environ.get("KAWAL_DB_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the demo's web process and a command share the file.
    # IMMEDIATE takes the write lock when a transaction starts: two deferred
    # transactions that both read and then write deadlock, and SQLite answers
    # one of them "database is locked" at once instead of letting it wait.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;",
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The case scoping rule's OR EXISTS subplans inflate cost estimates past
    # jit_above_cost, and compiling them then costs far more than the query
    # (docs/statistics.md); short OLTP queries run best without JIT.
    # The suite only: a commit returns before its WAL reaches the disk. A
    # crash of the server loses the last commits, which a throwaway test
    # database can afford; the suite commits often (migrations, browser and
    # concurrency tests), and each commit waited for a disk flush.
    options = "-c jit=off -c synchronous_commit=off" if TESTING else "-c jit=off"
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = options
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication ---------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "kawal.accounts.passwords.ContextWordValidator"},
    {"NAME": "kawal.accounts.passwords.MaximumLengthValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Set-password links sent to new accounts stay valid for three days.
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600

# Lockout: keyed on username and address together, so an attacker cannot lock
# a colleague out from another address, and a forged header changes nothing.
AXES_ENABLED = True
AXES_FAILURE_LIMIT = int(os.environ.get("KAWAL_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "kawal.core.net.client_ip"
AXES_LOCKOUT_CALLABLE = "kawal.accounts.views.lockout_response"
AXES_VERBOSE = False
# Password spraying tries one password on many usernames from one address, which
# the per-username lockout never sees: failures are also counted per address
# (an IPv6 /64) across usernames. High enough for an office behind one NAT.
KAWAL_LOGIN_ADDRESS_FAILURES = int(os.environ.get("KAWAL_LOGIN_ADDRESS_FAILURES", "30"))

OTP_TOTP_ISSUER = "Kawal Anak"
# Second factor: demo accounts may skip it, but only in demo mode.
KAWAL_DEMO_SKIPS_SECOND_FACTOR = DEMO_MODE

# --- Sessions ---------------------------------------------------------------
SESSION_ENGINE = "django.contrib.sessions.backends.db"
KAWAL_SESSION_IDLE_SECONDS = 30 * 60
KAWAL_SESSION_ABSOLUTE_SECONDS = 12 * 3600
SESSION_COOKIE_AGE = KAWAL_SESSION_ABSOLUTE_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "kawal.web.views.csrf_failure"

# --- Security headers -------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- Hotspot map ----------------------------------------------------------------
# Map tiles, e.g. https://tiles.example.go.id/{z}/{x}/{y}.png; empty = no tiles
# (points and circles on a plain background). The tile host is added to img-src.
KAWAL_MAP_TILES_URL = os.environ.get("KAWAL_MAP_TILES_URL", "").strip()
KAWAL_MAP_TILES_ATTRIBUTION = os.environ.get("KAWAL_MAP_TILES_ATTRIBUTION", "").strip()
if KAWAL_MAP_TILES_URL:
    _tiles = urlsplit(KAWAL_MAP_TILES_URL.replace("{s}.", "a."))
    if _tiles.scheme not in ({"https"} if PRODUCTION else {"https", "http"}) or not _tiles.netloc:
        raise ImproperlyConfigured("KAWAL_MAP_TILES_URL must be an https:// URL with a host")
    _tiles_host = KAWAL_MAP_TILES_URL.split("/")[2].replace("{s}.", "*.")
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(f"{_tiles.scheme}://{_tiles_host}")
if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("KAWAL_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = 365 * 24 * 3600
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    if KAWAL_TRUSTED_PROXY_COUNT:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Makassar")
FORMAT_MODULE_PATH = ["kawal.formats"]
LANGUAGE_COOKIE_NAME = "kawal_language"
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static files -----------------------------------------------------------
STATIC_URL = "/static/"
# collectstatic writes here in production; elsewhere files are served from the apps.
STATIC_ROOT = (
    Path(os.environ.get("KAWAL_STATIC_ROOT", VAR_DIR / "static"))
    if PRODUCTION or os.environ.get("KAWAL_STATIC_ROOT")
    else None
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production the demo and the tests serve static files straight from
# the apps, so no collectstatic step is needed on a fresh clone.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = False

# --- Email ------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "KAWAL_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "0") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "kawal-anak@localhost")
# Absolute address put in emailed links (set-password); the request host is
# never trusted for this.
KAWAL_BASE_URL = os.environ.get("KAWAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Case files -------------------------------------------------------------
# Attachments live outside the web root and are only served through a view
# that checks access.
KAWAL_PRIVATE_MEDIA_ROOT = Path(os.environ.get("KAWAL_PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))
KAWAL_ATTACHMENT_MAX_MB = int(os.environ.get("KAWAL_ATTACHMENT_MAX_MB", "10"))
DATA_UPLOAD_MAX_MEMORY_SIZE = (KAWAL_ATTACHMENT_MAX_MB + 1) * 1024 * 1024
# A whole request body, files included, above this is refused before it is
# read (413): nobody may make the server spool gigabytes to disk. The proxy in
# front should refuse the same (e.g. nginx client_max_body_size).
KAWAL_MAX_REQUEST_BYTES = (KAWAL_ATTACHMENT_MAX_MB + 2) * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Public reports ------------------------------------------------------------
# Reports from the public need no account: limit how often one address may send
# (counted in the cache under a daily-salted hash, never stored with a report).
KAWAL_REPORT_RATE_PER_HOUR = int(os.environ.get("KAWAL_REPORT_RATE_PER_HOUR", "5"))
# Tracking-code look-ups, counted apart so checking a status never blocks a report.
KAWAL_TRACK_RATE_PER_HOUR = int(os.environ.get("KAWAL_TRACK_RATE_PER_HOUR", "20"))
# Identity checks one user may run from outreach capture forms per hour. A team
# finds a few dozen children on a busy night; far more from one account is
# someone testing names against the registry.
KAWAL_CAPTURE_CHECK_RATE_PER_HOUR = int(os.environ.get("KAWAL_CAPTURE_CHECK_RATE_PER_HOUR", "60"))
KAWAL_REPORT_PHOTO_MAX_MB = int(os.environ.get("KAWAL_REPORT_PHOTO_MAX_MB", "5"))
# Case numbers: {year} and {seq} are filled in, e.g. KWL/2026/000123.
KAWAL_CASE_NUMBER_FORMAT = os.environ.get("KAWAL_CASE_NUMBER_FORMAT", "KWL/{year}/{seq:06d}")
KAWAL_BREAK_GLASS_HOURS = 4
# A shelter stay longer than this is marked on the board and the case manager
# gets a task (docs/care.md).
KAWAL_SHELTER_STAY_LIMIT_DAYS = int(os.environ.get("KAWAL_SHELTER_STAY_LIMIT_DAYS", "30"))
# Reunification readiness (docs/families.md): parenting sessions attended, and
# how recent the safety/risk assessment must be; a home visit is overdue after.
KAWAL_REUNIFICATION_MIN_SESSIONS = int(os.environ.get("KAWAL_REUNIFICATION_MIN_SESSIONS", "4"))
KAWAL_REUNIFICATION_ASSESSMENT_DAYS = int(
    os.environ.get("KAWAL_REUNIFICATION_ASSESSMENT_DAYS", "30")
)
KAWAL_HOME_VISIT_OVERDUE_DAYS = int(os.environ.get("KAWAL_HOME_VISIT_OVERDUE_DAYS", "30"))

# Placement (docs/institutions.md, docs/monitoring.md, docs/schooling.md).
KAWAL_REGISTRATION_ALERT_DAYS = tuple(
    int(part)
    for part in os.environ.get("KAWAL_REGISTRATION_ALERT_DAYS", "60,30,7").split(",")
    if part.strip()
)
KAWAL_ROSTER_BACKDATE_DAYS = int(os.environ.get("KAWAL_ROSTER_BACKDATE_DAYS", "3"))
KAWAL_PLACEMENT_REVIEW_MONTHS = int(os.environ.get("KAWAL_PLACEMENT_REVIEW_MONTHS", "6"))
KAWAL_PLACEMENT_REVIEW_LEAD_DAYS = int(os.environ.get("KAWAL_PLACEMENT_REVIEW_LEAD_DAYS", "14"))
KAWAL_AFTERCARE_LEAD_DAYS = int(os.environ.get("KAWAL_AFTERCARE_LEAD_DAYS", "7"))
KAWAL_SCHOOL_ATTENDANCE_MIN = float(os.environ.get("KAWAL_SCHOOL_ATTENDANCE_MIN", "0.8"))
KAWAL_SCHOOL_FOLLOW_UP_DAY = int(os.environ.get("KAWAL_SCHOOL_FOLLOW_UP_DAY", "5"))
# Funding (docs/funding.md).
KAWAL_FUNDING_RATE_MAX = int(os.environ.get("KAWAL_FUNDING_RATE_MAX", "50000000"))
KAWAL_FUNDING_CORRECTION_MONTHS = int(os.environ.get("KAWAL_FUNDING_CORRECTION_MONTHS", "12"))

# Figures, exports and notifications (docs/statistics.md, docs/exports.md,
# docs/notifications.md).
# A public (or hidden-case) count below this is suppressed, with complementary cells.
KAWAL_SUPPRESSION_MIN = int(os.environ.get("KAWAL_SUPPRESSION_MIN", "5"))
# An export of more children than this waits for a supervisor's approval.
KAWAL_EXPORT_APPROVAL_CHILDREN = int(os.environ.get("KAWAL_EXPORT_APPROVAL_CHILDREN", "25"))
# Exported files are deleted and refused this many hours after they were made.
KAWAL_EXPORT_TTL_HOURS = int(os.environ.get("KAWAL_EXPORT_TTL_HOURS", "24"))
# Export requests, downloads and case summary PDFs one user may make per hour.
KAWAL_EXPORT_RATE_PER_HOUR = int(os.environ.get("KAWAL_EXPORT_RATE_PER_HOUR", "30"))
# Local hour after which `kawal run_reminders` sends the daily e-mail digests.
KAWAL_DIGEST_HOUR = int(os.environ.get("KAWAL_DIGEST_HOUR", "7"))

# --- Identity matching (docs/identity.md) -------------------------------------------
# Birth dates clerks write when only the year is known ("DD-MM", or "DD" for that day of
# any month): such a date counts as "year known" unless it was taken from a document.
KAWAL_PLACEHOLDER_BIRTH_DAYS = [
    day.strip()
    for day in os.environ.get("KAWAL_PLACEHOLDER_BIRTH_DAYS", "01-01,01-07,31-12,15").split(",")
    if day.strip()
]
# The reviewers' decisions re-estimate the matching model once at least this many exist.
KAWAL_MATCH_MIN_LABELS = int(os.environ.get("KAWAL_MATCH_MIN_LABELS", "100"))

# --- Background work (docs/reminders.md) -----------------------------------------
# Django's Tasks API (the django-tasks backport). One machine: the database
# backend, worked by `kawal db_worker`. Several servers: point
# KAWAL_TASKS_BACKEND at a shared backend (e.g. a Redis-backed one) instead.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("KAWAL_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- Demo -------------------------------------------------------------------
KAWAL_DEMO_PASSWORD = os.environ.get("KAWAL_DEMO_PASSWORD", "kawal-demo")

# --- Logging ----------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KAWAL_LOG_LEVEL", "INFO")},
    "loggers": {
        # Axes logs usernames of failed attempts; our own audit table keeps those.
        "axes": {"level": "WARNING"},
        # WeasyPrint narrates every PDF step at INFO; only problems matter.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
