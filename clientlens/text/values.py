"""The value dictionary: data vocabulary in Chinese and the English a report shows for it.

Result tables carry codes (``champions``, ``at_risk``), named by the catalog; data values
are different: a province, a channel or a category is whatever the business's files say,
often in Chinese. The English report (and the dashboard) shows English for the common ones:

>>> from clientlens.text.values import value_text
>>> value_text("en", "内蒙古自治区"), value_text("en", "直播带货", kind="acquisition_channel")
('Inner Mongolia', 'Live streaming')
>>> value_text("en", "吉林", kind="city"), value_text("en", "吉林")
('Jilin City', 'Jilin')
>>> value_text("en", "某某渠道"), value_text("zh", "广东")
('某某渠道', '广东')

Unknown values pass through unchanged, and so does every value in a Chinese report. The
vocabulary: the 34 provincial-level regions of China (short, official and common suffixed
forms), the demo business's cities, acquisition, order, feedback and ticket channels,
product categories, occupations, ticket categories, gender values, and the Chinese names of
the RFM segments (read from the catalog, so a segment is named the same way everywhere).

The dictionary is Python rather than a data file because most of it is derived: each
province's suffixed forms are made from its short and official names.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import TypeVar, cast

from clientlens.text.catalog import catalog

T = TypeVar("T")

PROVINCES: tuple[tuple[str, str, str], ...] = (
    ("北京", "Beijing", "北京市"),
    ("天津", "Tianjin", "天津市"),
    ("河北", "Hebei", "河北省"),
    ("山西", "Shanxi", "山西省"),
    ("内蒙古", "Inner Mongolia", "内蒙古自治区"),
    ("辽宁", "Liaoning", "辽宁省"),
    ("吉林", "Jilin", "吉林省"),
    ("黑龙江", "Heilongjiang", "黑龙江省"),
    ("上海", "Shanghai", "上海市"),
    ("江苏", "Jiangsu", "江苏省"),
    ("浙江", "Zhejiang", "浙江省"),
    ("安徽", "Anhui", "安徽省"),
    ("福建", "Fujian", "福建省"),
    ("江西", "Jiangxi", "江西省"),
    ("山东", "Shandong", "山东省"),
    ("河南", "Henan", "河南省"),
    ("湖北", "Hubei", "湖北省"),
    ("湖南", "Hunan", "湖南省"),
    ("广东", "Guangdong", "广东省"),
    ("广西", "Guangxi", "广西壮族自治区"),
    ("海南", "Hainan", "海南省"),
    ("重庆", "Chongqing", "重庆市"),
    ("四川", "Sichuan", "四川省"),
    ("贵州", "Guizhou", "贵州省"),
    ("云南", "Yunnan", "云南省"),
    ("西藏", "Tibet", "西藏自治区"),
    ("陕西", "Shaanxi", "陕西省"),
    ("甘肃", "Gansu", "甘肃省"),
    ("青海", "Qinghai", "青海省"),
    ("宁夏", "Ningxia", "宁夏回族自治区"),
    ("新疆", "Xinjiang", "新疆维吾尔自治区"),
    ("台湾", "Taiwan", "台湾省"),
    ("香港", "Hong Kong", "香港特别行政区"),
    ("澳门", "Macao", "澳门特别行政区"),
)
"""The 34 provincial-level regions: short Chinese name, English name, official Chinese name."""

CITIES: Mapping[str, str] = {
    "北京": "Beijing", "天津": "Tianjin", "上海": "Shanghai", "重庆": "Chongqing",
    "石家庄": "Shijiazhuang", "唐山": "Tangshan", "保定": "Baoding", "太原": "Taiyuan",
    "大同": "Datong", "呼和浩特": "Hohhot", "包头": "Baotou", "沈阳": "Shenyang",
    "大连": "Dalian", "长春": "Changchun", "吉林": "Jilin City", "哈尔滨": "Harbin",
    "大庆": "Daqing", "南京": "Nanjing", "苏州": "Suzhou", "无锡": "Wuxi", "杭州": "Hangzhou",
    "宁波": "Ningbo", "温州": "Wenzhou", "合肥": "Hefei", "芜湖": "Wuhu", "福州": "Fuzhou",
    "厦门": "Xiamen", "泉州": "Quanzhou", "南昌": "Nanchang", "赣州": "Ganzhou", "济南": "Jinan",
    "青岛": "Qingdao", "烟台": "Yantai", "郑州": "Zhengzhou", "洛阳": "Luoyang", "武汉": "Wuhan",
    "襄阳": "Xiangyang", "宜昌": "Yichang", "长沙": "Changsha", "衡阳": "Hengyang",
    "广州": "Guangzhou", "深圳": "Shenzhen", "东莞": "Dongguan", "佛山": "Foshan",
    "南宁": "Nanning", "柳州": "Liuzhou", "桂林": "Guilin", "海口": "Haikou", "三亚": "Sanya",
    "成都": "Chengdu", "绵阳": "Mianyang", "贵阳": "Guiyang", "遵义": "Zunyi", "昆明": "Kunming",
    "曲靖": "Qujing", "拉萨": "Lhasa", "西安": "Xi'an", "宝鸡": "Baoji", "兰州": "Lanzhou",
    "天水": "Tianshui", "西宁": "Xining", "银川": "Yinchuan", "乌鲁木齐": "Urumqi",
    "喀什": "Kashgar", "香港": "Hong Kong", "澳门": "Macao", "台北": "Taipei",
}  # fmt: skip
"""Large cities (the demo business's among them); ``广州市`` finds ``广州`` too."""

ACQUISITION_CHANNELS: Mapping[str, str] = {
    "自然流量": "Organic",
    "搜索广告": "Search ads",
    "信息流广告": "Feed ads",
    "小红书种草": "Xiaohongshu KOL",
    "直播带货": "Live streaming",
    "老带新": "Referral",
    "微信私域": "WeChat community",
}
ORDER_CHANNELS: Mapping[str, str] = {"APP": "App", "微信小程序": "Mini program", "网页": "Web"}
FEEDBACK_CHANNELS: Mapping[str, str] = {
    "短信问卷": "SMS survey",
    "APP推送": "App push",
    "商品评价": "Product review",
}
TICKET_CHANNELS: Mapping[str, str] = {
    "在线客服": "Online chat",
    "电话": "Phone",
    "APP留言": "In-app message",
}
CATEGORIES: Mapping[str, str] = {
    "服饰鞋包": "Apparel & bags",
    "美妆个护": "Beauty & personal care",
    "食品饮料": "Food & drinks",
    "数码家电": "Electronics",
    "家居日用": "Home & living",
    "母婴用品": "Mother & baby",
    "运动户外": "Sports & outdoors",
    "图书文具": "Books & stationery",
    "其他": "Other",
}
TICKET_CATEGORIES: Mapping[str, str] = {
    "物流配送": "Logistics",
    "商品质量": "Product quality",
    "退换货": "Returns & refunds",
    "客服服务": "Customer service",
    "包装破损": "Damaged packaging",
    "价格争议": "Pricing",
}
OCCUPATIONS: Mapping[str, str] = {
    "企业职员": "Office worker",
    "IT工程师": "IT engineer",
    "管理人员": "Manager",
    "教师": "Teacher",
    "医护人员": "Healthcare worker",
    "公务员": "Civil servant",
    "销售": "Sales",
    "个体经营": "Self-employed",
    "自由职业": "Freelancer",
    "工人": "Factory worker",
    "学生": "Student",
    "退休": "Retired",
}
GENDERS: Mapping[str, str] = {
    "女": "Female",
    "女性": "Female",
    "男": "Male",
    "男性": "Male",
    "未知": "Unknown",
}


def _province_forms() -> dict[str, str]:
    """Every written form of each region: 广东, 广东省; 内蒙古, 内蒙古自治区; 香港, 香港特区 ..."""
    out: dict[str, str] = {}
    for short, english, official in PROVINCES:
        forms = [short, official]
        if official.endswith("自治区"):
            forms.append(short + "自治区")  # 广西自治区 beside 广西壮族自治区
        if official.endswith("特别行政区"):
            forms.append(short + "特区")
        out.update(dict.fromkeys(forms, english))
    return out


def _with_city_suffix(cities: Mapping[str, str]) -> dict[str, str]:
    return {**cities, **{zh + "市": en for zh, en in cities.items()}}


def _segment_names() -> dict[str, str]:
    """Chinese RFM segment names → the English ones, both from the catalog."""
    zh, en = catalog("zh"), catalog("en")
    return {zh.template(k): en.template(k) for k in zh if k.startswith("segment.rfm")}


@cache
def _by_kind() -> dict[str, dict[str, str]]:
    """The English of each vocabulary, by kind; kind names are the profile's dimensions."""
    return {
        "province": _province_forms(),
        "city": _with_city_suffix(CITIES),
        "acquisition_channel": dict(ACQUISITION_CHANNELS),
        "channel": {**ORDER_CHANNELS, **FEEDBACK_CHANNELS, **TICKET_CHANNELS},
        "category": dict(CATEGORIES),
        "ticket_category": dict(TICKET_CATEGORIES),
        "occupation": dict(OCCUPATIONS),
        "gender": dict(GENDERS),
        "segment": _segment_names(),
    }


@cache
def english() -> dict[str, str]:
    """Every Chinese value the dictionary knows → its English; on a clash (吉林 the province
    and 吉林 the city) the kind listed first in :func:`_by_kind` wins."""
    merged: dict[str, str] = {}
    for vocabulary in _by_kind().values():
        for zh, en in vocabulary.items():
            merged.setdefault(zh, en)
    return merged


def value_text(lang: str, value: T, *, kind: str | None = None) -> T:
    """``value`` as a reader of ``lang`` should see it: English for a known Chinese value in
    an ``en`` report, else unchanged (numbers, missing values and unknown words too).

    ``kind`` (``province``, ``city``, ``category``, ``acquisition_channel`` ...) picks that
    vocabulary first, for words that mean different things in different columns.
    """
    if lang != "en" or not isinstance(value, str):
        return value
    key = value.strip()
    vocabulary = _by_kind().get(kind or "", {})
    return cast(T, vocabulary.get(key) or english().get(key, value))
