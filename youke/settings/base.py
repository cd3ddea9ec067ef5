"""Settings shared by every environment.

Everything that differs between a laptop, CI and the district's servers is
read from environment variables (see docs/configuration.md); with none set
the site runs on its embedded default.
"""

from datetime import timedelta
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from core.env import env_bool, env_int, env_list, env_str

from . import services

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent
# Runtime state of the embedded default: SQLite file, media, broker queue.
VAR_DIR = Path(env_str("YOUKE_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("SECRET_KEY")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "home",
    "bundles",
    "supervision",
    "resources",
    "search",
    "sso",
    "media_pipeline",
    "training",
    "wagtail.contrib.forms",
    "wagtail.contrib.settings",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "storages",
    "axes",
    "django_ratelimit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages and playlists compressed (a lesson page is ~5x smaller): on a
    # 256 kbit/s line every kB is 31 ms. Django pads the response against BREACH.
    # After WhiteNoise, which serves its own precompressed static files.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "sso.middleware.TokenRefreshMiddleware",
    "resources.admin_privacy.DraftPrivacyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Over a limit, a view raises Ratelimited; this answers 429 (RATELIMIT_VIEW).
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Last, as axes asks: turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "youke.urls"
WSGI_APPLICATION = "youke.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Services: each one switched from the embedded default by the environment.
DATABASES = {"default": services.database(VAR_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

WAGTAILSEARCH_BACKENDS = services.search()

MEDIA_ROOT = VAR_DIR / "media"
# The district's Ed25519 key that signs offline bundles (bundles.signing; manage.py bundle_key --generate).
# Where the admin's 离线资源包 page writes bundles (one folder per bundle id, served to schools by the web server).
BUNDLE_OUTPUT_DIR = Path(env_str("YOUKE_BUNDLE_OUTPUT_DIR", str(VAR_DIR / "bundles")))
BUNDLE_SIGNING_KEY = Path(env_str("YOUKE_BUNDLE_SIGNING_KEY", str(VAR_DIR / "bundle-signing-key.pem")))
MEDIA_URL = "/media/"
STORAGES = services.storages(MEDIA_ROOT)

CACHES = services.cache()

CELERY_BROKER_URL, CELERY_BROKER_TRANSPORT_OPTIONS = services.celery_broker(VAR_DIR)
# --- Request limits (sso.ratelimits): "count/period" (s, m, h, d) per signed-in user,
# else per client IP; each overridable by RATE_LIMIT_<NAME>, e.g. RATE_LIMIT_SEARCH=120/m.
YOUKE_RATE_LIMITS = {
    name: env_str(f"RATE_LIMIT_{name.upper()}", default)
    for name, default in {
        "search": "60/m",
        "autocomplete": "300/m",
        "upload_session": "30/h",
        "upload_part": "1200/h",
        "export": "20/h",
    }.items()
}
RATELIMIT_USE_CACHE = "default"  # Redis with REDIS_URL: shared by every worker, atomic incr
RATELIMIT_VIEW = "sso.ratelimits.ratelimited"
# While Redis is away the counters cannot be read: let searches through rather
# than answer every one 「请求过于频繁」 (logins are throttled by axes, in the database).
RATELIMIT_FAIL_OPEN = True
SILENCED_SYSTEM_CHECKS = [
    # Django's own RedisCache increments atomically (INCRBY); django-ratelimit only lists django-redis's.
    "django_ratelimit.W001",
    # Without Redis (the embedded default, one process) the memory cache is the only atomic one.
    *(["django_ratelimit.E003"] if "locmem" in CACHES["default"]["BACKEND"] else []),
]

CELERY_RESULT_BACKEND = services.celery_results(VAR_DIR)
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-job leaves the job queued
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # long transcodes must not hoard jobs
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "media_pipeline.tasks.*": {"queue": "transcode"},
    # Bulk, not urgent: an import of a thousand documents must not hold up
    # the short jobs (and the health check's ping) on the default queue.
    "search.extract_document_text": {"queue": "transcode"},
    # An export may encode 144p with ffmpeg: the transcoders' queue, not the short jobs'.
    "bundles.build_bundle": {"queue": "transcode"},
}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TIMEZONE = "Asia/Shanghai"
# Users, roles and schools from Keycloak (sso.tasks); does nothing without Keycloak.
CELERY_BEAT_SCHEDULE = {
    "sso-sync-keycloak": {"task": "sso.sync_keycloak", "schedule": env_int("KEYCLOAK_SYNC_INTERVAL", 3600)},
    # Abandoned video uploads (media_pipeline.upload_tasks); hourly is plenty for a 48 h limit.
    "media-pipeline-cleanup-uploads": {"task": "media_pipeline.cleanup_uploads", "schedule": 3600},
    # Transcode jobs a killed worker or a lost message left behind (media_pipeline.jobs).
    "media-pipeline-requeue-stuck": {
        "task": "media_pipeline.requeue_stuck",
        "schedule": env_int("TRANSCODE_REQUEUE_SECONDS", 600),
    },
    # Index updates the search engine missed while it was down (search.retry), every 5 minutes.
    "search-retry-index": {"task": "search.retry_index_updates", "schedule": env_int("SEARCH_RETRY_SECONDS", 300)},
    # Usage events into the school x day x lesson roll-up, and user ids past retention dropped (supervision.rollup).
    "supervision-rollup-usage": {
        "task": "supervision.rollup_usage",
        "schedule": env_int("SUPERVISION_ROLLUP_SECONDS", 900),
    },
}
# A transcode job whose worker sent no heartbeat for this long is queued again (media_pipeline.jobs);
# workers beat every 15 s, so keep it well above that.
TRANSCODE_STUCK_SECONDS = max(env_int("TRANSCODE_STUCK_SECONDS", 600), 45)
# How long a usage event keeps its user id (de-duplication needs it); then only the roll-up remains.
SUPERVISION_USER_RETENTION_DAYS = env_int("SUPERVISION_USER_RETENTION_DAYS", 30)
# Seconds the supervision pages' tables stay cached (supervision.cache); only with a
# shared cache (Redis), where a roll-up's new generation reaches every web process.
SUPERVISION_CACHE_SECONDS = env_int("SUPERVISION_CACHE_SECONDS", 300 if "Redis" in CACHES["default"]["BACKEND"] else 0)
# Task modules not named tasks.py, which autodiscovery would not find.
CELERY_IMPORTS = ["media_pipeline.upload_tasks"]

KEYCLOAK = services.keycloak()
# Where the site itself calls Keycloak when browsers use another address (compose: http://keycloak:8080);
# tokens are still checked against the public KEYCLOAK_SERVER_URL's issuer.
KEYCLOAK_INTERNAL_URL = env_str("KEYCLOAK_INTERNAL_URL")

# Bounded waits for the health endpoint, so a hung service cannot hang /healthz.
HEALTHCHECK_TIMEOUT = env_int("HEALTHCHECK_TIMEOUT", 3)

# --- Accounts
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Keycloak logins first; local passwords only without Keycloak or for break-glass superusers.
# The lockout check (django-axes) first, so a locked-out login never reaches a password check.
AUTHENTICATION_BACKENDS = [
    "sso.backends.LoginLockoutBackend",
    "sso.backends.KeycloakBackend",
    "sso.backends.LocalPasswordBackend",
]
# --- Login lockout (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one
# username from one IP, that pair is locked for the cool-off. By the pair, not the IP
# alone: a whole school shares one NAT address, and one pupil guessing must not lock
# out every teacher there; nor by username alone, which would let anyone lock any
# account from anywhere. Keycloak logins are left to Keycloak's own brute-force detection.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "sso.ratelimits.lockout_response"
AXES_WHITELIST_CALLABLE = "sso.ratelimits.lockout_exempt"
# The client address as Django sees it; behind a proxy set both to what it sends
# (e.g. HTTP_X_FORWARDED_FOR and 1), or every client looks like the proxy.
AXES_IPWARE_META_PRECEDENCE_ORDER = env_list("LOGIN_IP_META_KEYS", ["REMOTE_ADDR"])
AXES_IPWARE_PROXY_COUNT = env_int("LOGIN_IP_PROXY_COUNT", 0) or None
AXES_COOLOFF_MESSAGE = _("登录失败次数过多，该账号在本网络的登录已暂时锁定，请稍后再试。")
# The single sign-on page hands over to Django's own login when Keycloak is not configured.
LOGIN_URL = "sso_login"
LOGIN_REDIRECT_URL = "/"
WAGTAILADMIN_LOGIN_URL = "sso_login"
WAGTAIL_FRONTEND_LOGIN_URL = "sso_login"
WAGTAILADMIN_USER_LOGIN_FORM = "sso.forms.LoginForm"
# Superusers who may still sign in with a local password when Keycloak is configured (for its outages).
SSO_BREAK_GLASS_USERNAMES = env_list("SSO_BREAK_GLASS_USERNAMES")
# With Keycloak, passwords and e-mail addresses are managed there, not in the admin.
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = KEYCLOAK is None
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = KEYCLOAK is None

# --- Language: Chinese first, English available.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_URL = "/static/"

# Wagtail's page editor can exceed Django's default of 1000 form fields.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Wagtail
# Review integrity (resources.publishing): a change after a rejection is reviewed again from the
# school level, and the end of a review publishes the approved revision, not the latest one.
WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT = True
# No editor autosave: it posts the whole form half a second after every change, which a
# 256 kbit/s link cannot carry, and on the real services an autosave still in flight lost a
# document part the teacher had just attached (tests/journeys/test_teacher.py). 保存草稿 saves.
WAGTAIL_AUTOSAVE_INTERVAL = env_int("WAGTAIL_AUTOSAVE_INTERVAL", 0)
WAGTAIL_FINISH_WORKFLOW_ACTION = "resources.workflow_finish.publish_approved_revision"
WAGTAIL_SITE_NAME = _("优课 · 一师一优课资源平台")
# The dashboard banner about a new Wagtail release links to English pages outside the district network.
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAILADMIN_BASE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# Every kind of file a lesson package holds; resources.filetypes checks the
# content of each against its extension and the part it is attached to.
WAGTAILDOCS_EXTENSIONS = [
    "pdf", "doc", "docx", "wps", "ppt", "pptx", "key", "xls", "xlsx", "txt", "rtf", "odt", "odp", "ods", "csv",
    "zip", "rar", "7z", "jpg", "jpeg", "png", "gif", "webp", "bmp", "mp3", "m4a", "wav", "aac", "ogg",
    "mp4", "mov", "m4v", "webm", "mkv", "avi", "flv", "3gp", "mpg", "mpeg", "ts",
]  # fmt: skip
WAGTAILDOCS_MAX_UPLOAD_SIZE = env_int("DOCUMENT_MAX_UPLOAD_MB", 200) * 1024 * 1024

# --- Video uploads from the browser (media_pipeline.uploads)
VIDEO_MAX_UPLOAD_SIZE = env_int("VIDEO_MAX_UPLOAD_MB", 4096) * 1024 * 1024
# S3 wants every part but the last to be at least 5 MiB; 8 MiB takes about
# four minutes at 256 kbit/s, so a dropped connection costs little to resend.
UPLOAD_PART_SIZE = env_int("UPLOAD_PART_MB", 8) * 1024 * 1024
UPLOAD_ABANDON_HOURS = env_int("UPLOAD_ABANDON_HOURS", 48)
# The S3 endpoint as the browser reaches it, when it differs from the site's (compose: minio:9000).
S3_PUBLIC_ENDPOINT_URL = env_str("S3_PUBLIC_ENDPOINT_URL")
# Chunks of uploads to local storage wait here, out of the web-served media folder.
UPLOAD_CHUNK_DIR = VAR_DIR / "upload-chunks"

# Bytes one user may start uploading per day (uploads under way and finished); 0: no quota.
UPLOAD_DAILY_QUOTA = env_int("UPLOAD_DAILY_QUOTA_MB", 20480) * 1024 * 1024
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # django_tasks logs every search-index update at INFO: too chatty for a console.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "django_tasks": {"level": "WARNING"}},
}
