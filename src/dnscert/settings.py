"""Django settings, read from the environment (see ``.env.example`` for every variable).

With no environment at all the platform runs embedded: SQLite in ``var/``, jobs in-process,
e-mail printed to the console. ``DATABASE_URL`` switches to PostgreSQL and
``DNSCERT_BROKER_URL`` to Celery workers over Redis.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from dnscert.core.http_client import parse_trusted_proxies
from dnscert.env import ConfigError, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(env_str("DNSCERT_VAR_DIR", str(BASE_DIR.parent.parent / "var"))).resolve()

DEBUG = env_bool("DNSCERT_DEBUG", False)
SECRET_KEY = env_str("DNSCERT_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and env_bool("DNSCERT_REQUIRE_SECRET_KEY", False):
        raise ConfigError("DNSCERT_SECRET_KEY", "must be set in production")
    SECRET_KEY = "insecure-development-key-set-DNSCERT_SECRET_KEY-in-production"

ALLOWED_HOSTS = env_list("DNSCERT_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DNSCERT_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("DNSCERT_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env_str("DNSCERT_SITE_NAME", "dnscert")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "dnscert.core",
    "dnscert.delivery",
    "dnscert.directory",
    "dnscert.directory.oncall",
    "dnscert.directory.drills",
    "dnscert.dnshealth",
    "dnscert.intel",
    "dnscert.intel.patterns",
    "dnscert.incidents",
    "dnscert.incidents.intake",
    "dnscert.insight",
    "dnscert.vulns",
    "dnscert.advisories",
    "dnscert.advisories.warnings",
    "dnscert.sharing",
    "dnscert.exercises",
    "dnscert.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "dnscert.core.middleware.RequireMFAMiddleware",
    "dnscert.core.middleware.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "dnscert.urls"
WSGI_APPLICATION = "dnscert.wsgi.application"
ASGI_APPLICATION = "dnscert.asgi.application"

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
                "dnscert.web.context_processors.platform",
            ],
        },
    }
]

_database_url = env_str("DATABASE_URL", "")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("DNSCERT_SQLITE_PATH", str(VAR_DIR / "dnscert.sqlite3")),
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "public-home"
OTP_TOTP_ISSUER = SITE_NAME
# Staff and responders must pass a TOTP check; set false only for a throwaway local demo.
DNSCERT_REQUIRE_MFA = env_bool("DNSCERT_REQUIRE_MFA", True)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("DNSCERT_TIME_ZONE", "UTC")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = Path(env_str("DNSCERT_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

EMAIL_BACKEND = env_str("DNSCERT_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env_str("DNSCERT_EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("DNSCERT_EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("DNSCERT_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("DNSCERT_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("DNSCERT_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DNSCERT_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DNSCERT_FROM_EMAIL", "dnscert <cert@dnscert.example>")

SESSION_COOKIE_SECURE = env_bool("DNSCERT_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True

# Jobs: in-process unless a broker is configured (see dnscert.core.jobs).
DNSCERT_BROKER_URL = env_str("DNSCERT_BROKER_URL", "")
CELERY_BROKER_URL = DNSCERT_BROKER_URL or "memory://"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "dnscert"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "dnscert.celery:RegistryScheduler"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Threads of the in-process worker started by ``dnscert serve`` and ``dnscert runjobs``.
DNSCERT_INPROCESS_WORKERS = env_int("DNSCERT_INPROCESS_WORKERS", 2)
# With no broker and no in-process worker in this process: run jobs synchronously in the caller
# after commit (true), or leave them queued for a separate ``dnscert runjobs`` process (false).
DNSCERT_JOBS_INLINE = env_bool("DNSCERT_JOBS_INLINE", True)
# Start the in-process job threads at the first dispatch in a process that has none (useful
# under a plain WSGI server in embedded mode; the scheduler still needs serve or runjobs).
DNSCERT_JOBS_AUTOSTART = env_bool("DNSCERT_JOBS_AUTOSTART", False)
# Base delay before retrying a job after a network error; doubles at each attempt.
DNSCERT_JOBS_RETRY_DELAY = env_int("DNSCERT_JOBS_RETRY_DELAY", 30)
DNSCERT_SCHEDULER_TICK_SECONDS = env_int("DNSCERT_SCHEDULER_TICK_SECONDS", 15)
DNSCERT_JOB_RETENTION_DAYS = env_int("DNSCERT_JOB_RETENTION_DAYS", 30)
# Proxies whose X-Forwarded-* headers ``dnscert serve`` (gunicorn) trusts.
DNSCERT_FORWARDED_ALLOW_IPS = env_list("DNSCERT_FORWARDED_ALLOW_IPS", ["127.0.0.1", "::1"])
# Reverse proxies whose X-Forwarded-For the platform believes for the client's address (rate
# limits, audit log): addresses or CIDR networks; empty trusts nobody (see core.http_client).
DNSCERT_TRUSTED_PROXIES = parse_trusted_proxies(env_list("DNSCERT_TRUSTED_PROXIES", []))

# Outbound HTTP: private and loopback targets are refused unless allowed (tests, the test bed).
DNSCERT_HTTP_ALLOW_PRIVATE = env_bool("DNSCERT_HTTP_ALLOW_PRIVATE", False)
DNSCERT_HTTP_TIMEOUT = env_int("DNSCERT_HTTP_TIMEOUT", 10)

DNSCERT_GNUPG_HOME = env_str("DNSCERT_GNUPG_HOME", str(VAR_DIR / "gnupg"))
DNSCERT_AUDIT_RETENTION_DAYS = env_int("DNSCERT_AUDIT_RETENTION_DAYS", 730)

# DNS health monitoring (dnscert.dnshealth): root hints file (empty = the IANA root servers),
# engine concurrency, RRSIG expiry horizon, days of detail kept before the daily roll-up,
# zones per batch job, and tags that never count towards a zone's status (e.g. the lab's
# loopback-address tags A01_LOCAL_USE_ADDR,A01_NO_GLOBALLY_REACHABLE_ADDR).
DNSCERT_DNS_ROOT_HINTS = env_str("DNSCERT_DNS_ROOT_HINTS", "")
DNSCERT_DNS_CONCURRENCY = env_int("DNSCERT_DNS_CONCURRENCY", 20)
# Port the engine queries nameservers on: 53 in production; a lab bed may use another.
DNSCERT_DNS_PORT = env_int("DNSCERT_DNS_PORT", 53)
DNSCERT_RRSIG_HORIZON_DAYS = env_int("DNSCERT_RRSIG_HORIZON_DAYS", 7)
DNSCERT_DNSHEALTH_DETAIL_DAYS = env_int("DNSCERT_DNSHEALTH_DETAIL_DAYS", 30)
DNSCERT_DNSHEALTH_BATCH_SIZE = env_int("DNSCERT_DNSHEALTH_BATCH_SIZE", 50)
DNSCERT_DNSHEALTH_IGNORE_TAGS = env_list("DNSCERT_DNSHEALTH_IGNORE_TAGS", [])

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "dnscert.core.api_auth.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "user": "1200/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "dnscert API",
    "DESCRIPTION": "REST API of the dnscert DNS-CERT platform. Every endpoint enforces TLP.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"HealthStatusEnum": "dnscert.dnshealth.choices.HealthStatus"},
}

LOG_LEVEL = env_str("DNSCERT_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
