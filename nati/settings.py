"""nati's settings: one file, the environment read through nati.env."""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from nati.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("NATI_VAR_DIR", str(BASE_DIR / "var")))

# Development is the default so that `make run` needs nothing; a deployment says
# DEBUG=0 and must then give its own secret key and host names.
DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY", "" if not DEBUG else "dev-only-not-secret-nati")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off.")

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "nati",
    "accounts",
    "directory",
    "presences",
    "messaging",
    "moderation",
    "gar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "accounts.middleware.CachedAuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.AccountRulesMiddleware",
]

ROOT_URLCONF = "nati.urls"
WSGI_APPLICATION = "nati.wsgi.application"

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
                "nati.context_processors.portal",
                "messaging.context_processors.unread",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
# Without DATABASE_URL the demo runs on SQLite under var/. Connections are kept
# open (a new authenticated PostgreSQL connection costs about 20 ms here).
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DB_CONN_MAX_AGE", 600),
            conn_health_checks=True,
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "nati.sqlite3",
            "OPTIONS": {"timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and Celery --------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "nati.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "nati"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_RESULT_EXPIRES = 24 * 3600
# Without Redis, tasks run in-process: the demo needs no worker.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Pacific/Tahiti"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

# --- Authentication -----------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "accounts.backends.ProvisionalPasswordBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.validators.ProfileLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "nati"
# Failed logins are throttled per identifier AND address by accounts.throttle
# (allauth's login_failed counts per identifier from every address, which would
# let anyone lock a pupil out); a whole school shares one address, hence the
# generous per-address login rate.
ACCOUNT_RATE_LIMITS = {"login_failed": None, "login": "600/m/ip"}
NATI_LOGIN_FAILURES = env_int("NATI_LOGIN_FAILURES", 5)
NATI_LOGIN_LOCK_MINUTES = env_int("NATI_LOGIN_LOCK_MINUTES", 15)
# Idle sessions end: staff after 30 minutes, pupils and parents after this.
NATI_IDLE_MINUTES_STAFF = env_int("NATI_IDLE_MINUTES_STAFF", 30)
NATI_IDLE_MINUTES = env_int("NATI_IDLE_MINUTES", 120)
NATI_PROVISIONAL_DAYS = env_int("NATI_PROVISIONAL_DAYS", 92)
NATI_CAS_TICKET_SECONDS = env_int("NATI_CAS_TICKET_SECONDS", 300)
NATI_ACTIVATION_CODE_MINUTES = 10
NATI_ACTIVATION_CODE_TRIES = 3
# SMS self-activation: codes sent per number and requests per address, an hour.
NATI_ACTIVATION_SMS_PER_NUMBER = env_int("NATI_ACTIVATION_SMS_PER_NUMBER", 3)
NATI_ACTIVATION_PER_ADDRESS = env_int("NATI_ACTIVATION_PER_ADDRESS", 20)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)

# --- Locale -------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Pacific/Tahiti"
USE_I18N = True
USE_TZ = True

# --- Files --------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# gunicorn serves the static files through whitenoise, compressed and cached.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploaded files are private: served by views that check who asks, never by
# the web server directly.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

# --- Mail and SMS -------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "nati <ne-pas-repondre@nati.pf>")

# "console", "file" (var/sms/) or "http" (SMS_GATEWAY_URL, SMS_GATEWAY_TOKEN).
SMS_BACKEND = env_str("SMS_BACKEND", "file")
if SMS_BACKEND not in {"console", "file", "http"}:
    raise ImproperlyConfigured(f"SMS_BACKEND={SMS_BACKEND!r}: console, file or http.")
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = env_str("SMS_GATEWAY_TOKEN", "")
SMS_SENDER_NAME = env_str("SMS_SENDER_NAME", "nati")
if SMS_BACKEND == "http" and not SMS_GATEWAY_URL:
    raise ImproperlyConfigured("SMS_BACKEND=http needs SMS_GATEWAY_URL.")
SMS_FILE_PATH = VAR_DIR / "sms"

# --- nati ---------------------------------------------------------------------
NATI_SITE_NAME = "nati"
NATI_DEMO_PASSWORD = env_str("NATI_DEMO_PASSWORD", "demo-nati-2026")
NATI_CONSOLE_PAGE_SIZE = env_int("NATI_CONSOLE_PAGE_SIZE", 50)

# --- Messagerie ---------------------------------------------------------------
MESSAGING_ATTACHMENT_MAX_MB = env_int("MESSAGING_ATTACHMENT_MAX_MB", 10)
# A sending to more people than this is delivered by a Celery task.
MESSAGING_SYNC_LIMIT = env_int("MESSAGING_SYNC_LIMIT", 200)
# Links in mails point here.
NATI_SITE_URL = env_str("NATI_SITE_URL", "https://nati.pf")

# --- Security -----------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Logging: ids only, never personal data -----------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Directory feeds (directory/feeds) -----------------------------------------
# FEED_DIR receives the AAF deliveries (one folder each); the daily job imports
# the newest and moves it to FEED_ARCHIVE_DIR. A delivery that would make more
# than FEED_HOLD_SHARE of a structure's people disappear, and at least
# FEED_HOLD_MIN of them, is held for that structure until the project lead
# decides. Pre-deleted users are deleted PREDELETION_DAYS later by the sweep.
FEED_DIR = Path(env_str("FEED_DIR", str(VAR_DIR / "feeds" / "incoming")))
FEED_ARCHIVE_DIR = Path(env_str("FEED_ARCHIVE_DIR", str(VAR_DIR / "feeds" / "archive")))
FEED_HOLD_SHARE = env_int("FEED_HOLD_PERCENT", 10) / 100
FEED_HOLD_MIN = env_int("FEED_HOLD_MIN", 20)
PREDELETION_DAYS = env_int("PREDELETION_DAYS", 30)
