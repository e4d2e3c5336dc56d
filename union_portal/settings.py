"""Settings of the union portal: one module, read from the environment.

Every value has an embedded default so that ``make run`` works on a fresh
machine (SQLite, eager Celery, console mail and SMS). Production sets
``DEBUG=false`` and the secrets; without them the process refuses to start.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import os
import sys
import warnings
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

# Off unless asked for: `make run` and the test settings (union_portal/settings_test.py) turn it on.
DEBUG = env.bool("DEBUG", default=False)

_DEV_SECRET = "dev-only-insecure-secret-key-union-portal-change-me"  # noqa: S105 - development default only
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _DEV_SECRET

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The absolute base of links that leave the page (the card's QR code). Unset: taken from each request
# (host and port as the browser reached them), so `make run PORT=8001` gives QR codes that work.
SITE_URL = env.str("SITE_URL", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "import_export",
    "simple_history",
    "treebeard",
    "union_portal.admin_apps.AxesConfig",  # django-axes with a Chinese name in the admin
    "csp",
    "django_celery_beat",
    "union_portal.core",
    "union_portal.organisations",
    "union_portal.accounts",
    "union_portal.api",
    "union_portal.webhooks",  # signed event deliveries to partner systems
    "union_portal.imports",
    "members",
    "union_portal.notifications",
    "union_portal.certificates",
    "union_portal.reports",  # report runs on Celery with their spreadsheets (issue 15)
    "assistance",
    "volunteers",  # volunteers: teams, activities, sign-ups, verified hours
    "competitions.quiz",  # knowledge quiz: daily attempts, monthly leaderboard and prizes
    "legal_aid",  # legal aid: lawyers, duty rosters, consultations, labour-dispute cases
    "competitions",  # contests and honours (competitions/)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    *([] if DEBUG else ["whitenoise.middleware.WhiteNoiseMiddleware"]),  # runserver serves static in DEBUG
    "union_portal.core.keycheck.KeyCheckMiddleware",  # security (issue 18.8): 503 under a wrong key
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "union_portal.api.middleware.APICallLogMiddleware",
]

ROOT_URLCONF = "union_portal.urls"
WSGI_APPLICATION = "union_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- database -------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # A new PostgreSQL connection per request costs about 7x (docs/pitfalls.md). Django's backend with
    # the health check of a persistent connection made only after it sat idle (its docstring).
    DATABASES["default"]["ENGINE"] = "union_portal.core.postgresql"
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
#: Seconds a persistent connection may sit idle and still be used without a health check (0: check it
#: at every request).
CONN_HEALTH_CHECK_AFTER_IDLE = env.float("CONN_HEALTH_CHECK_AFTER_IDLE", default=5.0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- users and login --------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # must come first (docs/pitfalls.md)
    "union_portal.accounts.backends.MobileOrUsernameBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:login"

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)  # hours
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_USERNAME_CALLABLE = "union_portal.accounts.backends.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
PROXY_COUNT = env.int("PROXY_COUNT", default=0)  # trusted reverse proxies in front of the app
AXES_CLIENT_IP_CALLABLE = "union_portal.core.clientip.client_ip"  # forged X-Forwarded-For cannot dodge it
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=60 * 60 * 2)
SESSION_SAVE_EVERY_REQUEST = True  # the age above is an idle timeout
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

# --- language and time --------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static and uploaded files ---------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media/"  # nothing serves this path: uploads are served only through views that check rights
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=50 * 1024 * 1024)
FILE_UPLOAD_PERMISSIONS = 0o640


# --- encryption of personal data -----------------------------------------------
def _starts_a_server(argv: list[str], environ) -> bool:
    """Whether this process serves or works (and should warn about development keys once per start).

    ``runserver`` starts twice: a watcher that reloads on changes, then the server (``RUN_MAIN``);
    only the server warns. One-off commands (``migrate``, ``seed_demo``, ``shell``) stay quiet;
    gunicorn, Celery and other entry points warn.
    """
    program = os.path.basename(argv[0]) if argv else ""
    if program not in ("manage.py", "django-admin", "django-admin.py", "__main__.py"):
        return True
    command = argv[1] if len(argv) > 1 else ""
    if command == "runserver":
        return environ.get("RUN_MAIN") == "true" or "--noreload" in argv
    return False


def _derived_dev_key(purpose: str) -> str:
    digest = hashlib.sha256(f"{SECRET_KEY}:{purpose}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEY", default=[])
BLIND_INDEX_KEY = env.str("BLIND_INDEX_KEY", default="")
if not FIELD_ENCRYPTION_KEYS or not BLIND_INDEX_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY and BLIND_INDEX_KEY must be set when DEBUG is off.")
    if _starts_a_server(sys.argv, os.environ):
        warnings.warn(
            "FIELD_ENCRYPTION_KEY / BLIND_INDEX_KEY are not set: using development keys derived from "
            "SECRET_KEY. Never use them for real personal data.",
            stacklevel=1,
        )
    FIELD_ENCRYPTION_KEYS = FIELD_ENCRYPTION_KEYS or [_derived_dev_key("field-encryption")]
    BLIND_INDEX_KEY = BLIND_INDEX_KEY or _derived_dev_key("blind-index")

# --- security headers -------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]  # the container health check speaks plain HTTP
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if PROXY_COUNT:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'", "'unsafe-inline'"],  # the Django admin uses inline styles
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- REST API ---------------------------------------------------------------------------
# Webhooks (union_portal/webhooks, docs/partner-api.md): one attempt's timeout, how long a delivery is
# retried, the first wait and the longest wait between attempts; plain http:// endpoints only in development.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_RETRY_HOURS = env.int("WEBHOOK_RETRY_HOURS", default=24)
WEBHOOK_BACKOFF_SECONDS = env.int("WEBHOOK_BACKOFF_SECONDS", default=60)
WEBHOOK_BACKOFF_MAX_SECONDS = env.int("WEBHOOK_BACKOFF_MAX_SECONDS", default=3600)
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=DEBUG)
#: Endpoints on loopback, private or link-local addresses (a partner subscribing through the API could
#: otherwise point the portal at its own network): refused unless this is on (development, tests).
WEBHOOK_ALLOW_PRIVATE_HOSTS = env.bool("WEBHOOK_ALLOW_PRIVATE_HOSTS", default=DEBUG)
# Hours the first answer to a request with an Idempotency-Key is replayed to retries (then dropped by beat).
IDEMPOTENCY_KEY_HOURS = env.int("IDEMPOTENCY_KEY_HOURS", default=24)
# Hours an API key keeps working after it was rotated, so that the partner can switch to the new one.
API_KEY_ROTATION_OVERLAP_HOURS = env.int("API_KEY_ROTATION_OVERLAP_HOURS", default=24)
#: Partner calls are logged in batches of this many rows (union_portal/api/calllog.py); 1 writes each
#: call as it ends (the default with DEBUG, so that development and tests see every call at once).
API_CALL_LOG_BATCH = env.int("API_CALL_LOG_BATCH", default=1 if DEBUG else 100)
#: Without Redis, a process writes its buffered calls at the latest this many seconds after the first.
API_CALL_LOG_FLUSH_SECONDS = env.int("API_CALL_LOG_FLUSH_SECONDS", default=10)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "union_portal.api.authentication.APIKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["union_portal.api.permissions.ScopedModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": [
        "union_portal.api.filters.FilterBackend",  # typed query parameters held to their types
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],  # the API takes JSON only (no uploads)
    "DEFAULT_PAGINATION_CLASS": "union_portal.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "union_portal.api.schema.AutoSchema",  # documents the 400s of pages and filters
    "EXCEPTION_HANDLER": "union_portal.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "union_portal.api.throttles.APIKeyRateThrottle",
        "union_portal.api.throttles.UserRateThrottle",  # calls without a key
        "rest_framework.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api_key": env.str("API_KEY_RATE", default="6000/hour"),
        "user": env.str("API_USER_RATE", default="3000/hour"),
        "anon": env.str("API_ANON_RATE", default="120/hour"),
        "card_verify": env.str("CARD_VERIFY_RATE", default="600/hour"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "NUM_PROXIES": PROXY_COUNT,  # throttles read the client address as clientip.client_ip does
}
if not DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] = ["rest_framework.renderers.JSONRenderer"]
SPECTACULAR_SETTINGS = {
    "TITLE": "Union portal API",
    "DESCRIPTION": "Organisations, enterprises, members and membership applications of a district union federation.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "MemberStatusEnum": "members.models.MemberStatus",  # "status" has other choice sets (ending a membership)
        "AidKindEnum": "assistance.models.AidKind",  # "kind" and "status" are also names of members' choices
        "AidStateEnum": "assistance.models.State",
        "HardshipFileStatusEnum": "assistance.models.FileStatus",
        "CaseStageEnum": "legal_aid.models.cases.Stage",  # "stage", "to_stage" and "from_stage" name one set
        "PartnerOfficeEnum": "legal_aid.models.cases.PartnerOffice",
        "HonourLevelEnum": "competitions.models.Level",  # contests and titles; "level" is also hardship's
        "HardshipLevelEnum": "assistance.models.HardshipLevel",
        "ValidationErrorEnum": "drf_standardized_errors.openapi_serializers.ValidationErrorEnum.choices",
        "ClientErrorEnum": "drf_standardized_errors.openapi_serializers.ClientErrorEnum.choices",
        "ServerErrorEnum": "drf_standardized_errors.openapi_serializers.ServerErrorEnum.choices",
        "ErrorCode401Enum": "drf_standardized_errors.openapi_serializers.ErrorCode401Enum.choices",
        "ErrorCode403Enum": "drf_standardized_errors.openapi_serializers.ErrorCode403Enum.choices",
        "ErrorCode404Enum": "drf_standardized_errors.openapi_serializers.ErrorCode404Enum.choices",
        "ErrorCode405Enum": "drf_standardized_errors.openapi_serializers.ErrorCode405Enum.choices",
        "ErrorCode406Enum": "drf_standardized_errors.openapi_serializers.ErrorCode406Enum.choices",
        "ErrorCode415Enum": "drf_standardized_errors.openapi_serializers.ErrorCode415Enum.choices",
        "ErrorCode429Enum": "drf_standardized_errors.openapi_serializers.ErrorCode429Enum.choices",
        "ErrorCode500Enum": "drf_standardized_errors.openapi_serializers.ErrorCode500Enum.choices",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
        "union_portal.api.schema.postprocess_error_attrs",  # list items' errors as the answers name them
    ],
}
DRF_STANDARDIZED_ERRORS = {
    "ENABLE_IN_DEBUG_FOR_UNHANDLED_EXCEPTIONS": False,
    "EXCEPTION_HANDLER_CLASS": "union_portal.api.errors.ExceptionHandler",  # ApplicationError -> JSON
}

# --- cache, Celery ------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The in-memory broker of the embedded default names its host: kombu warns "No hostname was supplied"
# each time eager tasks open a connection without one.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE  # a crontab is read in this zone, not UTC (docs/pitfalls.md)
CELERY_TASK_ACKS_LATE = True  # a task is acknowledged after it ran ...
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # ... and requeued if the worker died under it
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=60 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
# Longer than the longest task and any ETA, or Redis redelivers it (docs/pitfalls.md).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT * 3}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- reports (union_portal/reports) ---
REPORT_MAX_DAYS = env.int("REPORT_MAX_DAYS", default=3 * 366)  # the longest period one report may cover

# --- mail and SMS --------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@union-portal.local")
# SMTP (EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend); the console default needs none of it.
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

SMS_BACKEND = env.str("SMS_BACKEND", default="console")  # console, locmem, http, dotted path
SMS_API_URL = env.str("SMS_API_URL", default="")
SMS_API_KEY = env.str("SMS_API_KEY", default="")
SMS_SIGN_NAME = env.str("SMS_SIGN_NAME", default="三水区总工会")
SMS_TIMEOUT = env.float("SMS_TIMEOUT", default=10.0)
SMS_MAX_LENGTH = env.int("SMS_MAX_LENGTH", default=300)
SMS_ENABLED = env.bool("SMS_ENABLED", default=True)
# Security (issue 18.3, 9.5, 9.6): caps on SMS codes (activation, password reset, any later code),
# counted per mobile typed and per client address whether or not a code is sent.
SMS_CODE_COOLDOWN_SECONDS = env.int("SMS_CODE_COOLDOWN_SECONDS", default=60)
SMS_CODES_PER_MOBILE_HOUR = env.int("SMS_CODES_PER_MOBILE_HOUR", default=5)
SMS_CODES_PER_MOBILE_DAY = env.int("SMS_CODES_PER_MOBILE_DAY", default=10)
SMS_CODES_PER_CLIENT_HOUR = env.int("SMS_CODES_PER_CLIENT_HOUR", default=20)
SMS_CODES_PER_CLIENT_DAY = env.int("SMS_CODES_PER_CLIENT_DAY", default=50)
# Security (issue 18.2): the public card check and the anonymous application form are throttled.
PORTAL_VERIFY_RATE_PER_MINUTE = env.int("PORTAL_VERIFY_RATE_PER_MINUTE", default=60)
PORTAL_VERIFY_TOTAL_PER_MINUTE = env.int("PORTAL_VERIFY_TOTAL_PER_MINUTE", default=600)
PORTAL_APPLY_RATE_PER_HOUR = env.int("PORTAL_APPLY_RATE_PER_HOUR", default=30)
# A delivery run that claimed an SMS and then died is taken over after this many seconds.
NOTIFICATION_SMS_CLAIM_SECONDS = env.int("NOTIFICATION_SMS_CLAIM_SECONDS", default=600)
# A failed SMS or email is retried this many times, after NOTIFICATION_RETRY_BACKOFF seconds doubled
# each time (30 s, 1, 2, 4, 8 min), then marked failed for staff to retry in the admin.
NOTIFICATION_MAX_RETRIES = env.int("NOTIFICATION_MAX_RETRIES", default=5)
NOTIFICATION_RETRY_BACKOFF = env.int("NOTIFICATION_RETRY_BACKOFF", default=30)
# Quiet hours (TIME_ZONE): no SMS from START to END except urgent ones; the others wait for END.
NOTIFICATION_QUIET_START = datetime.time.fromisoformat(env.str("NOTIFICATION_QUIET_START", default="22:00"))
NOTIFICATION_QUIET_END = datetime.time.fromisoformat(env.str("NOTIFICATION_QUIET_END", default="08:00"))

# --- hardship aid ----------------------------------------------------------------------------------
AID_DOCUMENT_MAX_BYTES = env.int("AID_DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
AID_WAITING_WORKING_DAYS = env.int("AID_WAITING_WORKING_DAYS", default=5)
AID_RECHECK_NOTICE_DAYS = env.int("AID_RECHECK_NOTICE_DAYS", default=30)

# --- legal aid (legal_aid/) ---
LEGAL_ADVISER_MAX_ENTERPRISES = env.int("LEGAL_ADVISER_MAX_ENTERPRISES", default=3)
LEGAL_MAX_SHIFTS_PER_WEEK = env.int("LEGAL_MAX_SHIFTS_PER_WEEK", default=3)
LEGAL_LIMITATION_WARNING_DAYS = env.list("LEGAL_LIMITATION_WARNING_DAYS", cast=int, default=[60, 30, 7])
LEGAL_ROSTER_SOLVER_SECONDS = env.float("LEGAL_ROSTER_SOLVER_SECONDS", default=20.0)
LEGAL_ROSTER_SOLVER_WORKERS = env.int("LEGAL_ROSTER_SOLVER_WORKERS", default=8)

# --- certificates ----------------------------------------------------------------------------------
CERTIFICATE_VERIFY_RATE_PER_MINUTE = env.int("CERTIFICATE_VERIFY_RATE_PER_MINUTE", default=60)
CERTIFICATE_VERIFY_API_RATE = env.str("CERTIFICATE_VERIFY_API_RATE", default="600/hour")

# --- staff workspace (the admin's dashboard) --------------------------------------------------------
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=900)

# --- import/export ---------------------------------------------------------------------------------
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = True
IMPORT_SYNC_MAX_ROWS = env.int("IMPORT_SYNC_MAX_ROWS", default=2000)
#: Rows of one import file at most (Excel's own limit is 1,048,576); a larger file is refused before reading.
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=1_000_000)
#: What an xlsx (a zip) may unpack to, by the sizes its archive declares; checked before unpacking.
IMPORT_MAX_UNPACKED_BYTES = env.int("IMPORT_MAX_UNPACKED_BYTES", default=10 * UPLOAD_MAX_BYTES)
#: imports: how many times its compressed size a part of an xlsx may unpack to (real sheets: 5 to 30).
IMPORT_MAX_ZIP_RATIO = env.int("IMPORT_MAX_ZIP_RATIO", default=100)
#: imports: processes that check the rows of one large file, for the kinds that allow it (members): 2 (the
#: check and a process it forks; more count as 2), 1 checks every row in the process of the check.
IMPORT_CHECK_PROCESSES = env.int("IMPORT_CHECK_PROCESSES", default=2)

# --- history -------------------------------------------------------------------------------------
SIMPLE_HISTORY_REVERT_DISABLED = True  # a revert would bypass the services' rules and events

# --- members ---------------------------------------------------------------------------------------
CARD_NUMBER_PREFIX = env.str("CARD_NUMBER_PREFIX", default="4406")
MEMBER_MIN_AGE = env.int("MEMBER_MIN_AGE", default=16)  # the legal working age, on the day of the application

# --- knowledge quiz (competitions.quiz) --------------------------------------------------------------
#: Read the monthly leaderboard from Redis sorted sets when REDIS_URL is set (the database otherwise).
QUIZ_LEADERBOARD_REDIS = env.bool("QUIZ_LEADERBOARD_REDIS", default=True)
#: The public leaderboard API's own throttle, per signed-in user or else per client address: phones
#: behind one carrier address share it at peak, so it is far above the anonymous API rate.
QUIZ_LEADERBOARD_API_RATE = env.str("QUIZ_LEADERBOARD_API_RATE", default="600/minute")
#: Seconds the public top 100 of a month is served from the cache (0: not cached).
QUIZ_LEADERBOARD_CACHE_SECONDS = env.int("QUIZ_LEADERBOARD_CACHE_SECONDS", default=10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "celery.app.trace": {"level": "WARNING"}},
}
