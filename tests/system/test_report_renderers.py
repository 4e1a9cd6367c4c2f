"""The report renderers `feedback serve` starts end with it, even when it is killed (SIGKILL)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.support.servers import Service, fresh_site

# A renderer checks every second whether the server is still there; it imports for longer.
STARTUP_SECONDS, ENDING_SECONDS = 60.0, 15.0


def children_of(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (from /proc: field 4 of stat is the parent)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def alive(pids: set[int]) -> set[int]:
    return {pid for pid in pids if Path(f"/proc/{pid}").exists()}


async def wait_for(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.2)
    return bool(condition())


@pytest.mark.parametrize("ending", ["killed", "stopped"])
async def test_renderers_end_with_the_server(ending: str, tmp_path: Path) -> None:
    async with fresh_site("sqlite", tmp_path) as site:
        service = await Service.start(site.env, site.port)
        await service.wait_until_serving(site.base_url)
        server = service.process.pid
        # The server starts a renderer as it starts (and multiprocessing its resource tracker).
        assert await wait_for(lambda: children_of(server), STARTUP_SECONDS), service.log()
        children = children_of(server)
        if ending == "killed":
            service.process.kill()
            await asyncio.wait_for(service.process.wait(), ENDING_SECONDS)
            await asyncio.wait_for(service.reader, ENDING_SECONDS)
            assert service.process.returncode == -9
        else:
            await service.stop()  # SIGTERM: uvicorn shuts the app down, then ends by the signal
            assert "Application shutdown complete." in service.log()
        assert await wait_for(lambda: not alive(children), ENDING_SECONDS), alive(children)
