"""Made-up names for simulated companies, contacts and staff, in English and Chinese."""

from __future__ import annotations

import numpy as np

from feedback.accounts.roles import Role

__all__ = [
    "DEMO_DOMAIN",
    "INDUSTRY_WORDS",
    "STAFF_ROSTER",
    "company_name",
    "person_name",
]

# Every simulated address is under the reserved .example TLD, so no mail can reach anyone.
DEMO_DOMAIN = "demo.example"

# industry -> (English words, Chinese word with its pinyin)
INDUSTRY_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, str]]] = {
    "Manufacturing": (("Industries", "Manufacturing", "Components", "Works"), ("制造", "zhizao")),
    "Retail": (("Stores", "Retail", "Outfitters", "Market"), ("商贸", "shangmao")),
    "Logistics": (("Logistics", "Freight", "Transport", "Shipping"), ("物流", "wuliu")),
    "Healthcare": (("Health", "Medical", "Clinics", "Care"), ("医疗", "yiliao")),
    "Software": (("Software", "Systems", "Digital", "Labs"), ("科技", "keji")),
    "Construction": (
        ("Construction", "Builders", "Engineering", "Contractors"),
        ("建设", "jianshe"),
    ),
    "Hospitality": (("Hotels", "Hospitality", "Catering", "Resorts"), ("酒店", "jiudian")),
    "Agriculture": (("Farms", "Agri", "Growers", "Produce"), ("农业", "nongye")),
}

_EN_PREFIXES = (
    "Northwind", "Bluegate", "Redfern", "Oakridge", "Silverline", "Harbor", "Summit",
    "Granite", "Meridian", "Pinecrest", "Riverside", "Lakeshore", "Ironbridge", "Brightwater",
    "Westfield", "Kingsway", "Evergreen", "Copperleaf", "Stonehill", "Fairhaven", "Crescent",
    "Highland", "Sterling", "Clearwater", "Maple", "Beacon", "Juniper", "Falcon", "Orchard",
    "Cobalt", "Larkspur", "Redwood", "Seabright", "Ashford", "Thornbury", "Wexford",
)  # fmt: skip
_EN_SUFFIXES = {
    "North America": ("Inc.", "LLC", "Corp.", "Partners"),
    "Western Europe": ("Ltd", "GmbH", "& Co.", "Group"),
    "Nordics": ("AB", "AS", "Oy", "Group"),
    "Southeast Asia": ("Pte Ltd", "Sdn Bhd", "Group", "Ltd"),
    "Oceania": ("Pty Ltd", "Ltd", "Group", "Partners"),
    "Greater China": ("Ltd", "Holdings", "Group", "Co."),
}

_ZH_CITIES = (
    ("上海", "shanghai"), ("北京", "beijing"), ("深圳", "shenzhen"), ("广州", "guangzhou"),
    ("杭州", "hangzhou"), ("苏州", "suzhou"), ("成都", "chengdu"), ("南京", "nanjing"),
    ("武汉", "wuhan"), ("天津", "tianjin"), ("厦门", "xiamen"), ("青岛", "qingdao"),
)  # fmt: skip
# Chinese-named businesses outside Greater China (Singapore, Kuala Lumpur, Penang, Jakarta).
_ZH_OVERSEAS_CITIES = (
    ("新加坡", "singapore"), ("吉隆坡", "kualalumpur"), ("槟城", "penang"), ("雅加达", "jakarta"),
)  # fmt: skip
_ZH_BRANDS = (
    ("宏达", "hongda"), ("华信", "huaxin"), ("永盛", "yongsheng"), ("金桥", "jinqiao"),
    ("恒通", "hengtong"), ("东方", "dongfang"), ("新月", "xinyue"), ("瑞丰", "ruifeng"),
    ("天成", "tiancheng"), ("博远", "boyuan"), ("安泰", "antai"), ("嘉禾", "jiahe"),
    ("鼎盛", "dingsheng"), ("启明", "qiming"), ("中联", "zhonglian"), ("富源", "fuyuan"),
    ("远航", "yuanhang"), ("长青", "changqing"), ("汇通", "huitong"), ("明德", "mingde"),
)  # fmt: skip

_EN_FIRST = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Susan", "Richard", "Jessica", "Thomas", "Sarah", "Daniel",
    "Karen", "Matthew", "Emma", "Lars", "Ingrid", "Sofia", "Lucas", "Olivia", "Noah",
    "Amelia", "Oliver", "Chloe", "Ethan", "Hannah", "Samuel",
)  # fmt: skip
_EN_LAST = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor",
    "Anderson", "Thomas", "Moore", "Martin", "Jackson", "White", "Harris", "Clark", "Lewis",
    "Walker", "Hall", "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson",
    "Lindqvist", "Berg", "Schmidt", "Dubois",
)  # fmt: skip
_ZH_SURNAMES = (
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"),
    ("杨", "yang"), ("赵", "zhao"), ("黄", "huang"), ("周", "zhou"), ("吴", "wu"),
    ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("林", "lin"),
)  # fmt: skip
_ZH_GIVEN = (
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("磊", "lei"),
    ("洋", "yang"), ("勇", "yong"), ("军", "jun"), ("杰", "jie"), ("婷", "ting"),
    ("强", "qiang"), ("丽", "li"), ("涛", "tao"), ("明", "ming"), ("霞", "xia"),
    ("建华", "jianhua"), ("晓明", "xiaoming"), ("海燕", "haiyan"), ("志强", "zhiqiang"),
)  # fmt: skip

# (email local part, name, role, regions managed); managers of Greater China speak Chinese.
STAFF_ROSTER: tuple[tuple[str, str, Role, tuple[str, ...]], ...] = (
    ("admin", "Alex Morgan", Role.admin, ()),
    ("priya.natarajan", "Priya Natarajan", Role.supervisor, ()),
    ("jing.chen", "陈静", Role.supervisor, ()),
    ("tom.becker", "Tom Becker", Role.agent, ()),
    ("maria.santos", "Maria Santos", Role.agent, ()),
    ("wei.zhang", "张伟", Role.agent, ()),
    ("grace.okafor", "Grace Okafor", Role.agent, ()),
    ("fang.wang", "王芳", Role.account_manager, ("Greater China",)),
    ("hao.liu", "刘浩", Role.account_manager, ("Greater China", "Southeast Asia")),
    ("emily.carter", "Emily Carter", Role.account_manager, ("North America",)),
    ("jacob.miller", "Jacob Miller", Role.account_manager, ("North America",)),
    ("sophie.laurent", "Sophie Laurent", Role.account_manager, ("Western Europe",)),
    ("henrik.nilsson", "Henrik Nilsson", Role.account_manager, ("Nordics", "Western Europe")),
    ("aisha.rahman", "Aisha Rahman", Role.account_manager, ("Southeast Asia",)),
    ("liam.oconnor", "Liam O'Connor", Role.account_manager, ("Oceania",)),
)


def _pick(rng: np.random.Generator, choices: tuple[str, ...]) -> str:
    return choices[int(rng.integers(len(choices)))]


def _pick_pair(rng: np.random.Generator, choices: tuple[tuple[str, str], ...]) -> tuple[str, str]:
    return choices[int(rng.integers(len(choices)))]


def company_name(
    rng: np.random.Generator, industry: str, region: str, chinese: bool
) -> tuple[str, str]:
    """A company name and its made-up mail domain."""
    english_words, (zh_word, zh_pinyin) = INDUSTRY_WORDS[industry]
    if chinese:
        cities = _ZH_CITIES if region == "Greater China" else _ZH_OVERSEAS_CITIES
        city, city_pinyin = _pick_pair(rng, cities)
        brand, brand_pinyin = _pick_pair(rng, _ZH_BRANDS)
        name = f"{city}{brand}{zh_word}有限公司"
        return name, f"{brand_pinyin}-{zh_pinyin}-{city_pinyin}.example"
    prefix = _pick(rng, _EN_PREFIXES)
    word = _pick(rng, english_words)
    name = f"{prefix} {word} {_pick(rng, _EN_SUFFIXES[region])}"
    return name, f"{prefix}-{word}.example".lower()


def person_name(rng: np.random.Generator, chinese: bool) -> tuple[str, str]:
    """A person's name as written, and the local part of their email address."""
    if chinese:
        surname, surname_pinyin = _pick_pair(rng, _ZH_SURNAMES)
        given, given_pinyin = _pick_pair(rng, _ZH_GIVEN)
        return f"{surname}{given}", f"{given_pinyin}.{surname_pinyin}"
    first, last = _pick(rng, _EN_FIRST), _pick(rng, _EN_LAST)
    return f"{first} {last}", f"{first}.{last}".lower()
