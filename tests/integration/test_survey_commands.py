"""`feedback waves` and `feedback jobs` on a fresh SQLite file (sync tests: the CLI runs its
own event loop with asyncio.run)."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TypeVar

import pytest
from click.testing import CliRunner, Result

from feedback.accounts.tables import Account, Contact
from feedback.cli import main
from feedback.mail.tables import OutboxMessage
from feedback.surveys.answers import record_response
from feedback.surveys.questionnaire import Answer
from feedback.surveys.tables import Invitation
from feedback.surveys.waves import Period
from tests.conftest import NOW, TODAY, command_env
from tests.support.databases import on_database
from tests.support.mail import SmtpServerFixture

BASE_URL = "https://survey.example.com"
PERIOD = str(Period.of(TODAY))
T = TypeVar("T")


def run(url: str, *args: str, smtp_url: str = "smtp://127.0.0.1:1") -> Result:
    env = {
        **command_env(url),
        "FEEDBACK_BASE_URL": BASE_URL + "/",
        "FEEDBACK_SMTP_URL": smtp_url,
    }
    return CliRunner().invoke(main, list(args), env=env)


async def _customers() -> None:
    """Two active accounts (three opted-in contacts, one opted out) and a closed one."""
    for code, status, contacts in (
        ("A1", "active", [("ann@a1.com", True), ("bob@a1.com", True), ("out@a1.com", False)]),
        ("A2", "active", [("cy@a2.com", True)]),
        ("Z9", "closed", [("zed@z9.com", True)]),
    ):
        account = Account(code=code, name=f"Account {code}", status=status)
        await account.save()
        for email, opt_in in contacts:
            await Contact(account=account.id, email=email, survey_opt_in=opt_in).save()


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'waves.sqlite3'}"
    migrated = run(url, "db", "migrate")
    assert migrated.exit_code == 0, migrated.output
    on_database(url, _customers)
    return url


def _create_open_wave(url: str) -> None:
    today = TODAY
    opens, closes = today - dt.timedelta(days=1), today + dt.timedelta(days=30)
    created = run(url, "waves", "create", "--period", PERIOD, "--opens", str(opens), "--closes",
                  str(closes))  # fmt: skip
    assert created.exit_code == 0, created.output
    assert created.output == f"wave {PERIOD}: opens {opens}, closes {closes}\n"


def _issue(url: str, links: Path) -> list[dict[str, str]]:
    issued = run(url, "waves", "issue", PERIOD, "--links-csv", str(links))
    assert issued.exit_code == 0, issued.output
    assert issued.stdout == f"3 invitation(s) issued and queued; links in {links}\n"
    assert issued.stderr == f"issuing {PERIOD}: 3 of 3 invitations (100%)\n"
    with links.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_issue_writes_one_link_per_invitation_to_the_csv(url: str, tmp_path: Path) -> None:
    _create_open_wave(url)
    links = tmp_path / "links.csv"
    rows = _issue(url, links)
    assert links.read_text(encoding="utf-8").splitlines()[0] == "account_code,email,link"
    assert [(row["account_code"], row["email"]) for row in rows] == [
        ("A1", "ann@a1.com"),
        ("A1", "bob@a1.com"),
        ("A2", "cy@a2.com"),
    ]
    assert all(row["link"].startswith(f"{BASE_URL}/s/") for row in rows)
    assert len({row["link"] for row in rows}) == 3
    assert on_database(url, Invitation.count) == 3
    again = run(url, "waves", "issue", PERIOD)
    assert again.exit_code == 0, again.output
    assert again.output == "0 invitation(s) issued and queued\n"


def test_remind_close_and_results_as_json(url: str, tmp_path: Path) -> None:
    _create_open_wave(url)
    rows = _issue(url, tmp_path / "links.csv")
    assert run(url, "waves", "remind", PERIOD).output == "0 reminder(s) queued\n"

    async def answer_one_and_age_the_rest() -> None:
        token = rows[0]["link"].removeprefix(f"{BASE_URL}/s/")
        await record_response(token, Answer(level=2), NOW)
        week_ago = NOW - dt.timedelta(days=8)
        await Invitation.update({Invitation.sent_at: week_ago}, force=True)

    on_database(url, answer_one_and_age_the_rest)
    reminded = run(url, "waves", "remind", PERIOD)
    assert reminded.exit_code == 0, reminded.output
    assert reminded.output == "2 reminder(s) queued\n"
    closed = run(url, "waves", "close", PERIOD)
    assert closed.exit_code == 0, closed.output
    assert closed.output == f"wave {PERIOD} is closed\n"
    assert on_database(url, OutboxMessage.count) == 0  # unsent survey mail is withdrawn
    assert "is closed; no more invitations" in run(url, "waves", "issue", PERIOD).output

    shown = run(url, "waves", "results", PERIOD, "--json")
    assert shown.exit_code == 0, shown.output
    results = json.loads(shown.output)
    assert (results["invited"], results["responded"]) == (3, 1)
    assert results["response_rate"] == pytest.approx(1 / 3)
    assert results["level_shares"] == [0.0, 0.0, 1.0, 0.0]
    assert {group["group"] for group in results["breakdowns"]["tier"]} == {"D"}
    assert results["movement_counts"] == {"up": 0, "same": 0, "down": 0, "new": 1, "silent": 1}
    # A1 is satisfied (level 2) but has no purchases to show loyalty.
    assert results["quadrant_counts"] == {"apostle": 0, "mercenary": 1, "hostage": 0,
                                          "saboteur": 0}  # fmt: skip
    assert [(q["code"], q["level"], q["quadrant"]) for q in results["quadrants"]] == [
        ("A1", 2, "mercenary")
    ]
    opens = TODAY - dt.timedelta(days=1)
    assert results["purchases_as_of"] == str(opens)
    text = run(url, "waves", "results", PERIOD)
    assert text.exit_code == 0, text.output
    lines = text.output.splitlines()
    assert lines[0] == f"wave {PERIOD}: 1/3 responded (33.3%)"
    assert lines[-5:] == [
        f"quadrants (loyalty from purchases before {opens}):",
        "  Apostle 0 (tells others; ask for referrals)",
        "  Mercenary 1 (satisfied with you and with competitors alike; build loyalty): A1",
        "  Hostage 0 (stays only for lack of choice; fix the dissatisfaction now)",
        "  Saboteur 0 (spreads bad word; open a direct channel and resolve their complaints)",
    ]


def test_unknown_waves_and_bad_periods_fail_clearly(url: str) -> None:
    missing = run(url, "waves", "issue", "2031-H1")
    assert missing.exit_code == 1
    assert "Error: there is no wave for 2031-H1" in missing.output
    bad = run(url, "waves", "create", "--period", "2026-H3")
    assert bad.exit_code == 1
    assert "a wave period looks like 2026-H1 or 2026-H2" in bad.output
    assert "Traceback" not in bad.output + missing.output


def test_jobs_run_once_delivers_the_queued_invitations(
    url: str, tmp_path: Path, smtp: SmtpServerFixture
) -> None:
    _create_open_wave(url)
    rows = _issue(url, tmp_path / "links.csv")
    sent = run(url, "jobs", "run", "--once", "--batch", "2", smtp_url=smtp.url)
    assert sent.exit_code == 0, sent.output
    assert sent.output == "3 message(s) sent\n"
    delivered = {str(message["To"]): message for message in smtp.inbox.messages}
    assert sorted(delivered) == ["ann@a1.com", "bob@a1.com", "cy@a2.com"]
    for row in rows:
        assert (
            row["link"] in delivered[row["email"]].get_payload(0).get_payload(decode=True).decode()
        )
    again = run(url, "jobs", "run", "--once", smtp_url=smtp.url)
    assert again.output == "0 message(s) sent\n"
    assert len(smtp.inbox.messages) == 3


def test_jobs_run_once_reports_failures_when_smtp_is_down(url: str, tmp_path: Path) -> None:
    _create_open_wave(url)
    _issue(url, tmp_path / "links.csv")
    result = run(url, "jobs", "run", "--once", smtp_url="smtp://127.0.0.1:1")
    assert result.exit_code == 0, result.output
    assert "3 message(s) failed; they will be retried" in result.output
    assert result.output.endswith("0 message(s) sent\n")


def test_jobs_run_once_closes_a_wave_past_its_closing_day_and_withdraws_its_mail(
    url: str, tmp_path: Path, smtp: SmtpServerFixture
) -> None:
    today = TODAY
    opens, closes = today - dt.timedelta(days=30), today - dt.timedelta(days=1)
    created = run(url, "waves", "create", "--period", PERIOD, "--opens", str(opens), "--closes",
                  str(closes))  # fmt: skip
    assert created.exit_code == 0, created.output
    _issue(url, tmp_path / "links.csv")
    first = run(url, "jobs", "run", "--once", smtp_url=smtp.url)
    assert first.exit_code == 0, first.output
    assert first.output == f"wave {PERIOD} closed: its closing day is over\n0 message(s) sent\n"
    second = run(url, "jobs", "run", "--once", smtp_url=smtp.url)
    assert second.output == "0 message(s) sent\n"
    assert smtp.inbox.messages == []
    assert "is closed; no more invitations" in run(url, "waves", "issue", PERIOD).output


def test_jobs_run_keeps_delivering_until_stopped(
    url: str, tmp_path: Path, smtp: SmtpServerFixture
) -> None:
    _create_open_wave(url)
    _issue(url, tmp_path / "links.csv")
    env = {**os.environ, **command_env(url), "FEEDBACK_SMTP_URL": smtp.url, "PYTHONUNBUFFERED": "1"}
    runner = subprocess.Popen(  # noqa: S603
        [str(Path(sys.executable).with_name("feedback")), "jobs", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # The runner says what it sent after the mail server has it: wait for its words, not
    # for the messages, or a busy machine stops it between the two.
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in runner.stdout or ()])
    reader.start()
    output = []
    try:
        deadline = time.monotonic() + 30
        while "3 message(s) sent\n" not in output and time.monotonic() < deadline:
            with contextlib.suppress(queue.Empty):
                output.append(lines.get(timeout=0.1))
        reader.join(timeout=1)  # a runner that stopped after its batch has closed its output
        assert runner.poll() is None, "the runner keeps going after the first batch"
    finally:
        runner.terminate()
        runner.wait(timeout=10)
        reader.join(timeout=10)
        if runner.stdout:
            runner.stdout.close()
    assert sorted(str(m["To"]) for m in smtp.inbox.messages) == [
        "ann@a1.com",
        "bob@a1.com",
        "cy@a2.com",
    ]
    assert "3 message(s) sent\n" in output


def test_questionnaire_versions_are_saved_shown_and_asked_by_new_waves_only(
    url: str, tmp_path: Path
) -> None:
    missing = run(url, "questionnaires", "show")
    assert missing.exit_code == 1
    assert "there is no questionnaire yet" in missing.output
    _create_open_wave(url)
    first = run(url, "questionnaires", "show")
    assert first.exit_code == 0, first.output
    assert first.output.startswith("version 1 (saved ")
    assert f"asked by {PERIOD})" in first.output
    items = json.loads(first.output.split("\n", 1)[1])
    assert items[0] == {"kind": "level", "key": "level"}

    shorter = tmp_path / "shorter.json"
    shorter.write_text(json.dumps([items[0], {"kind": "aspect", "key": "delivery"}]))
    saved = run(url, "questionnaires", "save", str(shorter))
    assert saved.output == "questionnaire version 2 saved; new waves will ask it\n"
    later = str(Period.of(TODAY).next)
    assert run(url, "waves", "create", "--period", later).exit_code == 0
    second = run(url, "questionnaires", "show")
    assert "version 2 (saved " in second.output
    assert f"asked by {later})" in second.output
    assert json.loads(second.output.split("\n", 1)[1]) == [
        {"kind": "level", "key": "level"},
        {"kind": "aspect", "key": "delivery"},
    ]
    assert f"asked by {PERIOD})" in run(url, "questionnaires", "show", "--version", "1").output
    assert (
        "no questionnaire version 7" in run(url, "questionnaires", "show", "--version", "7").output
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not JSON"),
        ('{"kind": "level"}', "must hold a list of items"),
        ('[{"kind": "comment", "key": "comment"}]', "starts with the three-level item"),
        ('[{"kind": "level", "key": "level"}, {"kind": "aspect", "key": "taste"}]',
         "unknown aspect 'taste'"),
    ],
)  # fmt: skip
def test_a_bad_questionnaire_file_is_refused_with_its_reason_and_saves_nothing(
    url: str, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "items.json"
    path.write_text(content)
    refused = run(url, "questionnaires", "save", str(path))
    assert refused.exit_code == 1
    assert message in refused.output
    assert "there is no questionnaire yet" in run(url, "questionnaires", "show").output


def test_jobs_run_refuses_an_unknown_holiday_calendar_naming_the_setting(
    url: str, tmp_path: Path
) -> None:
    _create_open_wave(url)
    _issue(url, tmp_path / "links.csv")
    env = {**command_env(url), "FEEDBACK_HOLIDAY_COUNTRY": "XX"}
    result = CliRunner().invoke(main, ["jobs", "run", "--once"], env=env)
    assert result.exit_code == 1
    assert "FEEDBACK_HOLIDAY_COUNTRY" in result.output
    assert "message(s)" not in result.output
