"""Survey link tokens are redacted from log lines."""

from __future__ import annotations

import logging

from feedback.web.logs import TokenRedactingFilter, redact_links


def test_tokens_in_paths_are_replaced() -> None:
    assert redact_links("GET /s/AbC-123_x?lang=zh") == "GET /s/[link]?lang=zh"
    assert redact_links("/s/thanks?lang=en") == "/s/thanks?lang=en"
    assert redact_links("/accounts/AC1") == "/accounts/AC1"


def test_access_log_records_are_rewritten() -> None:
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "POST", "/s/secret-token-value", "1.1", 303), None,
    )  # fmt: skip
    assert TokenRedactingFilter().filter(record)
    assert "secret-token-value" not in record.getMessage()
    assert "/s/[link]" in record.getMessage()


def test_follow_up_and_complaint_form_tokens_are_replaced() -> None:
    assert redact_links("POST /f/AbC-123_x?lang=zh") == "POST /f/[link]?lang=zh"
    assert redact_links("/f/thanks?lang=en") == "/f/thanks?lang=en"
    assert (
        redact_links("GET /complaints/new?lang=en&account=AbC-123_x HTTP/1.1")
        == "GET /complaints/new?lang=en&account=[link] HTTP/1.1"
    )
    assert redact_links("/complaints/new?account=tok&lang=zh") == (
        "/complaints/new?account=[link]&lang=zh"
    )
