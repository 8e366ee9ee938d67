"""Settings for socialbiz, read from the environment (see .env.example for every variable)."""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env file is a convenience for developers; real deployments set the environment.
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core: debug, secret key, hosts, the site --------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off. "
            "Set it to a long random string (python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

SITE_NAME = env.str("SITE_NAME", default="socialbiz")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Apps, middleware, URLs and templates ------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "django_htmx",
    "template_partials",
    "csp",
    "ninja",  # the API docs' Swagger UI from static files, not a CDN
    "people",
    "activity",
    "movements",
    "feedback",
    "sponsors",
    "conversation",
    "nudges",
    "pilots",
    "dashboards",
    "integrations",
    "api",
    "portal",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # django-csp's, with the policy built once (socialbiz/middleware.py).
    "socialbiz.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Saves no session on the request that posts anonymously (feedback/views.py, people/middleware.py).
    "people.middleware.SessionWriteGuardMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A form post over DATA_UPLOAD_MAX_MEMORY_SIZE comes back as its form with the text kept (not a bare
    # 400): it must be read before the CSRF check reads request.POST.
    "socialbiz.middleware.OversizedFormPostMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, taking the person read together with the session (people/sessions.py).
    "people.middleware.AuthenticationMiddleware",
    # The person's saved language and time zone, before anything renders or translates a message.
    "people.middleware.PersonLocaleMiddleware",
    # Django's LoginRequiredMiddleware, except that an htmx request from a signed-out tab gets HX-Redirect
    # to the login page (the bell's poll a 204), not the login page swapped into the header.
    "people.middleware.HtmxLoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Signs out leavers and timed-out sessions (people/middleware.py): after authentication and messages.
    "people.middleware.SessionPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "socialbiz.middleware.PrivateNoStoreMiddleware",
    "socialbiz.structured_logs.RequestLogMiddleware",
    "socialbiz.middleware.SingleSignOnFormActionMiddleware",
]

ROOT_URLCONF = "socialbiz.urls"
WSGI_APPLICATION = "socialbiz.wsgi.application"
ASGI_APPLICATION = "socialbiz.asgi.application"

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
                "socialbiz.context_processors.site",
                # The text a signed-out tab posted, put back after signing in (people/kept_text.py).
                "people.context_processors.restored_form",
            ],
            "builtins": ["django.templatetags.i18n", "socialbiz.l10n_tags"],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
# Unset DATABASE_URL: a SQLite file, the zero-setup demo. postgres://... in production and tests.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A fresh connection per request costs ~6x throughput (ENVIRONMENT.md); keep them open.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=600)
    # Checking a kept connection costs a round trip (SELECT 1) on every request; without the check, a connection
    # the server dropped (a restart) fails one request per web process with the 503 page, then reconnects.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DATABASE_CONN_HEALTH_CHECKS", default=True)
    # PostgreSQL's JIT compiles any query its planner costs high (the dashboards' grouped queries) and
    # spent ~45 ms doing so on 100 ms queries at the large scale (EXPLAIN ANALYZE); it pays off only for
    # long analytical queries, which a page never runs.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # Behind PgBouncer in transaction mode each transaction may get another server connection, so nothing
    # may outlive one: no server-side cursors, no prepared statements, no session settings at connect
    # (set jit = off on the role instead: ALTER ROLE ... SET jit = off, docs/deploy.md).
    DATABASE_POOLER = env.str("DATABASE_POOLER", default="")
    if DATABASE_POOLER == "pgbouncer":
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
        DATABASES["default"]["OPTIONS"].pop("options")
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = None
    elif DATABASE_POOLER:
        raise ImproperlyConfigured("DATABASE_POOLER is empty or pgbouncer.")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Optional streaming replica for the dashboards' and analytics' figures (socialbiz/replica.py): reads
# fall back to the primary when it is unreachable or replays more than REPLICA_MAX_LAG_SECONDS behind.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=30.0)
REPLICA_CHECK_SECONDS = env.float("REPLICA_CHECK_SECONDS", default=5.0)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **DATABASES["default"],
        **env.db_url_config(DATABASE_REPLICA_URL),
        "OPTIONS": DATABASES["default"].get("OPTIONS", {}),
        # The test run never creates a second test database for it: tests use the primary's.
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["socialbiz.replica.ReplicaRouter"]

# --- Cache (Redis when REDIS_URL is set) ---------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # django-redis: when Redis is down the cache misses instead of failing the request, so people
            # can still sign in, post, follow and vote (rate-limit counters then let the action through).
            "BACKEND": "socialbiz.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="socialbiz"),
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "socialbiz.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "people.User"
# Password sign-in (refused when PASSWORD_LOGIN_ENABLED is false) by email, through Django and allauth.
AUTHENTICATION_BACKENDS = ["people.backends.PasswordModelBackend", "people.backends.PasswordAllauthBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="none")
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_ADAPTER = "people.adapters.AccountAdapter"
# Sign-up: closed by default (people come from the directory import or SSO); open only to the listed
# email domains when SIGNUP_ALLOWED_DOMAINS is set, or to anyone with SIGNUP_OPEN=true (the demo).
SIGNUP_ALLOWED_DOMAINS = [d.lower().lstrip("@") for d in env.list("SIGNUP_ALLOWED_DOMAINS", default=[])]
SIGNUP_OPEN = env.bool("SIGNUP_OPEN", default=bool(SIGNUP_ALLOWED_DOMAINS))
# Sign-up never tells whether an address already has an account: both answers are "check your email"
# (the new person confirms the address before signing in; the holder is told someone tried).
ACCOUNT_PREVENT_ENUMERATION = True
SOCIALACCOUNT_PROVIDERS: dict = {}

# --- Single sign-on (OpenID Connect) and sessions ----------------------------------------
# OpenID Connect providers, only from the environment (README: "Single sign-on, directory and privacy").
from people.oidc_settings import oidc_apps_from_env  # noqa: E402

# OIDC_PROVIDERS lists ids, each with OIDC_<ID>_ISSUER/_CLIENT_ID/_SECRET/_LABEL (optional _SCOPES,
# _TOKEN_AUTH_METHOD); or OIDC_PROVIDERS_JSON holds them all. The per-id names are read from env.ENVIRON.
OIDC_APPS = oidc_apps_from_env(
    {
        **env.ENVIRON,
        "OIDC_PROVIDERS": env.str("OIDC_PROVIDERS", default=""),
        "OIDC_PROVIDERS_JSON": env.str("OIDC_PROVIDERS_JSON", default=""),
    }
)
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "APPS": OIDC_APPS,
        "OAUTH_PKCE_ENABLED": True,
        # Adds a nonce bound to the sign-in's state (allauth sends state and PKCE itself).
        "provider_class": "people.sso.NonceOpenIDConnectProvider",
    }
}
SOCIALACCOUNT_ADAPTER = "people.adapters.SocialAccountAdapter"
# Accounts are matched on provider + subject (`sub`), never on the email alone.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_EMAIL_REQUIRED = True
SOCIALACCOUNT_STORE_TOKENS = False
# The provider button leads to a confirmation page that POSTs (no sign-in started by a GET from elsewhere).
SOCIALACCOUNT_LOGIN_ON_GET = False
# A first SSO sign-in creates the person from the provider's claims.
SSO_CREATES_PEOPLE = env.bool("SSO_CREATES_PEOPLE", default=True)
OIDC_DEPARTMENT_CLAIM = env.str("OIDC_DEPARTMENT_CLAIM", default="department")
OIDC_TITLE_CLAIM = env.str("OIDC_TITLE_CLAIM", default="job_title")
# A directory-imported person is linked on first SSO sign-in only when this claim equals their employee id.
OIDC_EMPLOYEE_ID_CLAIM = env.str("OIDC_EMPLOYEE_ID_CLAIM", default="employee_id")
# false: single sign-on is the only way in (password sign-in and sign-up refused everywhere, admin too).
PASSWORD_LOGIN_ENABLED = env.bool("PASSWORD_LOGIN_ENABLED", default=True)
ACCOUNT_FORMS = {"login": "people.forms.LoginForm", "signup": "people.forms.SignupForm"}
# Seconds without a request before a session ends, and since sign-in whatever happens; 0 turns one off.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=60 * 60)
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT", default=60 * 60 * 12)

# --- Email ----------------------------------------------------------------------------------
# With debug off, mail must go somewhere real: a missing EMAIL_URL is an error of `check --deploy`
# (people.checks) and mail is refused, never printed to the console where the logs would keep it.
EMAIL_URL_SET = bool(env.str("EMAIL_URL", default=""))
if EMAIL_URL_SET or DEBUG:
    vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
else:
    EMAIL_BACKEND = "socialbiz.mail.UnconfiguredEmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="socialbiz <socialbiz@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- I18N and time --------------------------------------------------------------------------
# Each language's own name: a person looking for their language finds it written the way they read it.
LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
    ("ar", "العربية"),
]
# The language of someone without a saved preference whose browser asks for none of ours, and of mail to an
# address without an account (an invitation). One of LANGUAGES.
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"LANGUAGE_CODE must be one of {', '.join(dict(LANGUAGES))}, not {LANGUAGE_CODE!r}.")
# Our own date formats per language where Django's differ from what the pages were designed with.
FORMAT_MODULE_PATH = ["socialbiz.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env.bool("STATIC_MANIFEST", default=True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=DEBUG)

# --- Security -------------------------------------------------------------------------------
# HTTPS is on whenever debug is off; set DJANGO_HTTPS=false only for local tests over plain http.
HTTPS = env.bool("DJANGO_HTTPS", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)
# Sessions stay in PostgreSQL only. Reading them from Redis (cached_db) saved a query a page, but every read
# resets the key's idle time in Redis, which would date each person's last request, the anonymous post's
# included (the quiet window in people/middleware.py exists to keep that undatable). Django's database engine,
# read with one plain SELECT instead of the ORM's compiler (people/sessions.py).
SESSION_ENGINE = "people.sessions"

# --- Content security policy ------------------------------------------------------------------
# No inline scripts, no eval (htmx is configured to match in base.html), nothing from outside the site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}

# --- Movements and feedback ------------------------------------------------------------------
# Members with join order 2 .. 1+N are a movement's first followers.
FIRST_FOLLOWERS_COUNT = env.int("FIRST_FOLLOWERS_COUNT", default=3)
# An invitation not answered this many days after it was sent (or sent again) expires.
INVITATION_EXPIRY_DAYS = env.int("INVITATION_EXPIRY_DAYS", default=14)

# Minutes during which a person may edit or delete their own comment.
FEEDBACK_COMMENT_EDIT_MINUTES = env.int("FEEDBACK_COMMENT_EDIT_MINUTES", default=15)
# A merge of a duplicate post can be undone for this many days (feedback/merging.py).
MERGE_UNDO_DAYS = env.int("MERGE_UNDO_DAYS", default=14)
# Anonymous posts wait in a queue and are published in shuffled batches (feedback/publication.py): a batch
# goes out once ANONYMOUS_PUBLISH_MINUTES have passed since the last one and at least ANONYMITY_MIN_CROWD
# distinct people were active in between, so a post narrows its writer to no fewer than that many people.
ANONYMITY_MIN_CROWD = env.int("ANONYMITY_MIN_CROWD", default=5)
ANONYMOUS_PUBLISH_MINUTES = env.int("ANONYMOUS_PUBLISH_MINUTES", default=30)
# How often the queue is checked (and, when nothing is published, rewritten and vacuumed).
ANONYMOUS_QUEUE_TICK_SECONDS = env.int("ANONYMOUS_QUEUE_TICK_SECONDS", default=60)
# Anonymous posts waiting at once, for everyone together; more get a 429 until the next batch.
ANONYMOUS_QUEUE_MAX = env.int("ANONYMOUS_QUEUE_MAX", default=200)

# --- Pilots -----------------------------------------------------------------------------------
# While a pilot runs, its members are asked a few anonymous questions (a pulse) every this many days.
PULSE_EVERY_DAYS = env.int("PULSE_EVERY_DAYS", default=7)
# Days the members have to consent, abstain or object to a lead's proposal (adopt, extend, retire).
DECISION_WINDOW_DAYS = env.int("DECISION_WINDOW_DAYS", default=5)

# --- Sponsors and managers ---------------------------------------------------------------------
# A movement still without a sponsor this many days after its pilot started nudges its leads to find one.
SPONSOR_NUDGE_AFTER_DAYS = env.int("SPONSOR_NUDGE_AFTER_DAYS", default=14)
# A profile picture larger than this is refused with the form (its bytes are dropped while reading, never stored).
AVATAR_MAX_UPLOAD_BYTES = env.int("AVATAR_MAX_UPLOAD_BYTES", default=5_000_000)

# --- Nudges ----------------------------------------------------------------------------------
# Time rules for the time-based kinds (see README, Nudges).
NUDGES_CHECKIN_AFTER_DAYS = env.int("NUDGES_CHECKIN_AFTER_DAYS", default=3)
NUDGES_FIND_FIRST_FOLLOWER_AFTER_DAYS = env.int("NUDGES_FIND_FIRST_FOLLOWER_AFTER_DAYS", default=7)
NUDGES_OPEN_ROLES_EVERY_DAYS = env.int("NUDGES_OPEN_ROLES_EVERY_DAYS", default=7)
NUDGES_WELCOME_YOUR_FOLLOWER_AFTER_HOURS = env.int("NUDGES_WELCOME_YOUR_FOLLOWER_AFTER_HOURS", default=24)
NUDGES_DECISION_DUE_AFTER_DAYS = env.int("NUDGES_DECISION_DUE_AFTER_DAYS", default=0)
NUDGES_ACTED_ON_WITHIN_DAYS = env.int("NUDGES_ACTED_ON_WITHIN_DAYS", default=7)
# Time-based sweeps only look this far back, so turning nudges on does not wake up ancient history.
NUDGES_LOOKBACK_DAYS = env.int("NUDGES_LOOKBACK_DAYS", default=30)
NUDGES_DAILY_EMAIL_CAP = env.int("NUDGES_DAILY_EMAIL_CAP", default=3)
# A claim older than this is a worker that died mid-send: the sweep hands the nudge out again.
# Keep it well above NUDGES_SMTP_TIMEOUT_SECONDS.
NUDGES_STUCK_CLAIM_SECONDS = env.int("NUDGES_STUCK_CLAIM_SECONDS", default=600)
# A queued nudge not claimed after this long (broker lost the message) is queued again by the relay.
NUDGES_REQUEUE_AFTER_SECONDS = env.int("NUDGES_REQUEUE_AFTER_SECONDS", default=300)
NUDGES_SMTP_TIMEOUT_SECONDS = env.int("NUDGES_SMTP_TIMEOUT_SECONDS", default=30)
NUDGES_MAX_ATTEMPTS = env.int("NUDGES_MAX_ATTEMPTS", default=8)
NUDGES_RETRY_BACKOFF_SECONDS = env.int("NUDGES_RETRY_BACKOFF_SECONDS", default=30)
NUDGES_RELAY_EVERY_SECONDS = env.float("NUDGES_RELAY_EVERY_SECONDS", default=60.0)
NUDGES_SWEEP_EVERY_SECONDS = env.float("NUDGES_SWEEP_EVERY_SECONDS", default=3600.0)
# The hourly time-based sweep is cut into this many parts that any worker can claim (several workers share it).
NUDGES_SWEEP_PARTS = env.int("NUDGES_SWEEP_PARTS", default=4)
NUDGES_BELL_POLL_SECONDS = env.int("NUDGES_BELL_POLL_SECONDS", default=60)

# --- Dashboards -------------------------------------------------------------------------------
# The daily rollups of the activity log are refreshed this often (seconds); today is always computed live.
DASHBOARDS_ROLLUP_INTERVAL = env.int("DASHBOARDS_ROLLUP_INTERVAL", default=3600)
# The finished /dashboards/ figures are kept this long (0: computed on every request); a new rollup
# day or a new UTC day computes them again at once. The page says when they were computed.
DASHBOARDS_CACHE_SECONDS = env.int("DASHBOARDS_CACHE_SECONDS", default=300)

# --- Rate limits ------------------------------------------------------------------------------
# Counted in the Django cache (Redis when REDIS_URL is set), so they hold across web processes.
# Sign-in and sign-up (allauth's syntax "amount/period/key", key = ip, key (the email) or user). allauth's
# defaults are written out so they are visible and can be tightened: all sign-in attempts per IP; failed
# attempts per IP and per email (more gets "Too many failed login attempts" on the form); sign-ups per IP.
ACCOUNT_RATE_LIMITS = {
    "login": env.str("RATE_LIMIT_SIGN_IN", default="30/m/ip"),
    "login_failed": env.str("RATE_LIMIT_SIGN_IN_FAILED", default="10/m/ip,5/300s/key"),
    "signup": env.str("RATE_LIMIT_SIGN_UP", default="20/m/ip"),
    "reset_password": env.str("RATE_LIMIT_PASSWORD_RESET", default="20/m/ip,5/m/key"),
}
# Per person ("N per M minutes"): following (and joining by a recruit link), "me too" votes, invitations sent.
# More gets a 429 page saying so; nothing changes.
FOLLOW_RATE_LIMIT = env.str("FOLLOW_RATE_LIMIT", default="30 per 10 minutes")
VOTE_RATE_LIMIT = env.str("VOTE_RATE_LIMIT", default="60 per 10 minutes")
INVITE_RATE_LIMIT = env.str("INVITE_RATE_LIMIT", default="30 per hour")
# Comments on feedback and updates on a movement, per person; more re-shows the form with the text and a 429.
COMMENT_RATE_LIMIT = env.str("COMMENT_RATE_LIMIT", default="10 per 10 minutes")
# Watching: events on one item within this many minutes of the first become one notification.
NOTIFY_BATCH_MINUTES = env.int("NOTIFY_BATCH_MINUTES", default=10)
# Mentions: at most this many people are notified of one item's mentions (the author is told when more were named).
MENTIONS_MAX_PER_ITEM = env.int("MENTIONS_MAX_PER_ITEM", default=10)
UPDATE_RATE_LIMIT = env.str("UPDATE_RATE_LIMIT", default="10 per hour")
# Feedback posts per person, e.g. "5 per 10 minutes" or "20 per hour"; more get a 429 page.
FEEDBACK_POST_RATE_LIMIT = env.str("FEEDBACK_POST_RATE_LIMIT", default="5 per 10 minutes")

# --- Integrations: the API, webhooks, chat channels, feeds (README: "Reach") -----------------------
# Personal access tokens: the longest lifetime a person may choose (days); 0 allows tokens that never expire.
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)
# Items per page of a list endpoint, unless the client asks for fewer (limit=...); never more than the max.
API_PAGE_SIZE = env.int("API_PAGE_SIZE", default=20)
API_MAX_PAGE_SIZE = env.int("API_MAX_PAGE_SIZE", default=100)
# Outgoing webhooks and chat messages. Hosts a URL may point to: "*" (any host whose addresses are all public),
# or a comma list of names, ".suffix" patterns and CIDR blocks that are also allowed when private (an
# on-premises receiver). Link-local and cloud metadata addresses are refused whatever this says.
WEBHOOK_ALLOWED_HOSTS = env.list("WEBHOOK_ALLOWED_HOSTS", default=["*"])
# Consecutive failed attempts after which an endpoint is disabled (and staff are told).
WEBHOOK_MAX_FAILURES = env.int("WEBHOOK_MAX_FAILURES", default=10)
# Attempts per delivery before it is given up (retries wait RETRY_BACKOFF_SECONDS x 2^(attempt-1), at most 6 h).
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_RETRY_BACKOFF_SECONDS = env.int("WEBHOOK_RETRY_BACKOFF_SECONDS", default=30)
WEBHOOK_TIMEOUT_SECONDS = env.int("WEBHOOK_TIMEOUT_SECONDS", default=10)
# A claim older than this is a worker that died mid-send: the sweep hands the delivery out again.
WEBHOOK_STUCK_CLAIM_SECONDS = env.int("WEBHOOK_STUCK_CLAIM_SECONDS", default=120)
WEBHOOK_REQUEUE_AFTER_SECONDS = env.int("WEBHOOK_REQUEUE_AFTER_SECONDS", default=300)
WEBHOOK_RELAY_EVERY_SECONDS = env.float("WEBHOOK_RELAY_EVERY_SECONDS", default=30.0)
# After staff rotate an endpoint's secret, the old one still adds a signature for this long (0: not at all).
WEBHOOK_SECRET_OVERLAP_HOURS = env.int("WEBHOOK_SECRET_OVERLAP_HOURS", default=24)

# --- Background work (Celery; Redis is the broker) -------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
# Without Redis, tasks run inline in the web process so the one-machine demo needs nothing else.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="socialbiz")
# Longer than the longest task, so a slow task is not handed to a second worker mid-run.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
# The periodic sweeps (celery beat). Hourly: yesterday's anonymous posts get their activity rows
# in a shuffled batch (feedback.services.anonymous_activity_record).
CELERY_BEAT_SCHEDULE = {
    "nudges-relay": {"task": "nudges.tasks.relay_due_nudges", "schedule": NUDGES_RELAY_EVERY_SECONDS},
    "nudges-requeue-stuck": {
        "task": "nudges.tasks.requeue_stuck_nudges",
        "schedule": NUDGES_RELAY_EVERY_SECONDS,
    },
    "nudges-time-based": {
        "task": "nudges.tasks.sweep_time_based_nudges",
        "schedule": NUDGES_SWEEP_EVERY_SECONDS,
    },
    "nudges-weekly-digest": {
        "task": "nudges.tasks.sweep_weekly_digest",
        "schedule": NUDGES_SWEEP_EVERY_SECONDS,
    },
    "feedback-anonymous-queue": {
        "task": "feedback.tasks.anonymous_queue_tick",
        "schedule": float(ANONYMOUS_QUEUE_TICK_SECONDS),
    },
    "pilots-pulses": {"task": "pilots.tasks.pulses_tick", "schedule": float(ANONYMOUS_QUEUE_TICK_SECONDS)},
    "pilots-stale-measures": {"task": "pilots.tasks.stale_measures_tick", "schedule": 3600.0},
    "feedback-anonymous-activity": {
        "task": "feedback.tasks.record_anonymous_activity",
        "schedule": 3600.0,
    },
    "integrations-relay": {"task": "integrations.tasks.relay_due_deliveries", "schedule": WEBHOOK_RELAY_EVERY_SECONDS},
    "integrations-requeue-stuck": {
        "task": "integrations.tasks.requeue_stuck_deliveries",
        "schedule": WEBHOOK_RELAY_EVERY_SECONDS,
    },
    "dashboards-rollup": {
        "task": "dashboards.tasks.dashboards_rollup",
        "schedule": DASHBOARDS_ROLLUP_INTERVAL,
    },
}

# --- Logging ----------------------------------------------------------------------------------
LOG_FORMAT = env.str("LOG_FORMAT", default="json")  # json (one object per line) or plain
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "socialbiz.structured_logs.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Our own request log replaces Django's, which prints full paths (tokens) on 4xx.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        # Its warnings print the full path ("Forbidden (CSRF cookie not set.): /unsubscribe/<token>/").
        "django.security.csrf": {"level": "ERROR"},
    },
}

# --- Benchmarks ---------------------------------------------------------------------------------
# A one-line "hello" view at /bench/hello for `make bench` to compare pages against.
BENCHMARK_HELLO = env.bool("BENCHMARK_HELLO", default=False)
