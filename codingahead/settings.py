"""Settings for codingahead: one module, read from the environment.

A fresh checkout runs with no variables set (DEBUG on, SQLite in the project
folder). Production sets DEBUG=False, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    return os.getenv(name, default).strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    return int(os.getenv(name, str(default)))


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "True")

INSECURE_SECRET_KEY = "dev-only-insecure-secret-key"
SECRET_KEY = os.getenv("SECRET_KEY", INSECURE_SECRET_KEY if DEBUG else "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == INSECURE_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of at least 50 characters when DEBUG is False")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_ROOT = os.getenv("SITE_ROOT", "http://localhost:8000").rstrip("/")
SITE_NAME = os.getenv("SITE_NAME", "codingahead")
# The host of SITE_ROOT names the site's mail addresses unless they are set on their own.
SITE_DOMAIN = urlsplit(SITE_ROOT).hostname or "localhost"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "codes",
    "accounts",
    "casepilot",
    "jobs",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "codingahead.lib.ratelimits.RetryAfterMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.QuotaMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
]

# The benchmark server runs bench/settings.py, which adds a bare view to compare against (bench/urls.py).
ROOT_URLCONF = "codingahead.urls"
WSGI_APPLICATION = "codingahead.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "codingahead.context_processors.site",
                "codingahead.context_processors.navigation",
            ],
        },
    }
]

# Database: SQLite in the project folder unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run while an import or a metering write holds the lock.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set (shared by every web process), else the database. Two aliases:
# - "default", the ordinary cache (pages, suggestions, signed-in users): bounded, so anyone can
#   make it drop entries (the database cache culls a third of them past MAX_ENTRIES);
# - "ratelimits", rate-limit counts and allauth's login lockouts: never dropped to make room, only
#   expired by time. Redis evicts nothing unless told to (maxmemory-policy noeviction, its default):
#   keep it so, or give the page cache a Redis of its own. Without Redis, a table of its own whose
#   expired rows are deleted, and nothing else (codingahead/lib/cache.py ExpiringDatabaseCache).
REDIS_URL = os.getenv("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
        "ratelimits": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "limits",
        },
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "django_cache"},
        "ratelimits": {"BACKEND": "codingahead.lib.cache.ExpiringDatabaseCache", "LOCATION": "ratelimit_cache"},
    }
# django-ratelimit counts there; allauth, which has no such setting, is pointed there by accounts/apps.py.
RATELIMIT_USE_CACHE = "ratelimits"

# More than one web process or machine (docs/deployment.md): nothing lives in process memory.
# Sessions are rows in the database, read through Redis when there is one; a session is written
# only when it changes (SESSION_SAVE_EVERY_REQUEST stays off). Rate limits use the cache above.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db"
# Seconds a rendered code-page body or a suggestion list stays cached (codes/pagecache.py); 0 = off.
# An import replaces the data version, so nothing stale is served: this only bounds memory.
CODE_CACHE_SECONDS = envint("CODE_CACHE_SECONDS", 86400)
# A read replica for code pages and search: reads of the code-set tables go there, every write
# and everything else to the primary (codingahead/lib/routers.py).
DATABASE_REPLICA_URL = os.getenv("DATABASE_REPLICA_URL", "")
# How far the replica may lag: for this long after an import, code pages and suggestions (built from
# the replica's rows, maybe not the import's yet) are not cached (codes/pagecache.py).
REPLICA_LAG_SECONDS = envint("REPLICA_LAG_SECONDS", 60)
PAGE_CACHE_SETTLE_SECONDS = REPLICA_LAG_SECONDS if DATABASE_REPLICA_URL else 0
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=envint("CONN_MAX_AGE", 600), conn_health_checks=True
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests read the replica through the primary
    DATABASE_ROUTERS = ["codingahead.lib.routers.ReplicaRouter"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Django's and allauth's backends, reading signed-in users through the cache (accounts/backends.py).
AUTHENTICATION_BACKENDS = [
    "accounts.backends.ModelBackend",
    "accounts.backends.AuthenticationBackend",
]
LOGIN_REDIRECT_URL = "/"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_CHANGE_EMAIL = True  # one address per account: "change email" replaces it once the new one is verified
ACCOUNT_EMAIL_NOTIFICATIONS = True  # tell the owner when their password or email changes
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# allauth's rate limits, held in the shared cache (so across processes). login_failed is the
# login-attempt protection: 5 failures per address in 5 minutes lock that address out for the rest.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "confirm_email": "1/3m/key",
    "reauthenticate": "10/m/user",
}
# Personal API tokens: requests per minute per token on /api/v1/ (accounts/tokens.py).
API_TOKEN_RATE = os.getenv("API_TOKEN_RATE", "120/m")

# Every allowance of every plan, in one table (accounts/quota.py reads it; None = unlimited).
# Each entry can be set from the environment as PLAN_<PLAN>_<ALLOWANCE>, e.g. PLAN_FREE_CODE_VIEWS=10
# or PLAN_PRO_CASEPILOT_DETAIL_CODES=unlimited. A free account without a verified email has the
# guest's code_views; guests are also held to code_views_per_address_per_day per client address.
PLAN_ALLOWANCES = (
    "code_views",  # code pages a calendar month (a code already opened this month is free)
    "code_views_per_address_per_day",  # guests: code pages per client address a day
    "casepilot_questions_per_day",  # CasePilot questions a day (UTC)
    "casepilot_detail_codes",  # codes whose locked details one CasePilot answer may carry
    "consultations_per_month",  # consultations opened a calendar month
    "consult_messages_per_hour",  # consultation messages sent an hour (site and email)
    "claim_checks_per_day",  # claim checks a day (UTC); a CSV batch counts one per claim
)


def envallowance(name: str, default: int | None) -> int | None:
    value = os.getenv(name, "unlimited" if default is None else str(default)).strip().lower()
    return None if value in {"unlimited", "none", ""} else int(value)


def _plan(plan: str, **allowances: int | None) -> dict[str, int | None]:
    return {name: envallowance(f"PLAN_{plan.upper()}_{name.upper()}", allowances[name]) for name in PLAN_ALLOWANCES}


PLANS = {
    "guest": _plan(
        "guest",
        code_views=1,
        code_views_per_address_per_day=3,
        casepilot_questions_per_day=3,
        casepilot_detail_codes=3,
        consultations_per_month=0,
        consult_messages_per_hour=0,
        claim_checks_per_day=5,
    ),
    "free": _plan(
        "free",
        code_views=6,
        code_views_per_address_per_day=None,
        casepilot_questions_per_day=20,
        casepilot_detail_codes=3,
        consultations_per_month=2,
        consult_messages_per_hour=20,
        claim_checks_per_day=50,
    ),
    "pro": _plan(
        "pro",
        code_views=None,
        code_views_per_address_per_day=None,
        casepilot_questions_per_day=300,
        casepilot_detail_codes=None,
        consultations_per_month=30,
        consult_messages_per_hour=20,
        claim_checks_per_day=None,
    ),
    "staff": _plan(
        "staff",
        code_views=None,
        code_views_per_address_per_day=None,
        casepilot_questions_per_day=10000,
        casepilot_detail_codes=None,
        consultations_per_month=1000,
        consult_messages_per_hour=20,
        claim_checks_per_day=None,
    ),
}
# METERING_ENABLED=False turns the meter off (every page open, nothing counted).
METERING_ENABLED = envbool("METERING_ENABLED", "True")
# Addresses of reverse proxies whose X-Forwarded-For names the client; from anyone else it is ignored.
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES")
# Key for hashing client addresses (only hashes are stored); derived from SECRET_KEY when unset.
QUOTA_ADDRESS_SALT = os.getenv("QUOTA_ADDRESS_SALT", "")

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True
# One way to write a date on every page ("Jan 1, 2001"); templates that pass a format use the same.
DATE_FORMAT = "M j, Y"
DATETIME_FORMAT = "M j, Y, H:i"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", BASE_DIR / "var" / "media"))

# Email: console by default; SMTP when EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <noreply@{SITE_DOMAIN}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = os.getenv("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = envint("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "True")
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Background work (outbound mail, job alert digests): django-tasks with its database backend.
# A worker runs it: `python manage.py db_worker` (bin/run starts one). TASKS_BACKEND=immediate
# runs tasks inline, which is handy when no worker is running.
TASKS_BACKEND = os.getenv("TASKS_BACKEND", "database")
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if TASKS_BACKEND == "immediate"
        else "django_tasks_db.DatabaseBackend"
    }
}
# Background work that fails for a reason that may pass (mail, inbound consultations, drafts) is tried
# this many times in all, after 1, 4, 16, 64... minutes (codingahead/lib/mail.py).
EMAIL_TASK_ATTEMPTS = envint("EMAIL_TASK_ATTEMPTS", 5)

# Security: production (DEBUG=False) gets the strict settings `check --deploy` asks for.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # scripts read the token from the form's hidden field, never the cookie
# Content-Security-Policy (django-csp): scripts, styles and fetches from this site only, no inline
# script or style; <script type="application/ld+json"> blocks are data, never run, so CSP leaves them be.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
# django-ratelimit's decorators with block=True answer through one 429 page (codingahead/lib/ratelimits.py).
RATELIMIT_VIEW = "codingahead.lib.ratelimits.limited"
# Per-address limits count the client, not the proxy in front (TRUSTED_PROXIES).
RATELIMIT_IP_META_KEY = "codingahead.lib.ratelimits.ratelimit_ip"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "True")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Where the bundled code sets live; the importers read official release formats from here.
FIXTURES_DIR = BASE_DIR / "fixtures"

# CaseConsultant (casepilot/consult.py, casepilot/mail.py). Mail to CONSULT_ADDRESS opens or
# continues a consultation; replies go to CONSULT_ADDRESS with a +<token> per consultation.
CONSULT_ADDRESS = os.getenv("CONSULT_ADDRESS", f"consult@{SITE_DOMAIN}")
CONSULT_FROM_EMAIL = os.getenv("CONSULT_FROM_EMAIL", f"{SITE_NAME} consultations <{CONSULT_ADDRESS}>")
# The inbound webhook (POST /consult/inbound/) checks an HMAC-SHA256 signature with this secret;
# empty turns the webhook off. Requests older than the tolerance (seconds) are refused.
CONSULT_WEBHOOK_SECRET = os.getenv("CONSULT_WEBHOOK_SECRET", "")
CONSULT_WEBHOOK_TOLERANCE = envint("CONSULT_WEBHOOK_TOLERANCE", 300)
# Who sent an inbound message is its From address, and only when the receiving mail server
# authenticated it: its Authentication-Results header (RFC 8601) says dmarc=pass, or spf/dkim=pass
# for a domain aligned with From (casepilot/mail.py sender_verdict). Only headers written by these
# servers are read (their authserv-id, the first word of the header: "mx.google.com" for Gmail and
# Google Workspace, your provider's or your MTA's name otherwise); empty: no sender is authenticated.
CONSULT_AUTHSERV_IDS = envlist("CONSULT_AUTHSERV_IDS")
CONSULT_MAX_MESSAGE_BYTES = envint("CONSULT_MAX_MESSAGE_BYTES", 25 * 1024 * 1024)
CONSULT_ATTACHMENT_MAX_BYTES = envint("CONSULT_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
CONSULT_ATTACHMENT_MAX_COUNT = envint("CONSULT_ATTACHMENT_MAX_COUNT", 5)
# Consultations a month and messages an hour per plan: PLANS above.
# The consultants' queue shows how long each consultation has waited against this target.
CONSULT_TARGET_HOURS = envint("CONSULT_TARGET_HOURS", 24)
CONSULT_GROUP = os.getenv("CONSULT_GROUP", "consultants")
# IMAP mailbox read by `manage.py fetch_consult_mail` (or pass --maildir PATH).
CONSULT_IMAP_HOST = os.getenv("CONSULT_IMAP_HOST", "")
CONSULT_IMAP_PORT = envint("CONSULT_IMAP_PORT", 993)
CONSULT_IMAP_USER = os.getenv("CONSULT_IMAP_USER", "")
CONSULT_IMAP_PASSWORD = os.getenv("CONSULT_IMAP_PASSWORD", "")
CONSULT_IMAP_FOLDER = os.getenv("CONSULT_IMAP_FOLDER", "INBOX")
CONSULT_IMAP_SSL = envbool("CONSULT_IMAP_SSL", "True")

# CasePilot, the coding assistant: questions a day per plan are in PLANS above; a per-minute rate
# limit per user or client address (held in the shared cache).
CASEPILOT_RATE = os.getenv("CASEPILOT_RATE", "10/m")
# Optional LLM engine: any OpenAI-compatible chat-completions server with tool calling. Unset
# base URL: the offline default engine answers. On an error or timeout CasePilot falls back to it.
CASEPILOT_LLM_BASE_URL = os.getenv("CASEPILOT_LLM_BASE_URL", "").rstrip("/")
CASEPILOT_LLM_MODEL = os.getenv("CASEPILOT_LLM_MODEL", "")
CASEPILOT_LLM_API_KEY = os.getenv("CASEPILOT_LLM_API_KEY", "")
CASEPILOT_LLM_TIMEOUT = float(os.getenv("CASEPILOT_LLM_TIMEOUT", "20"))
