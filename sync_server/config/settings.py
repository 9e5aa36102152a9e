"""Django settings of the Kiosk POS cloud; every environment value comes from `env.py`."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

from sync_server.common.request_log import logging_config
from sync_server.config.env import ENV, SecretKeyRefused, database_settings, signing_key

BASE_DIR = Path(__file__).resolve().parent.parent
try:
    SECRET_KEY = signing_key(ENV)
except SecretKeyRefused:
    # A management command (migrate, seed_demo) may run without a key: it signs nothing
    # another process checks. Serving refuses to start (asgi.py, `kiosk-server serve`).
    SECRET_KEY = secrets.token_urlsafe(48)
DEBUG = ENV.debug
ALLOWED_HOSTS = ENV.allowed_hosts

INSTALLED_APPS = [
    "sync_server.common",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "django_htmx",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc files, served here: docs work offline
    "channels",
    "sync_server.tenants",
    "sync_server.accounts",
    "sync_server.catalog",
    "sync_server.promotions",
    "sync_server.customers",
    "sync_server.kitchen",
    "sync_server.devices",
    "sync_server.shifts",
    "sync_server.orders",
    "sync_server.stock",
    "sync_server.sync",
    "sync_server.backoffice",
    "sync_server.link",
    "sync_server.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Sessions and htmx serve the back office only; the API stays JWT and sessionless.
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "sync_server.common.request_log.RequestIdentityMiddleware",
    # Notes the request so a change made by a person is written to the audit log.
    "sync_server.backoffice.audit.AuditMiddleware",
    "sync_server.common.errors.JsonErrorMiddleware",
]

ROOT_URLCONF = "sync_server.config.urls"
ASGI_APPLICATION = "sync_server.config.asgi.application"
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]

DATABASES: dict[str, dict[str, object]] = {
    "default": database_settings(ENV.database_url, pool_max=ENV.db_pool_max)
}
if ENV.is_postgres:
    # Migrations run as the table owner; the app itself never uses this alias.
    DATABASES["owner"] = database_settings(ENV.database_owner_url)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["sync_server.accounts.backends.TenantScopedBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# PINs are shipped to terminals and verified offline with hashlib, so their
# hasher is fixed to pbkdf2_sha256; fewer rounds than passwords keep offline
# PIN login fast on a slow terminal.
KIOSK_PIN_ITERATIONS = 120_000

LANGUAGE_CODE = "en-us"
LANGUAGES = [("en", "English"), ("id", "Bahasa Indonesia")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = ENV.data_dir / "static"
# Serve app static files (the back office's CSS, htmx) straight from the installed packages,
# so `pip install` alone runs the server without a collectstatic step.
WHITENOISE_USE_FINDERS = True
# Back-office session cookie: never readable by scripts, sent on same-site navigation only.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 60 * 60
MEDIA_URL = "/media/"
MEDIA_ROOT = ENV.data_dir / "media"

if ENV.redis_url:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py 8 times socket reads out after 5 s, as long as the layer's blocking
            # BZPOPMIN: every idle consumer would crash (django/channels_redis#422).
            "CONFIG": {"hosts": [{"address": ENV.redis_url, "socket_timeout": 30}]},
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": ENV.redis_url,
            "KEY_PREFIX": "kiosk",
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "sync_server.accounts.authentication.TenantJWTAuthentication"
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["sync_server.common.errors.KioskJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["sync_server.common.errors.KioskJSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "sync_server.common.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=7),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "SIGNING_KEY": SECRET_KEY,
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
}

# Failed logins per username, and per client address, within the window before a 429.
KIOSK_LOGIN_FAILURE_LIMIT = 5
KIOSK_LOGIN_ADDRESS_FAILURE_LIMIT = 50
KIOSK_LOGIN_FAILURE_WINDOW_SECONDS = 300
# POST /api/pair/ attempts per client address and window.
KIOSK_PAIR_LIMIT = 10
KIOSK_PAIR_WINDOW_SECONDS = 60

SPECTACULAR_SETTINGS = {
    "TITLE": "Kiosk POS sync server",
    "DESCRIPTION": "Multi-tenant point-of-sale cloud: catalog, accounts, sync.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TerminalKindEnum": "sync_server.tenants.models.TerminalKind.choices",
        "PromotionKindEnum": "shared.pricing.types.PromotionKind",
    },
}

LOGGING = logging_config(ENV.log_format)
