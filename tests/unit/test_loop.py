"""The closing-the-loop rule: which answers open a complaint, why, and how urgent."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from feedback.complaints.deadlines import Severity
from feedback.surveys.loop import LoopReason, complaint_reason, complaint_severity
from feedback.surveys.questionnaire import Answer

levels = st.integers(min_value=0, max_value=3)
comments = st.text(max_size=50)
blank = st.text(alphabet=" \t\n\r\u3000", max_size=5)


@given(comment=comments, may_contact=st.booleans())
def test_every_level_0_answer_opens_a_complaint(comment: str, may_contact: bool) -> None:
    answer = Answer(level=0, comment=comment, may_contact=may_contact)
    assert complaint_reason(answer) is LoopReason.not_satisfied


@given(level=st.integers(min_value=1, max_value=3), comment=comments)
def test_a_comment_with_a_contact_request_opens_a_complaint_at_any_level(
    level: int, comment: str
) -> None:
    answer = Answer(level=level, comment=comment, may_contact=True)
    expected = LoopReason.contact_request if comment.strip() else None
    assert complaint_reason(answer) is expected


@given(level=st.integers(min_value=1, max_value=3), comment=comments)
def test_without_a_contact_request_a_satisfied_answer_opens_none(level: int, comment: str) -> None:
    assert complaint_reason(Answer(level=level, comment=comment, may_contact=False)) is None


@given(level=st.integers(min_value=1, max_value=3), comment=blank)
def test_a_contact_request_with_an_empty_comment_opens_none(level: int, comment: str) -> None:
    assert complaint_reason(Answer(level=level, comment=comment, may_contact=True)) is None


@given(level=levels, comment=comments, may_contact=st.booleans())
def test_the_rule_is_exactly_level_0_or_a_commented_contact_request(
    level: int, comment: str, may_contact: bool
) -> None:
    needed = complaint_reason(Answer(level=level, comment=comment, may_contact=may_contact))
    assert (needed is not None) == (level == 0 or (may_contact and bool(comment.strip())))


def test_not_satisfied_is_answered_sooner_than_a_call_back_request() -> None:
    assert complaint_severity(LoopReason.not_satisfied) is Severity.major
    assert complaint_severity(LoopReason.contact_request) is Severity.minor
