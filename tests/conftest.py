"""Test harness: every database test runs on a real SQLite file and a real PostgreSQL."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from litestar import Litestar

from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember
from feedback.app import create_app
from feedback.clock import FrozenClock
from feedback.config import Settings
from feedback.db import Database, migrate
from feedback.piccolo_conf import all_tables
from tests.support.databases import (
    create_postgres_database,
    drop_postgres_database,
    empty_tables,
)
from tests.support.factories import TEST_PASSWORD, make_staff_of_every_role, make_staff_user
from tests.support.passwords import cheap_password_hashing
from tests.support.today import NOW, TODAY


def command_env(database_url: str) -> dict[str, str]:
    """The environment of a `feedback` command or server run by a test: the test settings,
    the database, and the suite's today."""
    return {
        "FEEDBACK_ENV": "test",
        "FEEDBACK_DATABASE_URL": database_url,
        "FEEDBACK_TODAY": TODAY.isoformat(),
    }


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
async def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Database]:
    """A migrated database of each kind, shared by the session."""
    pg_name = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'feedback.sqlite3'}"
    else:
        pg_name, url = await create_postgres_database()
    database = Database(url)
    database.bind(all_tables())
    await database.open()
    await migrate()
    yield database
    await database.close()
    if pg_name:
        await drop_postgres_database(pg_name)


@pytest.fixture
async def db(database: Database) -> AsyncIterator[Database]:
    """The session's database, bound to the tables and emptied after the test."""
    database.bind(all_tables())
    yield database
    await empty_tables(database)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def settings(db: Database) -> Settings:
    return Settings(environment="test", database_url=db.url, login_attempts_per_minute=1000)


def client_for(app: Litestar) -> httpx.AsyncClient:
    """An HTTP client calling the app in this event loop (where the database pool lives)."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver.local"
    )


@pytest.fixture
async def client(
    db: Database, settings: Settings, clock: FrozenClock
) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(create_app(settings, database=db, clock=clock)) as client:
        yield client


@pytest.fixture
def make_staff(db: Database, clock: FrozenClock):  # type: ignore[no-untyped-def]
    """Create a staff user of a role; the password is TEST_PASSWORD."""

    async def make(role: Role, email: str | None = None) -> StaffMember:
        return await make_staff_user(role, clock.now(), email)

    return make


@pytest.fixture(name="cheap_password_hashing")
def cheap_password_hashing_fixture() -> Iterator[None]:
    """Staff passwords hashed at Argon2id's lowest cost, for modules that create or log in many
    staff users (``pytestmark = pytest.mark.usefixtures("cheap_password_hashing")``); passwords
    are not what they test, and full cost is about 0.1 s a hash."""
    with cheap_password_hashing():
        yield


async def log_in(client: httpx.AsyncClient, member: StaffMember) -> None:
    """Open an API session for the member on the client (cookie kept by the client)."""
    response = await client.post(
        "/api/v1/auth/login", json={"email": member.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 200, response.text


@pytest.fixture
def output_dir() -> Path:
    """Where tests leave artefacts (screenshots, PDFs) for people to look at."""
    path = Path(__file__).resolve().parents[1] / "test-output"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture
async def people(db: Database, clock: FrozenClock) -> dict[str, StaffMember]:
    """A staff user of each role by the role's name, and a second account manager (a test
    module may give its own)."""
    return await make_staff_of_every_role(clock.now())


@pytest.fixture
def listener() -> Iterator[str]:
    """A port that counts on nobody connecting: the address of a server never answering."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.setblocking(False)
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
        with pytest.raises(BlockingIOError):
            server.accept()  # nothing tried to fetch from it
