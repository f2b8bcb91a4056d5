"""Where demo customers live: the 31 provinces of mainland China and their large cities.

Province weights are 2020 census populations (millions) times an online-shopping factor
(1.5 for the wealthy coastal provinces and municipalities, whose residents buy more
online); cities are the province's largest (urban population in millions, rounded), and
a customer's city is drawn among them by population. Names are real, in Chinese and in
their usual English spelling.
"""

from __future__ import annotations

import numpy as np

# (province zh, province en, population m, [(city zh, city en, population m), ...])
PROVINCES: list[tuple[str, str, float, list[tuple[str, str, float]]]] = [
    ("北京", "Beijing", 21.9, [("北京", "Beijing", 21.9)]),
    ("天津", "Tianjin", 13.9, [("天津", "Tianjin", 13.9)]),
    ("河北", "Hebei", 74.6, [("石家庄", "Shijiazhuang", 11.2), ("唐山", "Tangshan", 7.7), ("保定", "Baoding", 11.5)]),
    ("山西", "Shanxi", 34.9, [("太原", "Taiyuan", 5.3), ("大同", "Datong", 3.1)]),
    ("内蒙古", "Inner Mongolia", 24.0, [("呼和浩特", "Hohhot", 3.4), ("包头", "Baotou", 2.7)]),
    ("辽宁", "Liaoning", 42.6, [("沈阳", "Shenyang", 9.1), ("大连", "Dalian", 7.5)]),
    ("吉林", "Jilin", 24.1, [("长春", "Changchun", 9.1), ("吉林", "Jilin City", 3.6)]),
    ("黑龙江", "Heilongjiang", 31.9, [("哈尔滨", "Harbin", 10.0), ("大庆", "Daqing", 2.8)]),
    ("上海", "Shanghai", 24.9, [("上海", "Shanghai", 24.9)]),
    ("江苏", "Jiangsu", 84.7, [("南京", "Nanjing", 9.3), ("苏州", "Suzhou", 12.7), ("无锡", "Wuxi", 7.5)]),
    ("浙江", "Zhejiang", 64.6, [("杭州", "Hangzhou", 11.9), ("宁波", "Ningbo", 9.4), ("温州", "Wenzhou", 9.6)]),
    ("安徽", "Anhui", 61.0, [("合肥", "Hefei", 9.4), ("芜湖", "Wuhu", 3.6)]),
    ("福建", "Fujian", 41.5, [("福州", "Fuzhou", 8.3), ("厦门", "Xiamen", 5.2), ("泉州", "Quanzhou", 8.8)]),
    ("江西", "Jiangxi", 45.2, [("南昌", "Nanchang", 6.3), ("赣州", "Ganzhou", 9.0)]),
    ("山东", "Shandong", 101.5, [("济南", "Jinan", 9.2), ("青岛", "Qingdao", 10.1), ("烟台", "Yantai", 7.1)]),
    ("河南", "Henan", 99.4, [("郑州", "Zhengzhou", 12.6), ("洛阳", "Luoyang", 7.1)]),
    ("湖北", "Hubei", 57.8, [("武汉", "Wuhan", 12.3), ("襄阳", "Xiangyang", 5.3), ("宜昌", "Yichang", 4.0)]),
    ("湖南", "Hunan", 66.4, [("长沙", "Changsha", 10.0), ("衡阳", "Hengyang", 6.6)]),
    ("广东", "Guangdong", 126.0, [("广州", "Guangzhou", 18.7), ("深圳", "Shenzhen", 17.6), ("东莞", "Dongguan", 10.5), ("佛山", "Foshan", 9.5)]),
    ("广西", "Guangxi", 50.1, [("南宁", "Nanning", 8.7), ("柳州", "Liuzhou", 4.2), ("桂林", "Guilin", 4.9)]),
    ("海南", "Hainan", 10.1, [("海口", "Haikou", 2.9), ("三亚", "Sanya", 1.0)]),
    ("重庆", "Chongqing", 32.1, [("重庆", "Chongqing", 32.1)]),
    ("四川", "Sichuan", 83.7, [("成都", "Chengdu", 20.9), ("绵阳", "Mianyang", 4.9)]),
    ("贵州", "Guizhou", 38.6, [("贵阳", "Guiyang", 6.0), ("遵义", "Zunyi", 6.6)]),
    ("云南", "Yunnan", 47.2, [("昆明", "Kunming", 8.5), ("曲靖", "Qujing", 5.8)]),
    ("西藏", "Tibet", 3.6, [("拉萨", "Lhasa", 0.9)]),
    ("陕西", "Shaanxi", 39.5, [("西安", "Xi'an", 13.0), ("宝鸡", "Baoji", 3.3)]),
    ("甘肃", "Gansu", 25.0, [("兰州", "Lanzhou", 4.4), ("天水", "Tianshui", 3.0)]),
    ("青海", "Qinghai", 5.9, [("西宁", "Xining", 2.5)]),
    ("宁夏", "Ningxia", 7.2, [("银川", "Yinchuan", 2.9)]),
    ("新疆", "Xinjiang", 25.9, [("乌鲁木齐", "Urumqi", 4.1), ("喀什", "Kashgar", 4.5)]),
]  # fmt: skip

_COASTAL = {"北京", "上海", "天津", "广东", "浙江", "江苏", "福建"}
TIER_1 = {"北京", "上海", "广州", "深圳"}
"""Tier-1 cities (一线城市): incomes there are higher."""

CITY_ZH = np.array([c[0] for p in PROVINCES for c in p[3]], dtype=object)
CITY_EN = np.array([c[1] for p in PROVINCES for c in p[3]], dtype=object)
CITY_PROVINCE = np.array([i for i, p in enumerate(PROVINCES) for _ in p[3]])
PROVINCE_ZH = np.array([p[0] for p in PROVINCES], dtype=object)
PROVINCE_EN = np.array([p[1] for p in PROVINCES], dtype=object)
CITY_IS_TIER_1 = np.array([c in TIER_1 for c in CITY_ZH])


def city_weights() -> np.ndarray:
    """Probability that a customer lives in each city (index into CITY_ZH)."""
    weights: list[float] = []
    for zh, _en, population, cities in PROVINCES:
        province = population * (1.5 if zh in _COASTAL else 1.0)
        total = sum(c[2] for c in cities)
        weights.extend(province * c[2] / total for c in cities)
    w = np.array(weights)
    return w / w.sum()


def draw_cities(rng: np.random.Generator, n: int) -> np.ndarray:
    """City index (into CITY_ZH / CITY_EN) of ``n`` customers."""
    return rng.choice(CITY_ZH.size, size=n, p=city_weights())
