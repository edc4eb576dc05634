"""Django settings, read from the environment so one build runs anywhere.

Without ``DATABASE_URL`` the platform uses the embedded default: SQLite in WAL mode under ``var/``.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from fengqiao.core import crypto as _crypto
from fengqiao.dashboard.tiles import tile_origins, tile_templates

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("FENGQIAO_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# The fallback keys are only fit for a laptop demo: with DEBUG off, `serve`, `worker`, the WSGI/ASGI entry points
# and `check --deploy` refuse them (core/checks.py, fengqiao.E001/E002).
SECRET_KEY = os.environ.get("SECRET_KEY", _crypto.DEVELOPMENT_SECRET_KEY)
# Personal data at rest (ID numbers, phones): "sm" (SM4-GCM + HMAC-SM3, GB/T 39786) or "aes" (AES-256-GCM + SHA-256).
FENGQIAO_CRYPTO = os.environ.get("FENGQIAO_CRYPTO", "sm").strip().lower()
# Keys as "kid:secret,kid:secret", newest first: the newest encrypts, all decrypt (`fengqiao rekey` moves data to
# the newest). A lone FENGQIAO_DATA_KEY is the key with id "0". docs/decisions/0060-national-cryptography.md
FENGQIAO_DATA_KEYS = os.environ.get("FENGQIAO_DATA_KEYS", "")
FENGQIAO_DATA_KEY = os.environ.get("FENGQIAO_DATA_KEY", _crypto.DEVELOPMENT_DATA_KEY)
# Key of the blind indexes (searched, so kept across encryption-key rotation); empty: the first data key's secret.
FENGQIAO_INDEX_KEY = os.environ.get("FENGQIAO_INDEX_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "fengqiao.accounts.lockouts.LockoutsConfig",  # django-axes, named in Chinese
    "django_tasks",
    "fengqiao.core.taskqueue.TaskQueueConfig",  # django-tasks' database backend, named in Chinese
    "ninja",  # its own copy of Swagger UI for the API docs page, served from our origin (no CDN on an intranet)
    "fengqiao.core",
    "fengqiao.accounts",
    "fengqiao.grids",
    "fengqiao.people",
    "fengqiao.events",
    "fengqiao.disputes",
    "fengqiao.petitions",
    "fengqiao.participation",
    "fengqiao.deliberation",
    "fengqiao.dispatch",
    "fengqiao.metrics",
    "fengqiao.dashboard",
    "fengqiao.demo",
    "fengqiao.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "fengqiao.core.middleware.LimitRequestBody",  # before anything reads the body
    "fengqiao.core.middleware.RejectNullCharacters",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The superuser is for installation: each of its admin requests is audited (三员分立).
    "fengqiao.core.superuser_audit.SuperuserAudit",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Absolute session lifetime; an expired password allows nothing but changing it (accounts/middleware.py).
    "fengqiao.accounts.middleware.SignInPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last: it runs the read-heavy pages with replica reads allowed (core/dbrouting.py).
    "fengqiao.core.dbrouting.ReplicaReadsMiddleware",
]

ROOT_URLCONF = "fengqiao.urls"
WSGI_APPLICATION = "fengqiao.wsgi.application"
ASGI_APPLICATION = "fengqiao.asgi.application"

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
                "django.template.context_processors.i18n",
                "fengqiao.core.context.navigation",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # A connection pool per process (psycopg_pool): under ASGI persistent connections are not reused safely.
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": int(os.environ.get("FENGQIAO_DB_POOL_MIN", "2")),
            "max_size": int(os.environ.get("FENGQIAO_DB_POOL_MAX", "16")),
            "timeout": 20,
        }
        # The pool checks a connection before a request gets it (Django passes psycopg_pool's check_connection): one
        # the server dropped (a restart, a failover) is replaced instead of answering that request with an error.
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "fengqiao.sqlite3"),
            "OPTIONS": {
                # WAL lets readers run beside the one writer; IMMEDIATE avoids lock upgrades failing mid-transaction.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; "
                    "PRAGMA foreign_keys=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            "TEST": {"NAME": str(VAR_DIR / "test-fengqiao.sqlite3")},
        }
    }

# A PostgreSQL hot standby for the read-heavy pages (core/dbrouting.py); without it everything uses the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL)
    # No pool: a stopped standby must fail fast so the page is answered from the primary, not wait for a slot.
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = 2
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["fengqiao.core.dbrouting.ReplicaRouter"]
FENGQIAO_REPLICA_VIEWS = [
    v.strip()
    for v in os.environ.get(
        "FENGQIAO_REPLICA_VIEWS",
        "dashboard:map,dashboard:bigscreen,api:dashboard_map,grids:map,metrics:ranking,metrics:efficiency,"
        "api:metrics_ranking,events:queue,events:whistle_ranking,disputes:queue,disputes:figures,"
        "metrics:export_events,people:tenancy_queue",
    ).split(",")
    if v.strip()
]
FENGQIAO_REPLICA_STICKY_SECONDS = float(os.environ.get("FENGQIAO_REPLICA_STICKY_SECONDS", "5"))
FENGQIAO_REPLICA_MAX_LAG_SECONDS = float(os.environ.get("FENGQIAO_REPLICA_MAX_LAG_SECONDS", "5"))
FENGQIAO_REPLICA_CHECK_SECONDS = float(os.environ.get("FENGQIAO_REPLICA_CHECK_SECONDS", "2"))
FENGQIAO_REPLICA_BACKOFF_SECONDS = float(os.environ.get("FENGQIAO_REPLICA_BACKOFF_SECONDS", "10"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Passwords: at least FENGQIAO_PASSWORD_MIN_LENGTH characters of three kinds without the username (等保 2.0 level 3),
# changed every FENGQIAO_PASSWORD_MAX_AGE_DAYS days (0: never expire).
FENGQIAO_PASSWORD_MIN_LENGTH = int(os.environ.get("FENGQIAO_PASSWORD_MIN_LENGTH", "10"))
FENGQIAO_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("FENGQIAO_PASSWORD_MAX_AGE_DAYS", "90"))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "fengqiao.accounts.security.PasswordComplexityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failures (django-axes), per username and client address together: an attacker who knows a
# name locks out only their own address, never the owner at theirs, nor a whole office behind one NAT address.
# Failures per address, whatever the name, are throttled by FENGQIAO_RATE_LOGIN_FAILURES.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("FENGQIAO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("FENGQIAO_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "fengqiao.core.ratelimit.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Locking by IP alone would lock a whole office behind one NAT address; the failure throttle covers that case.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Sessions expire after two idle hours and never outlive a working day.
SESSION_COOKIE_AGE = int(os.environ.get("FENGQIAO_SESSION_SECONDS", str(2 * 3600)))
# Each request of a signed-in session pushes the idle deadline back, but writes the session at most once in this many
# seconds (accounts/middleware.py): a session then ends between SESSION_COOKIE_AGE minus this and SESSION_COOKIE_AGE
# after its last request, and a phone posting every second does not rewrite its session row every second.
FENGQIAO_SESSION_REFRESH_SECONDS = float(os.environ.get("FENGQIAO_SESSION_REFRESH_SECONDS", "60"))
# However busy, a session ends this many hours after signing in (0: no absolute limit).
FENGQIAO_SESSION_MAX_HOURS = float(os.environ.get("FENGQIAO_SESSION_MAX_HOURS", "12"))
# Closing the browser signs out (the cookie has no expiry date); off keeps the session for the idle time above.
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("FENGQIAO_SESSION_BROWSER_CLOSE", True)
# A second factor (TOTP, RFC 6238) is mandatory for these roles (superusers count as admin); empty: only for users
# who enrolled. `make run` empties it for the demo unless set. docs/decisions/0050-sign-in-security.md
FENGQIAO_TOTP_REQUIRED_ROLES = env_list("FENGQIAO_TOTP_REQUIRED_ROLES", "admin,security_admin,audit_admin,leader")
FENGQIAO_TOTP_ISSUER = os.environ.get("FENGQIAO_TOTP_ISSUER", "枫桥")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("FENGQIAO_STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("FENGQIAO_MEDIA_ROOT", VAR_DIR / "media"))
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Production hardening, switched on whenever DEBUG is off and HTTPS is terminated in front of us.
SECURE_HTTPS = env_bool("FENGQIAO_HTTPS", False)
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_SSL_REDIRECT = SECURE_HTTPS and env_bool("FENGQIAO_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = 31536000 if SECURE_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS and env_bool("FENGQIAO_HSTS_PRELOAD", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Optional map tiles under the one map (none by default: the map works offline). One URL template with {z}/{x}/{y}
# (and {s} for a subdomain), or several separated by spaces, drawn in order (e.g. Tianditu's vec_w then cva_w, with
# tk=… in the URL). FENGQIAO_MAP_TILES_CRS is the tiles' datum: "wgs84" (Tianditu's CGCS2000, OpenStreetMap) or
# "gcj02" (AMap/Gaode, Tencent), in which case the map's polygons and points are shifted to GCJ-02 before drawing.
FENGQIAO_MAP_TILES = tile_templates(os.environ.get("FENGQIAO_MAP_TILES", ""))
FENGQIAO_MAP_TILES_CRS = os.environ.get("FENGQIAO_MAP_TILES_CRS", "wgs84").strip().lower()
FENGQIAO_MAP_TILES_SUBDOMAINS = os.environ.get("FENGQIAO_MAP_TILES_SUBDOMAINS", "abc").strip()
FENGQIAO_MAP_TILES_MAX_ZOOM = int(os.environ.get("FENGQIAO_MAP_TILES_MAX_ZOOM", "18"))
FENGQIAO_MAP_TILES_ATTRIBUTION = os.environ.get("FENGQIAO_MAP_TILES_ATTRIBUTION", "")

# Content security policy: our own scripts only; inline styles stay allowed for ECharts and Bootstrap utilities.
# Images may also come from the tile hosts, when tiles are configured.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *tile_origins(FENGQIAO_MAP_TILES, FENGQIAO_MAP_TILES_SUBDOMAINS)],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# The locator re-reads the grid version at most this often, so edits in another process show up quickly.
FENGQIAO_LOCATOR_CHECK_SECONDS = float(os.environ.get("FENGQIAO_LOCATOR_CHECK_SECONDS", "2"))
# A point outside every grid gets the nearest grid within this distance offered as a suggestion.
FENGQIAO_LOCATOR_SUGGEST_METRES = float(os.environ.get("FENGQIAO_LOCATOR_SUGGEST_METRES", "500"))
# A stage turns orange when this share of its time is left (绿橙红).
FENGQIAO_ORANGE_SHARE = float(os.environ.get("FENGQIAO_ORANGE_SHARE", "0.25"))
# The county's "13710" dispute clocks (core.deadlines): time to assign a mediator, to the mediator's first update, to
# close, and to the return visit after resolution. "24h", "30d" or "3wd" (working days); a dispute type may set its
# own in the admin, which wins. A county running 1/3/7/10-day stages sets e.g. FENGQIAO_DISPUTE_CLOCK_CLOSE=7d.
FENGQIAO_DISPUTE_CLOCKS = {
    "assign": os.environ.get("FENGQIAO_DISPUTE_CLOCK_ASSIGN", "24h"),
    "update": os.environ.get("FENGQIAO_DISPUTE_CLOCK_UPDATE", "24h"),
    "close": os.environ.get("FENGQIAO_DISPUTE_CLOCK_CLOSE", "30d"),
    "revisit": os.environ.get("FENGQIAO_DISPUTE_CLOCK_REVISIT", "7d"),
}
# The statutory petition clocks of 《信访工作条例》 (core.deadlines): tell the petitioner whether the petition is
# accepted within 15 days of registration, handle it within 60 days of acceptance, extend that once by at most 30 days.
# Deliberation: the default promised answer date, in days after the centre accepts a topic.
FENGQIAO_DELIBERATION_ANSWER_DAYS = int(os.environ.get("FENGQIAO_DELIBERATION_ANSWER_DAYS", "15"))
FENGQIAO_PETITION_CLOCKS = {
    "acknowledge": os.environ.get("FENGQIAO_PETITION_CLOCK_ACKNOWLEDGE", "15d"),
    "handle": os.environ.get("FENGQIAO_PETITION_CLOCK_HANDLE", "60d"),
    "max_extension": os.environ.get("FENGQIAO_PETITION_CLOCK_MAX_EXTENSION", "30d"),
}
# 督导督办: the responsible unit rectifies within FENGQIAO_SUPERVISION_CLOCK_RECTIFY; the unit's assessment deducts
# these points per accountability outcome (约谈/通报/问责) and per late or missing rectification.
FENGQIAO_SUPERVISION_CLOCKS = {"rectify": os.environ.get("FENGQIAO_SUPERVISION_CLOCK_RECTIFY", "15d")}
FENGQIAO_SUPERVISION_POINTS = {
    "talk": float(os.environ.get("FENGQIAO_SUPERVISION_POINTS_TALK", "1")),
    "notice": float(os.environ.get("FENGQIAO_SUPERVISION_POINTS_NOTICE", "2")),
    "account": float(os.environ.get("FENGQIAO_SUPERVISION_POINTS_ACCOUNT", "5")),
    "late": float(os.environ.get("FENGQIAO_SUPERVISION_POINTS_LATE", "0.5")),
}
# 吹哨报到: a whistled department signs within FENGQIAO_WHISTLE_SIGN and reports back within FENGQIAO_WHISTLE_REPORT
# (empty: the event's own handling time from its category). 即报即办: the share of events solved on the spot drawn
# for the centre's check (抽查).
FENGQIAO_WHISTLE_SIGN = os.environ.get("FENGQIAO_WHISTLE_SIGN", "2h")
FENGQIAO_WHISTLE_REPORT = os.environ.get("FENGQIAO_WHISTLE_REPORT", "")
FENGQIAO_SPOT_CHECK_SHARE = float(os.environ.get("FENGQIAO_SPOT_CHECK_SHARE", "0.10"))
# A party's private link (join online sessions, sign on the phone) works this many days at most, and never after
# the case is closed, withdrawn or referred.
FENGQIAO_PARTY_LINK_DAYS = int(os.environ.get("FENGQIAO_PARTY_LINK_DAYS", "30"))
# A tenant's door credential is revoked after this many days with no entry or exit (一进一融一出).
FENGQIAO_CREDENTIAL_IDLE_DAYS = int(os.environ.get("FENGQIAO_CREDENTIAL_IDLE_DAYS", "15"))
# Possible duplicates: open events of the same category within this distance and time window.
FENGQIAO_DUPLICATE_METRES = float(os.environ.get("FENGQIAO_DUPLICATE_METRES", "200"))
FENGQIAO_DUPLICATE_HOURS = float(os.environ.get("FENGQIAO_DUPLICATE_HOURS", "72"))
# A report whose position lies further than this outside the grid it is filed in is flagged for the dispatcher.
FENGQIAO_POSITION_MISMATCH_METRES = float(os.environ.get("FENGQIAO_POSITION_MISMATCH_METRES", "500"))
# The same text from the same reporter within this many minutes is one report sent twice (the back button).
FENGQIAO_RESUBMIT_MINUTES = float(os.environ.get("FENGQIAO_RESUBMIT_MINUTES", "10"))
# Group commit (core.groupcommit): new reports arriving within this many milliseconds of each other in one server
# process are written together (one INSERT per table, one COMMIT); 0 writes each report on its own.
FENGQIAO_GROUP_COMMIT_MS = float(os.environ.get("FENGQIAO_GROUP_COMMIT_MS", "2"))
FENGQIAO_GROUP_COMMIT_MAX = int(os.environ.get("FENGQIAO_GROUP_COMMIT_MAX", "200"))
# Grid code that receives reports lying outside every grid (兜底); empty refuses them.
FENGQIAO_FALLBACK_GRID = os.environ.get("FENGQIAO_FALLBACK_GRID", "")
# Rate limits (counted in the database, so they hold across server processes). "N/s|m|h|d".
FENGQIAO_RATE_LIMITS = env_bool("FENGQIAO_RATE_LIMITS", True)
FENGQIAO_RATE_PUBLIC_REPORT = os.environ.get("FENGQIAO_RATE_PUBLIC_REPORT", "10/m")
FENGQIAO_RATE_LOGIN = os.environ.get("FENGQIAO_RATE_LOGIN", "30/m")
FENGQIAO_RATE_LOGIN_FAILURES = os.environ.get("FENGQIAO_RATE_LOGIN_FAILURES", "30/h")
FENGQIAO_RATE_TOTP = os.environ.get("FENGQIAO_RATE_TOTP", "10/m")
FENGQIAO_RATE_TRACK = os.environ.get("FENGQIAO_RATE_TRACK", "60/m")
# Signed-in look-ups of an event or dispute by code (pages, search, API), per user: no walking through codes.
FENGQIAO_RATE_LOOKUP = os.environ.get("FENGQIAO_RATE_LOOKUP", "60/m")
FENGQIAO_RATE_API = os.environ.get("FENGQIAO_RATE_API", "6000/m")
# Behind a proxy, the request header that carries the client's address (e.g. HTTP_X_REAL_IP).
FENGQIAO_CLIENT_IP_HEADER = os.environ.get("FENGQIAO_CLIENT_IP_HEADER", "")
# "default" is per process; "shared" (a database table) is seen by every server process and the worker.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "fengqiao_cache"},
}
# The one map remembers open-event figures above the community level this long (0 turns it off).
FENGQIAO_OPEN_FIGURES_SECONDS = float(os.environ.get("FENGQIAO_OPEN_FIGURES_SECONDS", "15"))
# 四事分办 targets (metrics.selectors.tier_shares): the share of closed events handled inside the village (grid and
# community tiers), and the share of those leaving the village that the township (street tier) handles.
FENGQIAO_TIER_TARGET_VILLAGE = float(os.environ.get("FENGQIAO_TIER_TARGET_VILLAGE", "0.70"))
FENGQIAO_TIER_TARGET_TOWNSHIP = float(os.environ.get("FENGQIAO_TIER_TARGET_TOWNSHIP", "0.30"))
# Uploads, request bodies and uploaded files (core.uploads, core.middleware.LimitRequestBody, core.media).
# Largest accepted upload, in bytes, and the most pixels an image may claim in its header (decompression bombs).
FENGQIAO_MAX_UPLOAD_BYTES = int(os.environ.get("FENGQIAO_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
FENGQIAO_UPLOAD_MAX_PIXELS = int(os.environ.get("FENGQIAO_UPLOAD_MAX_PIXELS", str(40_000_000)))
# Non-file form fields and JSON bodies Django will read into memory; files above this spill to a temporary file.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# Request body budgets in bytes, answered 413 before Django parses the body: the first matching path prefix wins.
FENGQIAO_BODY_LIMIT_DEFAULT = int(os.environ.get("FENGQIAO_BODY_LIMIT_DEFAULT", str(1024 * 1024)))
FENGQIAO_BODY_LIMIT_UPLOADS = int(os.environ.get("FENGQIAO_BODY_LIMIT_UPLOADS", str(20 * 1024 * 1024)))
FENGQIAO_BODY_LIMITS = [
    # Pages that take photos or a spreadsheet (QR reports, dispute applications, workers' and mediators' forms).
    (r"^/(events|disputes|dispatch)/", FENGQIAO_BODY_LIMIT_UPLOADS),
    # The persons spreadsheet (100,000 rows is about 5 MB).
    (r"^/people/import/", FENGQIAO_BODY_LIMIT_UPLOADS),
    (r"^/admin/", FENGQIAO_BODY_LIMIT_UPLOADS),
]
# Uploaded files are served only through core.media's authorising view; "" streams them from Django,
# "nginx" answers with X-Accel-Redirect to FENGQIAO_SENDFILE_PREFIX (an `internal` location), "apache" X-Sendfile.
FENGQIAO_SENDFILE = os.environ.get("FENGQIAO_SENDFILE", "")
FENGQIAO_SENDFILE_PREFIX = os.environ.get("FENGQIAO_SENDFILE_PREFIX", "/protected-media/")
# Geometry tolerances for grid validation, in metres.
FENGQIAO_GRID_TOLERANCE_METRES = float(os.environ.get("FENGQIAO_GRID_TOLERANCE_METRES", "5"))

# Operators' gauges at /metrics: loopback only, or with this bearer token.
FENGQIAO_METRICS_TOKEN = os.environ.get("FENGQIAO_METRICS_TOKEN", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "fengqiao.core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if os.environ.get("LOG_FORMAT") == "json" else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
