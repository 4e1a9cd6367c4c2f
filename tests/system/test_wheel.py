"""The built wheel works on its own: installed with its dependencies into a new virtual
environment outside the checkout, it migrates a database, serves a staff page and a customer
survey page with their templates, catalogues and styles, and the API reference with Swagger
UI's files from its package, and renders a PDF report."""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from feedback.surveys.waves import Period
from tests.conftest import TODAY, command_env
from tests.support.network import free_port

CHECKOUT = Path(__file__).resolve().parents[2]
UV = Path(sys.executable).with_name("uv")
PASSWORD = "a-long-enough-password"
STARTUP_SECONDS = 30.0
# Building the wheel or installing it into the new environment; one command of it.
INSTALL_SECONDS = 600.0
COMMAND_SECONDS = 120.0


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `bin` folder of a new virtual environment holding only the wheel and what it needs."""
    folder = tmp_path_factory.mktemp("wheel")
    subprocess.run(  # noqa: S603
        [UV, "build", "--wheel", "--quiet", "--out-dir", folder / "dist", CHECKOUT],
        check=True,
        cwd=folder,
        timeout=INSTALL_SECONDS,
    )
    (wheel,) = (folder / "dist").glob("feedback-*.whl")
    python = Path(sys.base_prefix) / "bin" / "python3.11"
    venv = folder / "venv"
    subprocess.run(  # noqa: S603
        [UV, "venv", "--quiet", "--python", python, venv],
        check=True,
        cwd=folder,
        timeout=INSTALL_SECONDS,
    )
    subprocess.run(  # noqa: S603
        [UV, "pip", "install", "--quiet", "--python", venv / "bin" / "python", wheel],
        check=True,
        cwd=folder,
        timeout=INSTALL_SECONDS,
    )
    return venv / "bin"


def _feedback(
    bin_dir: Path, env: dict[str, str], cwd: Path, *args: str | Path, stdin: str | None = None
) -> str:
    done = subprocess.run(  # noqa: S603
        [bin_dir / "feedback", *map(str, args)],
        env=env,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=COMMAND_SECONDS,
        check=False,
    )
    assert done.returncode == 0, f"feedback {args}:\n{done.stdout}{done.stderr}"
    return done.stdout


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.fixture(scope="module")
def site(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A SQLite database of the installed service with a Chinese-speaking customer invited to
    this half year's wave, and the service serving it from a folder outside the checkout."""
    folder = tmp_path_factory.mktemp("site")
    port = free_port()
    # Only what a new machine has: no variable of the checkout's virtual environment.
    env = {"PATH": f"{installed}:/usr/bin:/bin", "HOME": str(folder), "LANG": "C.UTF-8",
           **command_env(f"sqlite:///{folder / 'feedback.sqlite3'}"),
           "FEEDBACK_BASE_URL": f"http://127.0.0.1:{port}"}  # fmt: skip
    _feedback(installed, env, folder, "db", "migrate")
    _feedback(installed, env, folder, "users", "create", "--email", "admin@wheel.example",
              "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    accounts = _write(folder / "accounts.csv", [["code", "name"], ["W1", "Wheelwright 车轮"]])
    contacts = _write(
        folder / "contacts.csv",
        [["account_code", "email", "language", "survey"], ["W1", "li@wheel.example", "zh", "yes"]],
    )
    _feedback(installed, env, folder, "import", "accounts", accounts)
    _feedback(installed, env, folder, "import", "contacts", contacts)
    period = str(Period.of(TODAY))
    opens, closes = TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=30)
    _feedback(installed, env, folder, "waves", "create", "--period", period,
              "--opens", str(opens), "--closes", str(closes))  # fmt: skip
    _feedback(installed, env, folder, "waves", "issue", period, "--links-csv", "links.csv")
    server = subprocess.Popen(  # noqa: S603
        [installed / "feedback", "serve", "--port", str(port)],
        env=env,
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(base_url=env["FEEDBACK_BASE_URL"], timeout=10) as client:
            _wait_until_serving(client)
        yield {**env, "folder": str(folder)}
    finally:
        server.terminate()
        server.wait(10)


def test_the_package_runs_from_the_virtual_environment_not_the_checkout(installed: Path) -> None:
    where = subprocess.run(  # noqa: S603
        [installed / "python", "-c", "import feedback; print(feedback.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=installed,
        env={"PATH": "/usr/bin:/bin"},
        timeout=COMMAND_SECONDS,
    ).stdout.strip()
    assert where.startswith(str(installed.parent)), where
    assert not where.startswith(str(CHECKOUT / "src")), where
    assert shutil.which("feedback", path=str(installed))
    assert os.access(installed / "feedback", os.X_OK)


def _wait_until_serving(client: httpx.Client) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            if client.get("/health").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail(f"the installed service did not answer in {STARTUP_SECONDS} s")


def test_the_installed_service_serves_a_staff_page_with_its_styles(site: dict[str, str]) -> None:
    with httpx.Client(base_url=site["FEEDBACK_BASE_URL"], timeout=10) as client:
        login = client.post(
            "/api/v1/auth/login", json={"email": "admin@wheel.example", "password": PASSWORD}
        )
        assert login.status_code == 200, login.text
        page = client.get("/accounts")
        assert page.status_code == 200, page.text
        assert "Wheelwright 车轮" in page.text
        assert 'href="/static/site.css"' in page.text
        styles = client.get("/static/site.css")
    assert styles.status_code == 200
    assert styles.headers["content-type"].startswith("text/css")
    assert "font-family" in styles.text


def test_the_installed_service_serves_the_survey_page_in_chinese(site: dict[str, str]) -> None:
    with (Path(site["folder"]) / "links.csv").open(encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    with httpx.Client(timeout=10) as client:
        page = client.get(row["link"])
    assert page.status_code == 200, page.text
    assert '<html lang="zh-Hans"' in page.text
    assert "提交我的回答" in page.text  # "Send my answer", from the Chinese catalogue


def test_the_installed_command_renders_a_pdf_report(installed: Path, site: dict[str, str]) -> None:
    folder = Path(site["folder"])
    _feedback(installed, site, folder, "reports", "account", "W1", "--out", "w1.pdf")
    pdf = folder / "w1.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(  # noqa: S603
        ["/usr/bin/pdftotext", pdf, "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=COMMAND_SECONDS,
    ).stdout
    assert "Wheelwright" in text


def test_the_installed_service_serves_the_api_reference_from_its_packages(
    site: dict[str, str],
) -> None:
    with httpx.Client(base_url=site["FEEDBACK_BASE_URL"], timeout=10) as client:
        page = client.get("/schema")
        assert page.status_code == 200, page.text
        for asset in ("/schema/swagger-ui/swagger-ui-bundle.js", "/static/api-reference.js"):
            assert asset in page.text
            script = client.get(asset)
            assert script.status_code == 200, asset
            assert script.headers["content-type"].startswith("text/javascript"), asset
        assert "SwaggerUIBundle" in client.get("/schema/swagger-ui/swagger-ui-bundle.js").text
