"""Piccolo app of the mail outbox."""

from __future__ import annotations

from feedback.db import app_config
from feedback.mail.tables import OutboxAttachment, OutboxMessage

APP_CONFIG = app_config(__file__, [OutboxMessage, OutboxAttachment])
