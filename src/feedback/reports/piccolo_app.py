"""Piccolo app of the reports domain; its tables arrive with the capability."""

from __future__ import annotations

from feedback.db import app_config

APP_CONFIG = app_config(__file__, [])
