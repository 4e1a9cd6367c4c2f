"""Settings read once from FEEDBACK_* environment variables."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from feedback.clock import Clock, SystemClock
from feedback.errors import ConfigurationError

__all__ = ["Settings", "TierThresholds"]

# Relative to the folder the service runs in.
DEFAULT_DATABASE_URL = "sqlite:///var/feedback.sqlite3"
RELAXED_ENVIRONMENTS = frozenset({"demo", "dev", "test"})
DEMO_SECRET_KEY = "feedback-demo-key-not-for-production-use"  # noqa: S105


@dataclass(frozen=True)
class TierThresholds:
    """Cumulative revenue shares closing tiers A, B and C; the rest is D (DOMAIN.md)."""

    a: float = 0.50
    b: float = 0.80
    c: float = 0.95

    def __post_init__(self) -> None:
        if not 0 < self.a < self.b < self.c <= 1:
            raise ConfigurationError(
                "tier thresholds must satisfy 0 < A < B < C <= 1, "
                f"got A={self.a}, B={self.b}, C={self.c}"
            )

    @classmethod
    def parse(cls, text: str) -> TierThresholds:
        """Read ``"0.5,0.8,0.95"``."""
        try:
            a, b, c = (float(part) for part in text.split(","))
        except ValueError as exc:
            raise ConfigurationError(
                f"FEEDBACK_TIER_THRESHOLDS must be three comma-separated shares, got {text!r}"
            ) from exc
        return cls(a, b, c)


@dataclass(frozen=True)
class Settings:
    """Everything the service reads from its environment."""

    environment: str = "dev"
    database_url: str = DEFAULT_DATABASE_URL
    base_url: str = "http://127.0.0.1:8000"
    secret_key: str = DEMO_SECRET_KEY
    smtp_url: str = "smtp://127.0.0.1:25"
    allowed_hosts: tuple[str, ...] = ("*",)
    tier_thresholds: TierThresholds = field(default_factory=TierThresholds)
    session_hours: int = 12
    max_body_bytes: int = 1_048_576
    login_attempts_per_minute: int = 10
    customer_posts_per_hour: int = 20
    # The complaint deadlines policy file (JSON); empty: the built-in policy.
    sla_policy_file: str = ""
    # The day the service runs on, for demos and tests; None: the real day.
    today: dt.date | None = None

    @property
    def production(self) -> bool:
        return self.environment not in RELAXED_ENVIRONMENTS

    def clock(self) -> Clock:
        """The real clock, moved to run from ``today`` when one is set."""
        return SystemClock(self.today)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from the environment; refuse unsafe defaults in production."""
        env = os.environ if env is None else env
        environment = env.get("FEEDBACK_ENV", "dev")
        secret_key = env.get("FEEDBACK_SECRET_KEY", "")
        if not secret_key:
            if environment not in RELAXED_ENVIRONMENTS:
                raise ConfigurationError(
                    "FEEDBACK_SECRET_KEY is required when FEEDBACK_ENV is "
                    f"{environment!r} (only demo, dev and test may run without it)"
                )
            secret_key = DEMO_SECRET_KEY
        elif len(secret_key) < 32:
            raise ConfigurationError("FEEDBACK_SECRET_KEY must be at least 32 characters")
        hosts = env.get("FEEDBACK_ALLOWED_HOSTS", "*")
        return cls(
            environment=environment,
            database_url=env.get("FEEDBACK_DATABASE_URL", DEFAULT_DATABASE_URL),
            base_url=env.get("FEEDBACK_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
            secret_key=secret_key,
            smtp_url=env.get("FEEDBACK_SMTP_URL", "smtp://127.0.0.1:25"),
            allowed_hosts=tuple(h.strip() for h in hosts.split(",") if h.strip()),
            tier_thresholds=TierThresholds.parse(
                env.get("FEEDBACK_TIER_THRESHOLDS", "0.5,0.8,0.95")
            ),
            session_hours=int(env.get("FEEDBACK_SESSION_HOURS", "12")),
            login_attempts_per_minute=int(env.get("FEEDBACK_LOGIN_ATTEMPTS_PER_MINUTE", "10")),
            customer_posts_per_hour=int(env.get("FEEDBACK_CUSTOMER_POSTS_PER_HOUR", "20")),
            sla_policy_file=env.get("FEEDBACK_SLA_POLICY", ""),
            today=_read_today(env.get("FEEDBACK_TODAY", ""), environment),
        )


def _read_today(text: str, environment: str) -> dt.date | None:
    if not text:
        return None
    if environment not in RELAXED_ENVIRONMENTS:
        raise ConfigurationError(
            "FEEDBACK_TODAY moves the service's clock and is only for demo, dev and test; "
            f"remove it when FEEDBACK_ENV is {environment!r}"
        )
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ConfigurationError(
            f"FEEDBACK_TODAY must be a day written YYYY-MM-DD, got {text!r}"
        ) from exc
