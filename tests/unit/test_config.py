"""Settings from the environment."""

from __future__ import annotations

import os

import pytest

from feedback.config import Settings
from feedback.db import SerialSQLiteEngine, engine_for_url
from feedback.errors import ConfigurationError


def test_production_requires_a_secret_key() -> None:
    with pytest.raises(ConfigurationError, match="FEEDBACK_SECRET_KEY is required"):
        Settings.from_env({"FEEDBACK_ENV": "production"})


def test_short_secret_keys_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="at least 32"):
        Settings.from_env({"FEEDBACK_ENV": "production", "FEEDBACK_SECRET_KEY": "short"})


def test_values_are_read_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "FEEDBACK_ENV": "production",
            "FEEDBACK_SECRET_KEY": "k" * 40,
            "FEEDBACK_DATABASE_URL": "postgresql://u@db:5432/feedback",
            "FEEDBACK_BASE_URL": "https://feedback.example.com/",
            "FEEDBACK_SMTP_URL": "smtp://mail:25",
            "FEEDBACK_ALLOWED_HOSTS": "feedback.example.com, localhost",
        }
    )
    assert settings.production
    assert settings.base_url == "https://feedback.example.com"
    assert settings.database_url == "postgresql://u@db:5432/feedback"
    assert settings.smtp_url == "smtp://mail:25"
    assert settings.allowed_hosts == ("feedback.example.com", "localhost")


def test_demo_runs_without_a_secret_key() -> None:
    assert not Settings.from_env({"FEEDBACK_ENV": "demo"}).production


@pytest.mark.parametrize(
    ("url", "path"),
    [("sqlite:///var/x.sqlite3", "var/x.sqlite3"), ("sqlite:////srv/x.sqlite3", "/srv/x.sqlite3")],
)
def test_sqlite_urls(url: str, path: str) -> None:
    engine = engine_for_url(url)
    assert isinstance(engine, SerialSQLiteEngine)
    assert engine.path == path


@pytest.mark.parametrize("url", ["mysql://x/y", "sqlite://", "nonsense"])
def test_unknown_database_urls_are_refused(url: str) -> None:
    with pytest.raises(ConfigurationError):
        engine_for_url(url)


def test_renderers_default_to_one_per_core_and_refuse_what_is_not_a_count() -> None:
    assert Settings.from_env({"FEEDBACK_ENV": "test"}).renderers == (os.cpu_count() or 1)
    assert Settings.from_env({"FEEDBACK_ENV": "test", "FEEDBACK_RENDERERS": "3"}).renderers == 3
    for text in ("0", "-1", "two", "1.5"):
        with pytest.raises(ConfigurationError, match=r"FEEDBACK_RENDERERS .* from 1"):
            Settings.from_env({"FEEDBACK_ENV": "test", "FEEDBACK_RENDERERS": text})
