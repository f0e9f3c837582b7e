"""Django settings, read from the environment (XIEZUO_*).

XIEZUO_DATA_DIR      where the embedded database and the generated secret key live (./var)
XIEZUO_DATABASE_URL  a database URL; default: SQLite at $XIEZUO_DATA_DIR/xiezuo.sqlite3
XIEZUO_SECRET_KEY    default: generated once into $XIEZUO_DATA_DIR/secret_key
XIEZUO_ALLOWED_HOSTS comma-separated; default: localhost, 127.0.0.1
XIEZUO_DEBUG         "1" to turn debug on; off otherwise
XIEZUO_HTTPS         "1" behind HTTPS: secure cookies, HSTS, redirect to HTTPS (each also alone:)
XIEZUO_SECURE_COOKIES, XIEZUO_SSL_REDIRECT "1"; XIEZUO_HSTS_SECONDS (default 31536000 under
                     XIEZUO_HTTPS, else 0); XIEZUO_PROXY_SSL_HEADER "1" when a proxy in front
                     terminates TLS and sets X-Forwarded-Proto
XIEZUO_LOGIN_FAILURES failed sign-ins before an account is locked out (default 5) for
XIEZUO_LOCKOUT_MINUTES (default 15)

Everything the process writes (the SQLite file, uploads, logs, caches) is readable by the
service user only: the process umask is 077 and the data directory 0700.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent
# Files and folders the service writes are its own (0600 / 0700): ID numbers live in them.
os.umask(0o077)
DATA_DIR = Path(os.environ.get("XIEZUO_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
DATA_DIR.chmod(0o700)


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# Django's own rule for a key worth the name (security.W009): 50 characters, 5 distinct.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE = 5


def _secret_key() -> str:
    if key := os.environ.get("XIEZUO_SECRET_KEY"):
        if len(key) < SECRET_KEY_MIN_LENGTH or len(set(key)) < SECRET_KEY_MIN_UNIQUE:
            raise ImproperlyConfigured(
                f"XIEZUO_SECRET_KEY is too weak: use at least {SECRET_KEY_MIN_LENGTH} random "
                f"characters (e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
                "or leave it unset to have one generated into the data directory."
            )
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _flag("XIEZUO_DEBUG")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("XIEZUO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "axes",
    "simple_history",
    "xiezuo.core",
    "xiezuo.regions",
    "xiezuo.programs",
    "xiezuo.access",
    "xiezuo.registry",
    "xiezuo.ledgers",
    "xiezuo.precision",
    "xiezuo.ingest",
    "xiezuo.assessment",
    "xiezuo.labour",
    "xiezuo.bulletins",
    "xiezuo.reports",
    "xiezuo.crosscheck",
    "xiezuo.demo",
    "xiezuo.web",
    "xiezuo.api",
    # Last: only for its Swagger UI files, served from here (no CDN, no inline script: CSP).
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "xiezuo.access.middleware.AccessMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "xiezuo.access.middleware.NoStoreMiddleware",
    # Last: it watches the sign-ins the views above handle.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "xiezuo.urls"
WSGI_APPLICATION = "xiezuo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("XIEZUO_DATABASE_URL", f"sqlite:///{DATA_DIR / 'xiezuo.sqlite3'}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL: readers never wait for the writer. IMMEDIATE: a transaction takes the write lock when
    # it begins, so it waits its turn (up to `timeout`, SQLite's busy handler) instead of
    # failing at once with "database is locked" when it upgrades a read to a write. The timeout
    # outlasts an import's load transaction, the longest writer there is, so a login or a job's
    # progress beside it waits instead of failing. XIEZUO_DB_BUSY_SECONDS sets it (default 60).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": float(os.environ.get("XIEZUO_DB_BUSY_SECONDS", "60")),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2 for new and changed passwords; older hashes are upgraded at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Sign-in throttling (django-axes): after XIEZUO_LOGIN_FAILURES failures for one user name
# from one address, that pair is locked out for XIEZUO_LOCKOUT_MINUTES.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("XIEZUO_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = int(os.environ.get("XIEZUO_LOCKOUT_MINUTES", "15")) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = 1 if _flag("XIEZUO_PROXY_SSL_HEADER") else 0

# HTTPS in production (`xiezuo check --deploy` is clean with XIEZUO_HTTPS=1).
_HTTPS = _flag("XIEZUO_HTTPS")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _flag("XIEZUO_SECURE_COOKIES", _HTTPS)
SECURE_SSL_REDIRECT = _flag("XIEZUO_SSL_REDIRECT", _HTTPS)
SECURE_HSTS_SECONDS = int(os.environ.get("XIEZUO_HSTS_SECONDS", "31536000" if _HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = _flag("XIEZUO_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
if _flag("XIEZUO_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
# Pages load scripts from this site only, and no inline script runs (data goes in
# json_script blocks). Styles may be inline: ECharts and htmx set them.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# The debug page hides settings and request variables whose name looks secret — and here
# also URLs and database settings: XIEZUO_DATABASE_URL carries a password.
DEFAULT_EXCEPTION_REPORTER_FILTER = "xiezuo.core.logs.SecretsHiddenFilter"
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Static files are served from the app folders directly: no collectstatic step for the demo.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:overview"
LOGOUT_REDIRECT_URL = "web:overview"

# Long jobs (imports) run as Django tasks, stored in the database of record and run by
# `xiezuo db_worker`: no broker to install.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Errors go to stderr and to a rotating file in the data directory, DEBUG or not: a 500's
# traceback (logger django.request) is always somewhere an operator can read it.
LOG_DIR = DATA_DIR / "logs"
LOG_DIR.mkdir(exist_ok=True)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "{asctime} {levelname} {name} [{process}] {message}", "style": "{"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "filters": {"client_errors": {"()": "xiezuo.core.logs.ClientErrorsWithoutTraceback"}},
    "handlers": {
        "file": {
            "class": "logging.handlers.RotatingFileHandler",
            "filename": LOG_DIR / "xiezuo.log",
            "maxBytes": 10 * 1024 * 1024,
            "backupCount": 5,
            "encoding": "utf-8",
            "delay": True,
            "formatter": "line",
            "filters": ["client_errors"],
        },
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "line",
            "filters": ["client_errors"],
        },
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["file", "stderr"], "level": "WARNING"},
    "loggers": {
        # Django's own default sends these to the console only under DEBUG and mails
        # admins otherwise; here they go where everything else goes.
        "django": {"handlers": ["file", "stderr"], "level": "INFO", "propagate": False},
        # runserver's request lines stay on the console as Django prints them.
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "xiezuo": {"level": "INFO"},
    },
}

# The programme a fresh installation shows when none is named.
XIEZUO_DEFAULT_PROGRAMME = os.environ.get("XIEZUO_PROGRAMME", "beijing-hebei")

# Import limits: files over them are refused before they are read (see xiezuo/ingest/limits.py).
IMPORT_MAX_ROWS = int(os.environ.get("XIEZUO_IMPORT_MAX_ROWS", "1048576"))
IMPORT_MAX_BYTES = int(os.environ.get("XIEZUO_IMPORT_MAX_MB", "1024")) << 20
IMPORT_MAX_UNPACKED_BYTES = int(os.environ.get("XIEZUO_IMPORT_MAX_UNPACKED_MB", "2048")) << 20
IMPORT_MAX_RATIO = float(os.environ.get("XIEZUO_IMPORT_MAX_RATIO", "100"))
IMPORT_MAX_LINE_BYTES = int(os.environ.get("XIEZUO_IMPORT_MAX_LINE_KB", "1024")) << 10
