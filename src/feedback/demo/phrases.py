"""Free comments the simulated contacts write, in English and Simplified Chinese, by mood,
and what account managers note of their visits, calls and emails."""

from __future__ import annotations

from feedback.demo.customers import ClosingReason

__all__ = ["COMMENTS", "CONTACT_NOTES", "PEOPLE_MET", "STAFF_NOTES", "TROUBLE_NOTES"]

# By language, then by level (0 not satisfied ... 3 will recommend).
COMMENTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "en": (
        (
            "Deliveries have been late three times this quarter and nobody called us back.",
            "Your prices went up again while a competitor offered us better terms.",
            "The last order arrived damaged and the replacement took weeks.",
            "Invoices keep coming with errors; we spend hours correcting them.",
            "Support is hard to reach and answers are slow. Please call me.",
            "We are reviewing our suppliers; the service has not been what it was.",
        ),
        (
            "Fine overall, but delivery times could be more reliable.",
            "The product is good; the price is on the high side for us.",
            "Service is polite but it takes a while to get an answer.",
            "Nothing special to report. It does the job.",
        ),
        (
            "Reliable deliveries and a helpful account manager. We will keep ordering.",
            "Good quality at a fair price; we plan to order more next year.",
            "Orders arrive on time and problems are solved quickly.",
        ),
        (
            "Excellent service; we have recommended you to two partners already.",
            "Our account manager knows our business. Happy to be a reference.",
            "Best supplier we work with: quality, speed and a friendly team.",
        ),
    ),
    "zh": (
        (
            "本季度交货延迟了三次，也没有人回电话。",
            "价格又上涨了，而竞争对手给了我们更好的条件。",
            "上一批货到货时有损坏，换货等了好几周。",
            "发票经常出错，我们要花很多时间核对。",
            "客服很难联系上，回复也很慢，请给我打电话。",
            "我们正在重新评估供应商，服务不如以前了。",
        ),
        (
            "总体还可以，但交货时间可以更稳定一些。",
            "产品不错，价格对我们来说偏高。",
            "服务态度很好，但回复需要等一段时间。",
            "没有特别的意见，能满足需要。",
        ),
        (
            "交货可靠，客户经理很负责，我们会继续订货。",
            "质量好，价格合理，明年打算增加订单。",
            "订单准时到达，问题解决得很快。",
        ),
        (
            "服务非常好，我们已经向两家合作伙伴推荐了你们。",
            "客户经理很了解我们的业务，愿意做推荐客户。",
            "合作过的最好的供应商：质量好、速度快、团队友好。",
        ),
    ),
}

# What staff note after a call or a visit, by language, then by level.
STAFF_NOTES: dict[str, tuple[str, str, str, str]] = {
    "en": (
        "Met the purchasing team: unhappy with recent service; asked for a follow-up plan.",
        "Call: satisfied, but comparing offers; send the new price list.",
        "Visit: satisfied and planning next year's orders with us.",
        "Visit: very pleased; offered to introduce us to a sister company.",
    ),
    "zh": (
        "拜访采购团队：对近期服务不满意，要求提供改进计划。",
        "电话回访：基本满意，但在比较其他报价，需寄送新价目表。",
        "上门拜访：满意，正在和我们规划明年的订单。",
        "上门拜访：非常满意，愿意介绍关联公司与我们合作。",
    ),
}

# What a manager notes of a contact with an account, by language, then by kind.
CONTACT_NOTES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "visit": (
            "Quarterly review: orders, deliveries and next quarter's plan.",
            "Site visit; walked the warehouse with their operations lead.",
            "Met the new buyer and introduced our service team.",
            "Went through the delivery schedule for the busy season.",
            "Presented the new range; they asked for samples.",
        ),
        "call": (
            "Checked that the last delivery arrived complete.",
            "Talked through the open invoice; they will pay this week.",
            "Asked about next month's needs.",
            "Followed up on their request for shorter lead times.",
            "Confirmed the renewal terms.",
        ),
        "email": (
            "Sent the updated price list.",
            "Shared next month's delivery plan.",
            "Sent the minutes of our last meeting.",
            "Answered their question about payment terms.",
        ),
    },
    "zh": {
        "visit": (
            "季度回顾：订单、交货和下季度计划。",
            "现场拜访，与运营负责人参观了仓库。",
            "拜访新任采购，介绍了我们的服务团队。",
            "一起检查了旺季的交货计划。",
            "介绍了新产品系列，客户要求寄样品。",
        ),
        "call": (
            "确认上一批货已全部到齐。",
            "沟通了未结发票，客户本周付款。",
            "询问了下个月的需求。",
            "跟进客户缩短交货期的要求。",
            "确认了续约条款。",
        ),
        "email": (
            "发送了最新价目表。",
            "发送了下个月的交货计划。",
            "发送了上次会议纪要。",
            "回复了客户关于付款条件的问题。",
        ),
    },
}

# What a manager hears from an account on its way out, by language, then by why it leaves
# (None: drifting, not closed).
TROUBLE_NOTES: dict[str, dict[ClosingReason | None, tuple[str, ...]]] = {
    "en": {
        None: ("Orders are down; they did not say why.", "Hard to reach the buyer lately."),
        ClosingReason.competitor: (
            "They mentioned a competitor's offer at lower prices.",
            "Asked us to match another supplier's terms.",
        ),
        ClosingReason.own_business: (
            "Their business is slow; they are cutting stock.",
            "They are restructuring and will order less.",
        ),
        ClosingReason.service: (
            "Unhappy about the late deliveries.",
            "Complained that our support is slow to answer.",
        ),
    },
    "zh": {
        None: ("订单减少了，客户没有说明原因。", "最近很难联系上采购。"),
        ClosingReason.competitor: ("客户提到竞争对手报价更低。", "要求按其他供应商的条件报价。"),
        ClosingReason.own_business: ("客户生意不好，正在减少库存。", "客户正在重组，订单会减少。"),
        ClosingReason.service: ("对交货延迟不满意。", "抱怨我们的客服回复太慢。"),
    },
}

# Whom a manager met when it was not one of the contacts on record, by language.
PEOPLE_MET: dict[str, tuple[str, ...]] = {
    "en": ("the purchasing team", "the site manager", "the finance office"),
    "zh": ("采购部", "现场经理", "财务部"),
}
