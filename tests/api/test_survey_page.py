"""The customer survey page: a plain form behind a personal link, in the contact's language."""

from __future__ import annotations

import datetime as dt
import logging
import re

import httpx
import pytest

from feedback.accounts.tables import Account, Contact
from feedback.app import create_app
from feedback.clock import FrozenClock
from feedback.config import Settings
from feedback.db import Database
from feedback.mail.services import MailContext
from feedback.surveys.issuance import issue_wave
from feedback.surveys.messages import questionnaire_text
from feedback.surveys.services import close_wave, create_wave
from feedback.surveys.tables import Invitation, Response, Wave
from feedback.surveys.waves import Period
from feedback.web.i18n import LOCALE_DIR
from tests.conftest import TODAY, client_for
from tests.support.catalogues import chinese_translations, template_messages
from tests.support.web import HOSTILE

BASE = "https://survey.example.com"
MAIL = MailContext(base_url=BASE, company="Acme Service")
PERIOD = str(Period.of(TODAY))
OPENS, CLOSES = TODAY - dt.timedelta(days=6), TODAY + dt.timedelta(days=19)
CSRF_FIELD = re.compile(r'<input type="hidden" name="_csrf_token" value="([^"]*)">')


async def survey_link(clock: FrozenClock, language: str = "en", code: str = "A1") -> str:
    """Open the wave (once) for one more contact and return the token of their personal link."""
    account = Account(code=code, name=f"Account {code}", status="active", tier="A")
    await account.save()
    await Contact(account=account.id, email=f"{code.lower()}@x.com", language=language).save()
    if not await Wave.exists().where(Wave.period == PERIOD):
        await create_wave(PERIOD, clock.now(), opens_on=OPENS, closes_on=CLOSES)
    (link,) = await issue_wave(PERIOD, clock.now(), MAIL)
    return link.link.removeprefix(f"{BASE}/s/")


def csrf_of(page: httpx.Response) -> str:
    found = CSRF_FIELD.search(page.text)
    assert found, "the page carries a CSRF field"
    return found.group(1)


def without_csrf(body: str) -> str:
    return CSRF_FIELD.sub("", body)


async def open_form(client: httpx.AsyncClient, token: str, query: str = "") -> httpx.Response:
    page = await client.get(f"/s/{token}{query}")
    assert page.status_code == 200, page.text
    return page


async def send(
    client: httpx.AsyncClient, token: str, fields: dict[str, str], query: str = ""
) -> httpx.Response:
    """Open the form (which sets the CSRF cookie) and post the fields with its CSRF token."""
    page = await open_form(client, token, query)
    return await client.post(f"/s/{token}{query}", data={**fields, "_csrf_token": csrf_of(page)})


def assert_private(response: httpx.Response) -> None:
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"


async def invitation_used() -> bool:
    row = await Invitation.select(Invitation.responded_at).first()
    assert row is not None
    return row["responded_at"] is not None


@pytest.mark.parametrize(
    ("language", "html_lang", "submit", "intro"),
    [
        ("en", "en", "Send my answer", f"Survey {PERIOD}."),
        ("zh", "zh-Hans", "提交我的回答", f"{PERIOD} 客户调查。"),
    ],
)
async def test_the_form_speaks_the_contacts_language(
    db: Database,
    client: httpx.AsyncClient,
    clock: FrozenClock,
    language: str,
    html_lang: str,
    submit: str,
    intro: str,
) -> None:
    token = await survey_link(clock, language)
    page = await open_form(client, token)
    assert_private(page)
    assert page.headers["content-type"].startswith("text/html")
    assert f'<html lang="{html_lang}">' in page.text
    assert submit in page.text
    assert intro in page.text
    words = questionnaire_text(language)
    assert words.level_question in page.text
    for value, text in words.levels:
        assert f'name="level" value="{value}" required' in page.text
        assert text in page.text
    assert words.aspects["service_attitude"] in page.text
    assert page.text.count("<fieldset") == 6  # the ladder, the aspects and one per aspect
    assert 'maxlength="4000"' in page.text
    assert 'name="may_contact"' in page.text
    assert f'<form method="post" class="survey-form" action="?lang={language}">' in page.text
    assert token not in page.text


async def test_the_language_switch_only_changes_the_display_language(
    db: Database, client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    token = await survey_link(clock, "zh")
    page = await open_form(client, token, "?lang=en")
    assert '<html lang="en">' in page.text
    assert "Send my answer" in page.text
    assert 'href="?lang=zh" lang="zh-Hans"' in page.text
    assert await Response.count() == 0
    assert not await invitation_used()
    unknown = await open_form(client, token, "?lang=fr")
    assert '<html lang="zh-Hans">' in unknown.text
    # The form posts back in the language it was shown in, and is thanked in it.
    answered = await client.post(
        f"/s/{token}?lang=en", data={"level": "1", "_csrf_token": csrf_of(page)}
    )
    assert answered.headers["location"] == "/s/thanks?lang=en"


async def test_opening_the_link_records_nothing(
    db: Database, client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    token = await survey_link(clock)
    for _ in range(3):
        await open_form(client, token)
    assert (await client.head(f"/s/{token}")).status_code in (200, 405)
    assert await Response.count() == 0
    assert not await invitation_used()
    answered = await send(client, token, {"level": "1"})
    assert answered.status_code == 303


@pytest.mark.parametrize(("language", "thanks"), [("en", "Thank you"), ("zh", "谢谢您")])
async def test_an_answer_is_stored_once_and_thanked_without_the_token(
    db: Database, client: httpx.AsyncClient, clock: FrozenClock, language: str, thanks: str
) -> None:
    token = await survey_link(clock, language)
    fields = {
        "level": "2",
        "quality": "4",
        "delivery": "",
        "service_attitude": "5",
        "comment": "  Deliveries were late twice.\r\nOtherwise fine.  ",
        "may_contact": "yes",
    }
    answered = await send(client, token, fields)
    assert answered.status_code == 303
    assert answered.headers["location"] == f"/s/thanks?lang={language}"
    assert_private(answered)
    rows = await Response.select()
    assert len(rows) == 1
    row = rows[0]
    assert (row["level"], row["quality"], row["delivery"], row["service_attitude"]) == (
        2,
        4,
        None,
        5,
    )
    assert (row["value"], row["may_contact"], row["channel"]) == (None, True, "web")
    assert row["comment"] == "Deliveries were late twice.\nOtherwise fine."
    assert await invitation_used()
    page = await client.get(answered.headers["location"])
    assert page.status_code == 200
    assert_private(page)
    assert thanks in page.text
    assert token not in page.text


async def test_without_a_level_the_form_comes_back_with_a_message_and_nothing_is_stored(
    db: Database, client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    token = await survey_link(clock, "zh")
    refused = await send(client, token, {"quality": "3", "comment": "快递太慢"})
    assert refused.status_code == 400
    assert_private(refused)
    assert '<html lang="zh-Hans">' in refused.text
    assert "请选择最符合您想法的一句话。" in refused.text
    assert 'role="alert"' in refused.text
    assert ">快递太慢</textarea>" in refused.text
    assert 'id="quality-3" name="quality" value="3" checked' in refused.text
    assert await Response.count() == 0
    assert not await invitation_used()
    again = await client.post(
        f"/s/{token}", data={"level": "0", "comment": "快递太慢", "_csrf_token": csrf_of(refused)}
    )
    assert again.status_code == 303, "the form shown again can be sent again"
    assert await Response.count() == 1


async def test_a_rating_out_of_range_is_refused(
    db: Database, client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    token = await survey_link(clock)
    refused = await send(client, token, {"level": "3", "delivery": "9"})
    assert refused.status_code == 400
    assert "Ratings go from 1 to 5." in refused.text
    assert await Response.count() == 0


async def test_an_oversized_comment_is_refused_with_a_message(
    db: Database, client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    token = await survey_link(clock)
    refused = await send(client, token, {"level": "1", "comment": "x" * 4001})
    assert refused.status_code == 400
    assert "Your comment is too long: please shorten it to 4000 characters or fewer." in (
        refused.text
    )
    assert await Response.count() == 0
    # A browser counts a line break as one character but sends it as two.
    at_limit = "a" * 3998 + "\r\n" + "b"
    assert (await send(client, token, {"level": "1", "comment": at_limit})).status_code == 303
    row = await Response.select(Response.comment).first()
    assert row is not None
    assert len(row["comment"]) == 4000


async def test_a_hostile_comment_is_stored_as_text_and_never_rendered_as_markup(
    db: Database, client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    token = await survey_link(clock)
    shown_again = await send(client, token, {"comment": HOSTILE})
    assert shown_again.status_code == 400
    assert "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt;</textarea>" in shown_again.text
    answered = await client.post(
        f"/s/{token}",
        data={"level": "0", "comment": HOSTILE, "_csrf_token": csrf_of(shown_again)},
    )
    assert answered.status_code == 303
    row = await Response.select(Response.comment).first()
    assert row == {"comment": HOSTILE}
    pages = [
        shown_again,
        await client.get(answered.headers["location"]),
        await client.get(f"/s/{token}"),
        await client.post(
            f"/s/{token}",
            data={"level": "0", "comment": HOSTILE, "_csrf_token": client.cookies["csrftoken"]},
        ),
    ]
    assert [page.status_code for page in pages] == [400, 200, 404, 404]
    assert all("<script" not in page.text for page in pages)


async def test_a_post_without_the_csrf_token_is_refused_and_stores_nothing(
    db: Database, client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    token = await survey_link(clock)
    await open_form(client, token)
    refused = await client.post(f"/s/{token}", data={"level": "3"})
    assert refused.status_code == 403
    forged = await client.post(f"/s/{token}", data={"level": "3", "_csrf_token": "forged"})
    assert forged.status_code == 403
    assert await Response.count() == 0
    assert not await invitation_used()


async def test_each_customer_gets_the_same_form_with_their_own_csrf_token(
    db: Database, settings: Settings, client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    first, second = await survey_link(clock, code="A1"), await survey_link(clock, code="A2")
    async with client_for(create_app(settings, database=db, clock=clock)) as other_browser:
        mine, theirs = await open_form(client, first), await open_form(other_browser, second)
    assert csrf_of(mine) != csrf_of(theirs)
    assert without_csrf(mine.text) == without_csrf(theirs.text)
    swapped = await client.post(f"/s/{first}", data={"level": "1", "_csrf_token": csrf_of(theirs)})
    assert swapped.status_code == 403
    own = await client.post(f"/s/{first}", data={"level": "1", "_csrf_token": csrf_of(mine)})
    assert own.status_code == 303
    assert await Response.count() == 1


async def _invalid_pages(client: httpx.AsyncClient, token: str) -> list[httpx.Response]:
    """The link's page as a GET and as a POST with a valid CSRF token."""
    await client.get("/s/thanks")  # any page sets the CSRF cookie
    csrf = client.cookies["csrftoken"]
    return [
        await client.get(f"/s/{token}"),
        await client.post(f"/s/{token}", data={"level": "2", "_csrf_token": csrf}),
    ]


async def test_used_unknown_expired_and_closed_links_all_get_one_identical_page(
    db: Database, client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    used = await survey_link(clock, "zh", code="A1")
    expired = await survey_link(clock, "en", code="A2")
    closed = await survey_link(clock, "zh", code="A3")
    assert (await send(client, used, {"level": "3"})).status_code == 303
    unknown_pages = await _invalid_pages(client, "unknown-" + "x" * 40)
    used_pages = await _invalid_pages(client, used)
    clock.at = dt.datetime.combine(CLOSES + dt.timedelta(days=1), dt.time(0, 0, 1), dt.UTC)
    expired_pages = await _invalid_pages(client, expired)
    clock.at = dt.datetime.combine(CLOSES, dt.time(12, 0), dt.UTC)
    await close_wave(PERIOD, clock.now())
    closed_pages = await _invalid_pages(client, closed)
    reference = unknown_pages[0]
    assert reference.status_code == 404
    assert "This link is no longer valid" in reference.text
    assert '<html lang="en">' in reference.text
    for page in [*unknown_pages, *used_pages, *expired_pages, *closed_pages]:
        assert page.status_code == reference.status_code
        assert without_csrf(page.text) == without_csrf(reference.text)
        assert page.headers["content-type"] == reference.headers["content-type"]
        assert_private(page)
    assert await Response.count() == 1


async def test_the_invalid_link_page_follows_the_browser_not_the_contact(
    db: Database, client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    used = await survey_link(clock, "en")
    assert (await send(client, used, {"level": "3"})).status_code == 303
    chinese = {"accept-language": "zh-CN,zh;q=0.9,en;q=0.8"}
    for token in (used, "never-issued"):
        page = await client.get(f"/s/{token}", headers=chinese)
        assert page.status_code == 404
        assert '<html lang="zh-Hans">' in page.text
        assert "此链接已失效" in page.text
    switched = await client.get("/s/never-issued?lang=en", headers=chinese)
    assert '<html lang="en">' in switched.text


async def test_the_link_token_never_reaches_the_logs(
    db: Database, client: httpx.AsyncClient, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    token = await survey_link(clock)  # issuing writes the link into the mail outbox, by design
    caplog.set_level(logging.DEBUG)
    await send(client, token, {"comment": "no level"})
    await send(client, token, {"level": "1"})
    await client.get(f"/s/{token}")
    await client.post(f"/s/{token}", data={"level": "1"})
    # httpx is the test's own client: it logs the URLs it requests; the service must not.
    service = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    assert any(token in r.getMessage() for r in caplog.records), "the capture sees the requests"
    formatted = [logging.Formatter("%(name)s %(message)s").format(r) for r in service]
    assert [text for text in formatted if token in text] == []


def test_every_message_of_the_survey_pages_is_translated_to_chinese() -> None:
    used = template_messages("survey/**.html")
    assert len(used) >= 15
    assert used - chinese_translations() == set()
    assert not list((LOCALE_DIR).rglob("*.mo")), "catalogs are compiled in memory, never kept"
