"""The ladder's arithmetic: rates, shares, aspect averages and movement."""

from __future__ import annotations

import pytest

from feedback.surveys.levels import (
    Movement,
    figures_from_counts,
    movement,
    movements,
)
from feedback.surveys.messages import questionnaire_text


def test_figures_of_a_small_wave() -> None:
    figures = figures_from_counts(invited=10, responded=8, counts=[1, 2, 3, 2])
    assert figures.response_rate == 0.8
    assert figures.level_counts == (1, 2, 3, 2)
    assert figures.level_shares == (0.125, 0.25, 0.375, 0.25)
    assert figures.satisfaction_rate == 0.875
    assert figures.loyalty_rate == 0.625
    assert figures.advocacy_rate == 0.25


def test_a_wave_without_answers_has_no_rates_rather_than_zero() -> None:
    figures = figures_from_counts(invited=0, responded=0, counts=[0, 0, 0, 0])
    assert figures.response_rate is None
    assert figures.level_shares is None
    assert figures.satisfaction_rate is None


def test_counts_that_are_not_one_per_rung_of_the_ladder_are_refused() -> None:
    with pytest.raises(ValueError, match="one count per level, got 5"):
        figures_from_counts(1, 1, [0, 0, 0, 0, 1])


@pytest.mark.parametrize(
    ("previous", "current", "expected"),
    [
        (1, 2, Movement.up),
        (3, 3, Movement.same),
        (3, 0, Movement.down),
        (None, 0, Movement.new),
        (2, None, Movement.silent),
        (None, None, Movement.silent),
    ],
)
def test_movement(previous: int | None, current: int | None, expected: Movement) -> None:
    assert movement(previous, current) is expected


def test_movements_cover_invited_and_answering_accounts_only() -> None:
    moved = movements(previous={1: 2, 2: 3, 9: 1}, current={1: 2, 3: 0}, invited=[1, 2])
    assert moved == {1: Movement.same, 2: Movement.silent, 3: Movement.new}


def test_the_ladder_is_worded_in_english_and_chinese_top_rung_first() -> None:
    assert questionnaire_text("en").levels[0] == (
        3,
        "I am satisfied, I will buy again, and I will recommend you to others",
    )
    assert [text for _, text in questionnaire_text("zh").levels][-1] == "我不满意"
    assert questionnaire_text("fr").language == "en"
