"""Settings read once from FEEDBACK_* environment variables."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from feedback.clock import Clock, SystemClock
from feedback.errors import ConfigurationError

__all__ = [
    "DEFAULT_CONTACT_STANDARDS",
    "ContactRequirement",
    "ContactStandards",
    "ReportSchedule",
    "Settings",
    "TierThresholds",
]

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


# How many months each period of a contact standard spans.
CONTACT_PERIOD_MONTHS = {"month": 1, "quarter": 3}
DEFAULT_CONTACT_STANDARDS = (
    "A: 2 visits a quarter, 1 call a month; B: 1 visit a quarter, 1 call a month; "
    "C: 1 call a quarter; D: none"
)
_REQUIREMENT = re.compile(r"(\d+)\s+(visit|call)s?\s+(?:a|per|each)\s+(month|quarter)")


@dataclass(frozen=True)
class ContactRequirement:
    """``count`` contacts of one ``kind`` (visit or call) in every ``period`` (month or quarter)."""

    kind: str
    count: int
    period: str

    @property
    def months(self) -> int:
        return CONTACT_PERIOD_MONTHS[self.period]


@dataclass(frozen=True)
class ContactStandards:
    """How often each tier's accounts are visited and called (DOMAIN.md's defaults)."""

    by_tier: tuple[tuple[str, tuple[ContactRequirement, ...]], ...]

    def of(self, tier: str) -> tuple[ContactRequirement, ...]:
        """The requirements of ``tier``; none for a tier without a standard."""
        return dict(self.by_tier).get(tier, ())

    @classmethod
    def defaults(cls) -> ContactStandards:
        """DOMAIN.md's standards, the ones in force when FEEDBACK_CONTACT_STANDARDS is not set."""
        return cls.parse(DEFAULT_CONTACT_STANDARDS)

    @classmethod
    def parse(cls, text: str) -> ContactStandards:
        """Read ``"A: 2 visits a quarter, 1 call a month; ...; D: none"``."""
        example = f"for example {DEFAULT_CONTACT_STANDARDS!r}"
        by_tier = []
        for part in filter(None, (part.strip() for part in text.split(";"))):
            tier, colon, rest = part.partition(":")
            tier = tier.strip().upper()
            if not colon or tier not in ("A", "B", "C", "D"):
                raise ConfigurationError(
                    f"FEEDBACK_CONTACT_STANDARDS: each part starts with a tier (A, B, C or D) "
                    f"and a colon, got {part!r}; {example}"
                )
            requirements = []
            for item in filter(None, (item.strip() for item in rest.split(","))):
                if item.lower() == "none":
                    continue
                found = _REQUIREMENT.fullmatch(item.lower())
                if found is None or int(found[1]) < 1:
                    raise ConfigurationError(
                        f"FEEDBACK_CONTACT_STANDARDS: tier {tier} says {item!r}; write how many "
                        f"visits or calls in a month or a quarter, {example}"
                    )
                requirements.append(ContactRequirement(found[2], int(found[1]), found[3]))
            by_tier.append((tier, tuple(requirements)))
        return cls(tuple(by_tier))


@dataclass(frozen=True)
class ReportSchedule:
    """When reports are mailed: ``monthly`` on the first working day of each month, and
    ``days_before_closing`` days before each open wave's closing day (0: not then).

    Working days are Monday to Friday less the public holidays of ``holiday_country`` (an
    ISO 3166 code such as DE, with ``holiday_subdivision`` such as BY; empty: weekends
    only). A report not mailed on its day, because no job ran, still goes out up to
    ``catch_up_days`` days later.
    """

    monthly: bool = True
    days_before_closing: int = 7
    holiday_country: str = ""
    holiday_subdivision: str = ""
    catch_up_days: int = 3

    def __post_init__(self) -> None:
        if self.days_before_closing < 0 or self.catch_up_days < 0:
            raise ConfigurationError(
                "FEEDBACK_REPORTS_DAYS_BEFORE_CLOSING and FEEDBACK_REPORTS_CATCH_UP_DAYS are "
                f"whole days, 0 or more, got {self.days_before_closing} and {self.catch_up_days}"
            )

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ReportSchedule:
        monthly = env.get("FEEDBACK_REPORTS_MONTHLY", "on").strip().lower()
        if monthly not in ("on", "off"):
            raise ConfigurationError(f"FEEDBACK_REPORTS_MONTHLY is on or off, got {monthly!r}")
        return cls(
            monthly=monthly == "on",
            days_before_closing=_whole_days(env, "FEEDBACK_REPORTS_DAYS_BEFORE_CLOSING", 7),
            holiday_country=env.get("FEEDBACK_HOLIDAY_COUNTRY", "").strip().upper(),
            holiday_subdivision=env.get("FEEDBACK_HOLIDAY_SUBDIVISION", "").strip().upper(),
            catch_up_days=_whole_days(env, "FEEDBACK_REPORTS_CATCH_UP_DAYS", 3),
        )


def _whole_days(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(name, str(default)).strip()
    if not text.isdecimal():
        raise ConfigurationError(f"{name} is a whole number of days, got {text!r}")
    return int(text)


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
    contact_standards: ContactStandards = field(default_factory=ContactStandards.defaults)
    report_schedule: ReportSchedule = field(default_factory=ReportSchedule)
    session_hours: int = 12
    max_body_bytes: int = 1_048_576
    login_attempts_per_minute: int = 10
    customer_posts_per_hour: int = 20
    # The complaint deadlines policy file (JSON); empty: the built-in policy.
    sla_policy_file: str = ""
    # The day the service runs on, for demos and tests; None: the real day.
    today: dt.date | None = None
    # Report renderer processes of each server process (`feedback serve` shares the cores
    # among its workers).
    renderers: int = 1

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
            contact_standards=ContactStandards.parse(
                env.get("FEEDBACK_CONTACT_STANDARDS", DEFAULT_CONTACT_STANDARDS)
            ),
            report_schedule=ReportSchedule.from_env(env),
            session_hours=int(env.get("FEEDBACK_SESSION_HOURS", "12")),
            login_attempts_per_minute=int(env.get("FEEDBACK_LOGIN_ATTEMPTS_PER_MINUTE", "10")),
            customer_posts_per_hour=int(env.get("FEEDBACK_CUSTOMER_POSTS_PER_HOUR", "20")),
            sla_policy_file=env.get("FEEDBACK_SLA_POLICY", ""),
            today=_read_today(env.get("FEEDBACK_TODAY", ""), environment),
            renderers=_read_renderers(env.get("FEEDBACK_RENDERERS", "")),
        )


def _read_renderers(text: str) -> int:
    """FEEDBACK_RENDERERS: a whole number from 1; empty: one per core."""
    if not text:
        return os.cpu_count() or 1
    if not text.strip().isdigit() or int(text) < 1:
        raise ConfigurationError(
            f"FEEDBACK_RENDERERS is how many report renderer processes a server process may "
            f"start: a whole number from 1, got {text!r}"
        )
    return int(text)


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
