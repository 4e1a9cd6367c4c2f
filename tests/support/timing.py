"""Timing pages of a running service: the seconds of each GET, and their p50 and p99."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence

import httpx

__all__ = ["p50_p99", "timed_gets"]


async def timed_gets(
    client: httpx.AsyncClient,
    path: str,
    requests: int,
    warmup: int,
    check: Callable[[httpx.Response], bool] = lambda response: True,
) -> list[float]:
    """Seconds of each of ``requests`` GETs of ``path`` after ``warmup`` untimed ones.

    Every answer must be a 200 that passes ``check``.
    """
    timings = []
    for n in range(warmup + requests):
        started = time.perf_counter()
        response = await client.get(path)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, (
            f"GET {path} answered {response.status_code}:\n{response.text[:300]}"
        )
        assert check(response), f"GET {path} answered a page that fails the check"
        if n >= warmup:
            timings.append(elapsed)
    return timings


def p50_p99(timings: Sequence[float]) -> tuple[float, float]:
    """The median and the 99th percentile (nearest rank) of the timings."""
    ordered = sorted(timings)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
