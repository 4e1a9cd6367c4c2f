"""The closing-the-loop rule: which answers go on the follow-up list, and why."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from feedback.surveys.follow_ups import FollowUpReason, follow_up_reason
from feedback.surveys.questionnaire import Answer

levels = st.integers(min_value=0, max_value=3)
comments = st.text(max_size=50)
blank = st.text(alphabet=" \t\n\r\u3000", max_size=5)


@given(comment=comments, may_contact=st.booleans())
def test_every_level_0_answer_needs_a_follow_up(comment: str, may_contact: bool) -> None:
    answer = Answer(level=0, comment=comment, may_contact=may_contact)
    assert follow_up_reason(answer) is FollowUpReason.not_satisfied


@given(level=st.integers(min_value=1, max_value=3), comment=comments)
def test_a_comment_with_a_contact_request_needs_a_follow_up_at_any_level(
    level: int, comment: str
) -> None:
    answer = Answer(level=level, comment=comment, may_contact=True)
    expected = FollowUpReason.contact_request if comment.strip() else None
    assert follow_up_reason(answer) is expected


@given(level=st.integers(min_value=1, max_value=3), comment=comments)
def test_without_a_contact_request_a_satisfied_answer_needs_none(level: int, comment: str) -> None:
    assert follow_up_reason(Answer(level=level, comment=comment, may_contact=False)) is None


@given(level=st.integers(min_value=1, max_value=3), comment=blank)
def test_a_contact_request_with_an_empty_comment_needs_none(level: int, comment: str) -> None:
    assert follow_up_reason(Answer(level=level, comment=comment, may_contact=True)) is None


@given(level=levels, comment=comments, may_contact=st.booleans())
def test_the_rule_is_exactly_level_0_or_a_commented_contact_request(
    level: int, comment: str, may_contact: bool
) -> None:
    needed = follow_up_reason(Answer(level=level, comment=comment, may_contact=may_contact))
    assert (needed is not None) == (level == 0 or (may_contact and bool(comment.strip())))
