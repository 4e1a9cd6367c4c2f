"""The queue's time left: words and urgency from the deadline, the warning time and now."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from feedback.complaints.deadlines import Urgency, time_left

NOW = dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.UTC)
MINUTES = st.integers(min_value=-60 * 24 * 30, max_value=60 * 24 * 30)


def test_examples() -> None:
    hour = dt.timedelta(hours=1)
    assert time_left(None, None, NOW).text == "no deadline"
    assert time_left(NOW + 2 * hour, NOW + hour, NOW).text == "2 h 0 min left"
    assert time_left(NOW + 2 * hour, NOW + hour, NOW).urgency is Urgency.on_track
    assert time_left(NOW + 2 * hour, NOW - hour, NOW).urgency is Urgency.due_soon
    assert time_left(NOW + dt.timedelta(minutes=5), None, NOW).text == "5 min left"
    assert time_left(NOW - dt.timedelta(days=2, hours=3), None, NOW).text == "overdue by 2 d 3 h"
    assert time_left(NOW, None, NOW).urgency is Urgency.overdue


@given(due=MINUTES, warn=MINUTES)
def test_the_words_always_say_what_the_colour_says(due: int, warn: int) -> None:
    due_at = NOW + dt.timedelta(minutes=due)
    warn_at = NOW + dt.timedelta(minutes=min(warn, due))
    left = time_left(due_at, warn_at, NOW)
    if due <= 0:
        assert left.urgency is Urgency.overdue
        assert left.text.startswith("overdue by ")
    else:
        assert left.text.endswith(" left")
        assert left.urgency is (Urgency.due_soon if warn_at <= NOW else Urgency.on_track)
