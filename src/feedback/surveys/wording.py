"""What customers read, in each language: the three-level item, aspects and mail subjects."""

from __future__ import annotations

from collections.abc import Mapping

from feedback.surveys.levels import Level

__all__ = ["LANGUAGES", "Wording", "wording"]

LANGUAGES = ("en", "zh")

_LEVELS: Mapping[str, Mapping[Level, str]] = {
    "en": {
        Level.not_satisfied: "I am not satisfied",
        Level.satisfied: "I am satisfied",
        Level.will_buy_again: "I am satisfied, and I will buy again",
        Level.will_recommend: (
            "I am satisfied, I will buy again, and I will recommend you to others"
        ),
    },
    "zh": {
        Level.not_satisfied: "我不满意",
        Level.satisfied: "我满意",
        Level.will_buy_again: "我满意，并且会再次购买",
        Level.will_recommend: "我满意，会再次购买，并且会向他人推荐你们",
    },
}

_TEXTS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "level_question": "Which sentence describes you best?",
        "aspects_question": "How do you rate us on each of these? (1 = poor, 5 = excellent)",
        "aspect.quality": "Product quality",
        "aspect.delivery": "Delivery",
        "aspect.service_attitude": "Service attitude",
        "aspect.value": "Price and value",
        "comment": "Anything you would like to tell us?",
        "may_contact": "May we contact you about your answers?",
        "subject.invitation": "{company}: how satisfied are you? ({period})",
        "subject.reminder": "Reminder: {company} would like your opinion ({period})",
    },
    "zh": {
        "level_question": "哪一句话最符合您的想法？",
        "aspects_question": "请为以下各项打分（1 = 很差，5 = 很好）",
        "aspect.quality": "产品质量",
        "aspect.delivery": "交付",
        "aspect.service_attitude": "服务态度",
        "aspect.value": "价格与价值",
        "comment": "您还有什么想告诉我们的吗？",
        "may_contact": "我们可以就您的回答与您联系吗？",
        "subject.invitation": "{company}：您对我们满意吗？（{period}）",
        "subject.reminder": "提醒：{company} 期待您的意见（{period}）",
    },
}


class Wording:
    """The texts of one language."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else "en"

    def level(self, level: int) -> str:
        return _LEVELS[self.language][Level(level)]

    def levels(self) -> list[tuple[int, str]]:
        """The ladder, top rung first, as it is shown to customers."""
        return [(int(level), self.level(level)) for level in sorted(Level, reverse=True)]

    def text(self, key: str, **values: str) -> str:
        return _TEXTS[self.language][key].format(**values)


def wording(language: str) -> Wording:
    """The wording of ``language``, falling back to English for unknown languages."""
    return Wording(language)
