"""Settings shared by every environment; values come from environment variables.

Defaults are the safe production ones (DEBUG off, secure cookies in production.py);
dev.py and the test settings loosen what they need.
"""
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("SECRET_KEY", "")
# Rotating SECRET_KEY: the previous keys, comma-separated, still verify sessions and signed links
# made before the rotation (docs/operations.md).
SECRET_KEY_FALLBACKS = [key for key in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if key.strip()]
DEBUG = env_bool("DEBUG", False)
BASE_DOMAIN = os.environ.get("BASE_DOMAIN", "localhost")
# Where people reach the marketplace (links in e-mails); a dealership is <slug>. in front of its host.
SITE_URL = os.environ.get("SITE_URL") or f"http://{BASE_DOMAIN}:{os.environ.get('DEMO_PORT', '8000')}"
ALLOWED_HOSTS = [BASE_DOMAIN, f".{BASE_DOMAIN}", *filter(None, os.environ.get("EXTRA_HOSTS", "").split(","))]

# --- tenancy ----------------------------------------------------------------
SHARED_APPS = [
    # Before django_tenants, so Django's admin templates are used (tenancy/admin_site.py says why).
    "tenancy.admin_site.SchemaAwareAdminConfig",
    "django_tenants",
    "tenancy",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "channels",
    "forecourt_core",
    "accounts",
    # Events live in the public schema only: one relay query and one backlog for every dealership;
    # each event keeps the schema it was recorded in (FORECOURT_EVENTS_ROUTE) and is handled there.
    "forecourt_core.events",
    "django_wallet",
    "django_notifications",
    "django_trading",
    "django_car_listing",
    "demo.glue",  # after the packages: it connects their signals
    "demo.observability",  # metrics of the packages' signals
]
TENANT_APPS = ["django_car_listing", "django_leads", "django_books", "django_payroll"]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]
TENANT_MODEL = "tenancy.Dealership"
TENANT_DOMAIN_MODEL = "tenancy.Domain"
TENANT_LIMIT_SET_CALLS = True
PUBLIC_SCHEMA_URLCONF = "demo.urls_public"
ROOT_URLCONF = "demo.urls_tenant"
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/forecourt"),
        engine="tenancy.postgresql_backend",  # django-tenants', keeping the ContentType cache
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        # A persistent connection the server dropped (restart, failover) is replaced before the
        # request uses it, instead of failing that request.
        conn_health_checks=True,
    )
}
# Each process names itself in pg_stat_activity (web, worker, beat), so an operator sees who holds what.
DATABASES["default"].setdefault("OPTIONS", {})["application_name"] = os.environ.get("DB_APPLICATION_NAME", "forecourt")

# Bounded connections in every mode (demo and production alike). Under uvicorn (ASGI) each request's
# ORM work runs in a thread of its own and Django's connections are per thread: with CONN_MAX_AGE > 0
# every request left its connection open until PostgreSQL refused clients. A psycopg pool per process
# (Django's own, OPTIONS["pool"]) bounds them at DB_POOL_MAX_SIZE and still saves the connect; a request
# waits up to DB_POOL_TIMEOUT seconds for a free one. django-tenants re-sets search_path on every
# checkout (close() forgets it), so a pooled connection never carries a dealership's schema over.
# DB_POOL_MAX_SIZE=0 turns the pool off: Celery's prefork children must not inherit their parent's pool,
# and each child holds at most one connection anyway (CONN_MAX_AGE applies then).
DB_POOL_MAX_SIZE = int(os.environ.get("DB_POOL_MAX_SIZE", "8"))
if DB_POOL_MAX_SIZE:
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # Django refuses persistent connections with a pool
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": min(int(os.environ.get("DB_POOL_MIN_SIZE", "2")), DB_POOL_MAX_SIZE),
        "max_size": DB_POOL_MAX_SIZE,
        "timeout": float(os.environ.get("DB_POOL_TIMEOUT", "10")),
    }

# Prepared statements on the site's connections, for the statements a package runs through a prepared cursor
# (the wallet's postings, charge sales and batches): PostgreSQL binds, parses and plans them once per connection.
# The ORM's statements stay client-bound and are never prepared. PgBouncer in transaction pooling mode needs 1.22+
# with max_prepared_statements (psycopg sends DEALLOCATE ALL after a ROLLBACK, which PgBouncer accepts from 1.22);
# an older one, or any transaction-pooling proxy that does not keep prepared statements, DB_PREPARED_STATEMENTS=0.
if os.environ.get("DB_PREPARED_STATEMENTS", "1") != "0":
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 5  # psycopg's own, for any server-side binding cursor

MIDDLEWARE = [
    # Outermost: measures and logs every answer as the client gets it, the tenant lookup's too (demo/observability).
    "demo.observability.middleware.RequestObservabilityMiddleware",
    "demo.http.middleware.ErrorShapeMiddleware",  # sees every answer, also of the tenant lookup
    "django_tenants.middleware.main.TenantMainMiddleware",
    "demo.http.request_guard.ApiRequestGuardMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "demo.http.members_only.DealershipMembersOnlyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "forecourt_core.display.ReaderLocaleMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "demo.http.middleware.DatabaseUnavailableMiddleware",
]

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
            ],
            # |money and |when (forecourt_core.display) in every page and e-mail template.
            "builtins": ["forecourt_core.templatetags.forecourt"],
        },
    }
]

WSGI_APPLICATION = "demo.wsgi.application"
ASGI_APPLICATION = "demo.asgi.application"

# --- people -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "accounts.backends.StaffModelBackend",
    "accounts.backends.DealershipRoleBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# --- API --------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # simplejwt's; the user row read client-bound by a statement built once per process, an access
        # token's validation remembered per process
        "accounts.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "demo.http.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "forecourt_core.drf.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "forecourt_core.drf.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"auth": os.environ.get("AUTH_THROTTLE_RATE", "20/min")},
    # Proxies in front that append to X-Forwarded-For. With DRF's default (None) a client picks its own
    # throttle identity by sending that header; 0 = the socket address, which nobody can forge.
    "NUM_PROXIES": int(os.environ.get("NUM_PROXIES", "0")),
    "NON_FIELD_ERRORS_KEY": "non_field_errors",
}
# The per-account sign-in budget (accounts/throttling.py): this many failed passwords for one username,
# from any addresses, within the window (seconds) lock it until the window ends.
SIGN_IN_ACCOUNT_FAILURES = int(os.environ.get("SIGN_IN_ACCOUNT_FAILURES", "10"))
SIGN_IN_ACCOUNT_WINDOW = int(os.environ.get("SIGN_IN_ACCOUNT_WINDOW", "900"))
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=7),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Forecourt API",
    "DESCRIPTION": "Marketplace, wallet, CRM, payroll, trading and notifications for car dealerships.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "LeadStatusEnum": "django_leads.models.LeadStatus",
        "CommissionStatusEnum": "django_leads.models.Commission.Status",
        # Several packages name a choice field "kind"/"status"; name each enum after its owner.
        "CommissionRuleKindEnum": "django_leads.models.CommissionRule.Kind",
        "ComponentKindEnum": "django_payroll.models.ComponentKind",
        "PayrollRunKindEnum": "django_payroll.models.PayrollRun.Kind",
        "PayrollRunStatusEnum": "django_payroll.models.PayrollRun.Status",
        "EmployeeStatusEnum": "django_payroll.models.Employee.Status",
        "LedgerAccountTypeEnum": "django_books.models.AccountType",
        "VehicleCostKindEnum": "django_books.models.VehicleCost.Kind",
        "WalletAccountStatusEnum": "django_wallet.models.Account.Status",
        "AgentRoleEnum": "django_leads.models.AgentRole",
        "MembershipRoleEnum": "accounts.roles.ROLE_CHOICES",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "demo.http.openapi.drop_blank_format_defaults",
        "demo.http.openapi_summaries.add_summaries",
    ],
    # Swagger UI and ReDoc from drf-spectacular-sidecar's own static files: the docs work offline and
    # never change under us the way a CDN's @latest does.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Redis: cache, Celery, Channels -------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
# django-redis keeps one connection pool per Redis URL for the whole process. Django's own RedisCache
# builds a pool per backend instance, and Django keeps one instance per async context: under ASGI that
# is a new pool, and a new connection to Redis, for every request.
_REDIS_CACHE = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL}
CACHES = {
    # Tenant data: keys prefixed by schema so dealer1 and dealer2 never share an entry.
    "default": {
        **_REDIS_CACHE,
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "KEY_PREFIX": "fc",
    },
    # Shared data (trading quotes, wallet): one copy for every host.
    "shared": {**_REDIS_CACHE, "KEY_PREFIX": "fcs"},
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ACKS_LATE = True
# Every task is fire-and-forget (outbox rows and domain rows hold the state). Storing no results also
# keeps the sender off the Redis result backend: with results on, each send subscribes to a result
# channel and, with Redis down, blocks for its whole reconnect loop instead of failing fast.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 300}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# beat keeps its schedule in Redis (celery-redbeat), not in a local file: nothing to create before it
# starts, nothing a second beat could corrupt, and redbeat's lock lets only one beat send at a time.
CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
CELERY_REDBEAT_REDIS_URL = REDIS_URL
CELERY_REDBEAT_REDIS_OPTIONS = {}  # the broker's visibility timeout means nothing to the schedule
CELERY_BEAT_SCHEDULE = {
    "wallet-release-expired-holds": {"task": "wallet.release_expired_holds", "schedule": 60.0},
    "wallet-verify-ledger": {"task": "wallet.verify_ledger", "schedule": 3600.0},
    # The one outbox (forecourt_core.events): domain events, the e-mails and pushes they cause, and the
    # orders to settle. Each commit also kicks a relay; this one delivers what a dead broker, a killed
    # process or a failed attempt left behind.
    "forecourt-events-relay": {"task": "forecourt_events.relay", "schedule": 5.0},
    "forecourt-events-purge": {"task": "forecourt_events.purge", "schedule": 86400.0},
    # The marketplace index (public schema) holds every store's featuring; the task enters it itself.
    "car-listing-expire-featured": {"task": "car_listing.expire_featured", "schedule": 60.0},
    # Postings the event handlers did not make (django-books' task running demo/glue/books.py's sweep).
    "books-reconcile": {"task": "books.reconcile", "schedule": 300.0},
}
# How far back books.reconcile looks for business events without their entry (days), and the
# recent seconds it leaves to the event handlers (the events relay posts them).
BOOKS_RECONCILE_DAYS = int(os.environ.get("BOOKS_RECONCILE_DAYS", "7"))
BOOKS_RECONCILE_GRACE_SECONDS = int(os.environ.get("BOOKS_RECONCILE_GRACE_SECONDS", "60"))

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL], "prefix": "fc-asgi"},
    }
}

# --- e-mail -----------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Forecourt <noreply@forecourt.localhost>")

# --- files, i18n ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# WhiteNoise serves static files from the app server (uvicorn alone, no separate web server);
# without collectstatic (dev, tests) it finds them where they live.
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024  # also bounds JSON API bodies (demo.http.request_guard)
API_MAX_JSON_DEPTH = 64
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- domain packages ----------------------------------------------------------
# The one currency setting: the wallet books in it and every page, e-mail and PDF shows amounts in it.
FORECOURT_CURRENCY = os.environ.get("WALLET_CURRENCY", "USD")
WALLET_CURRENCY = FORECOURT_CURRENCY
TRADING_CACHE_ALIAS = "shared"
# Marketplace facets count every store's listings: one copy for every host, so no tenant key function.
CAR_LISTING_CACHE_ALIAS = "shared"

# GET /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`; empty = the endpoint is off (404).
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

# JSON lines on stderr, each with the request id, the dealership schema and the user id
# (demo/observability/logs.py); Celery workers and beat use this too. LOG_LEVEL: INFO logs one line per
# request and per task.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "demo.observability.logs.ContextFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(schema)s %(user_id)s",
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["context"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        # uvicorn's own lines in the same shape; its access log is replaced by forecourt.request's line
        "uvicorn": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "uvicorn.access": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

# Phone numbers written without +country (forecourt_core.phones): read in the current dealership's region
# (Dealership.phone_region) when it set one, else in the deployment's (an ISO 3166 code such as GB; unset:
# only numbers with their country code).
FORECOURT_PHONE_REGION = os.environ.get("PHONE_REGION") or None
FORECOURT_PHONE_REGION_HOOK = "demo.glue.hooks.phone_region"

# Hooks the packages call (demo/glue/hooks.py): stores are dealership schemas.
CAR_LISTING_CURRENT_STORE = "demo.glue.hooks.current_store"
CAR_LISTING_STORE_CONTEXT = "demo.glue.hooks.store_context"
CAR_LISTING_STORE_ACCOUNT = "demo.glue.hooks.store_account"
CAR_LISTING_STORE_ACCOUNT_WITH = "demo.glue.hooks.store_account_with"
CAR_LISTING_STORE_NAME = "demo.glue.hooks.store_name"
CAR_LISTING_LEAD_COUNTER = "demo.glue.hooks.lead_count"
LEADS_BUSINESS_ACCOUNT = "demo.glue.hooks.current_business_account"
PAYROLL_BUSINESS_ACCOUNT = "demo.glue.hooks.current_business_account"
PAYROLL_MONEY_FORMAT = "forecourt_core.display.money"  # the payslip PDF shows amounts as the pages do
# The books' wallet account mirrors the dealership's wallet; invoices start with its name.
BOOKS_WALLET_ACCOUNT = "demo.glue.hooks.current_business_account"
# The dealership's wallet movements reach its books as wallet.transaction_posted events (demo/glue/wiring.py).
WALLET_TRANSACTION_EVENT_OWNERS = ["tenancy.Dealership"]
BOOKS_PROFILE_DEFAULTS = "demo.glue.hooks.books_profile_defaults"
BOOKS_RECONCILER = "demo.glue.books.reconcile_all"
FORECOURT_EVENTS_ROUTE = "demo.glue.hooks.event_route"
FORECOURT_EVENTS_ROUTE_CONTEXT = "demo.glue.hooks.event_route_context"
# The mark of a kicked relay run waiting: one key for every host and the workers, so no tenant key function.
FORECOURT_EVENTS_KICK_CACHE = "shared"
PAYROLL_EMPLOYER_NAME = "demo.glue.hooks.current_dealership_name"
