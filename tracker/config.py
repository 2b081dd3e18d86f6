"""Settings, read from environment variables that start with ``TRACKER_``.

``TRACKER_SECRET_KEY=...`` becomes ``SECRET_KEY``; ``TRACKER_DATABASE_URL`` becomes ``DATABASE_URL``.
Values are parsed as JSON when they can be (so ``TRACKER_IDLE_MINUTES=20`` is a number).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ENV_PREFIX = "TRACKER"

DEFAULTS = {
    # "production" unless told otherwise: the safe default refuses to start without a real secret.
    "ENV": "production",
    "SECRET_KEY": None,
    "DATABASE_URL": None,  # None: SQLite file under the instance folder
    "SQLALCHEMY_ECHO": False,
    "LANGUAGES": {"en": "English", "pl": "Polski"},
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_DEFAULT_TIMEZONE": "Europe/London",
    # Residents use shared library PCs: short idle time-out, warn two minutes before.
    "RESIDENT_IDLE_MINUTES": 15,
    "IDLE_WARNING_SECONDS": 120,
    # Staff are signed out after a working day of idleness; they use their own devices.
    "STAFF_IDLE_MINUTES": 8 * 60,
    # Sign-in throttling: failures inside the window before a 429.
    "SIGN_IN_WINDOW_MINUTES": 15,
    "SIGN_IN_MAX_FAILURES_PER_ACCOUNT": 5,
    "SIGN_IN_MAX_FAILURES_PER_CLIENT": 20,
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "SESSION_COOKIE_NAME": "mml_session",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": None,  # None: secure everywhere but local development
    "WTF_CSRF_TIME_LIMIT": None,  # the CSRF token lives as long as the sign-in session
    "WTF_CSRF_HEADERS": ["X-CSRFToken"],
    # Per-person limits on staff lists and exports (tracker/domain/throttle.py); off only for benchmarks.
    "RATE_LIMITS": True,
    # Rendered plans each worker keeps (see tracker/pagecache.py); 0 switches the cache off.
    "PLAN_CACHE_SIZE": 128,
    # The number of proxies in front of the app that set X-Forwarded-For (0: none).
    "PROXY_COUNT": 0,
    # GOV.UK Notify, for text messages (tracker/domain/texts.py). Without a key, texts stay in the
    # outbox (admins see it in development). The SMS template's whole text is ((message)).
    "NOTIFY_API_KEY": None,
    "NOTIFY_SMS_TEMPLATE_ID": None,
    # When a text cannot be delivered: a letter (the template's body is ((message)); Notify prints the
    # address) or an email. Without one, no letter or email is sent.
    "NOTIFY_LETTER_TEMPLATE_ID": None,
    "NOTIFY_EMAIL_TEMPLATE_ID": None,
    "NOTIFY_BASE_URL": "https://api.notifications.service.gov.uk",
    # /forgot answers no sooner than this, whether or not a code was texted (Notify's answer takes
    # about this long), so the time taken does not say whether the username and number are someone's.
    "FORGOT_ANSWER_SECONDS": 1.5,
}

DEVELOPMENT_ENVS = {"development", "testing"}


class ConfigError(RuntimeError):
    """The service cannot start safely with these settings."""


def load_config(app, overrides: dict | None = None) -> None:
    """Fill ``app.config``: defaults, then environment, then explicit overrides (tests)."""
    app.config.update(DEFAULTS)
    app.config.from_prefixed_env(prefix=ENV_PREFIX)
    if overrides:
        app.config.update(overrides)

    env = app.config["ENV"]
    development = env in DEVELOPMENT_ENVS
    app.config["DEVELOPMENT"] = development
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = not development
    if env == "testing":
        app.config["TESTING"] = True

    if not app.config.get("SECRET_KEY"):
        if not development:
            raise ConfigError(
                "TRACKER_SECRET_KEY is not set. Set it to a long random value, for example: "
                "export TRACKER_SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))'). "
                "For local development set TRACKER_ENV=development instead."
            )
        app.config["SECRET_KEY"] = _development_secret(Path(app.instance_path))

    if not app.config.get("DATABASE_URL"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'tracker.sqlite3'}"


def _development_secret(instance: Path) -> str:
    """A random key kept in the instance folder, so a restart does not sign everyone out."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "development-secret-key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        os.chmod(path, 0o600)
    return path.read_text().strip()
