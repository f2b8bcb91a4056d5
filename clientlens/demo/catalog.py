"""The demo shop's catalogue: categories and products in Chinese and English.

Each item comes in a standard and a premium edition (the premium one costs about 1.8×),
so segments can differ in what they buy as well as how often: VIP customers lean to
premium editions and dearer items, bargain hunters to cheap ones. Gross margins differ
by category as they do in Chinese e-commerce (beauty high, electronics thin).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# code, zh, en, gross margin, share of items sold
CATEGORIES: list[tuple[str, str, str, float, float]] = [
    ("apparel", "服饰鞋包", "Apparel & bags", 0.48, 0.22),
    ("beauty", "美妆个护", "Beauty & personal care", 0.58, 0.20),
    ("food", "食品饮料", "Food & drinks", 0.30, 0.18),
    ("electronics", "数码家电", "Electronics", 0.16, 0.10),
    ("home", "家居日用", "Home & living", 0.40, 0.12),
    ("baby", "母婴用品", "Mother & baby", 0.35, 0.08),
    ("sports", "运动户外", "Sports & outdoors", 0.42, 0.06),
    ("books", "图书文具", "Books & stationery", 0.28, 0.04),
]

# category code -> [(zh, en, list price CNY)]
ITEMS: dict[str, list[tuple[str, str, float]]] = {
    "apparel": [("纯棉T恤", "Cotton T-shirt", 79), ("牛仔裤", "Jeans", 199), ("羊毛大衣", "Wool coat", 899),
                ("运动鞋", "Sneakers", 399), ("双肩包", "Backpack", 259), ("真丝围巾", "Silk scarf", 329)],
    "beauty": [("保湿面霜", "Moisturising cream", 189), ("精华液", "Facial serum", 459), ("防晒霜", "Sunscreen", 129),
               ("口红", "Lipstick", 239), ("洗发水", "Shampoo", 69), ("面膜套装", "Sheet mask set", 99)],
    "food": [("每日坚果", "Daily mixed nuts", 89), ("挂耳咖啡", "Drip coffee bags", 59), ("有机大米", "Organic rice", 79),
             ("茶叶礼盒", "Tea gift box", 299), ("零食大礼包", "Snack hamper", 129), ("牛奶整箱", "Milk (case)", 65)],
    "electronics": [("蓝牙耳机", "Bluetooth earbuds", 399), ("充电宝", "Power bank", 129), ("智能手表", "Smartwatch", 1299),
                    ("空气炸锅", "Air fryer", 459), ("电动牙刷", "Electric toothbrush", 299), ("扫地机器人", "Robot vacuum", 2199)],
    "home": [("四件套床品", "Bedding set", 359), ("收纳箱", "Storage box", 59), ("香薰蜡烛", "Scented candle", 89),
             ("不粘锅", "Non-stick pan", 199), ("毛巾套装", "Towel set", 79), ("乳胶枕", "Latex pillow", 269)],
    "baby": [("纸尿裤", "Nappies", 139), ("婴儿奶粉", "Infant formula", 329), ("儿童绘本", "Picture books", 99),
             ("婴儿推车", "Pushchair", 1599), ("宝宝湿巾", "Baby wipes", 49)],
    "sports": [("瑜伽垫", "Yoga mat", 129), ("跑步鞋", "Running shoes", 599), ("露营帐篷", "Camping tent", 899),
               ("运动水杯", "Sports bottle", 69), ("健身手环", "Fitness band", 249)],
    "books": [("畅销小说", "Bestselling novel", 49), ("钢笔礼盒", "Fountain pen gift set", 199),
              ("手账本", "Planner notebook", 39), ("少儿百科", "Children's encyclopedia", 159)],
}  # fmt: skip

_EDITIONS = (("标准款", "standard", 1.0), ("高端款", "premium", 1.8))


@dataclass(frozen=True)
class Catalog:
    """Products as arrays, for vectorised sampling."""

    product_id: np.ndarray
    category: np.ndarray
    """Category index into CATEGORIES."""
    price: np.ndarray
    cost: np.ndarray
    name_zh: np.ndarray
    name_en: np.ndarray

    @property
    def size(self) -> int:
        return int(self.product_id.size)

    def frame(self, locale: str) -> pd.DataFrame:
        """The ``products`` table in ``locale`` (zh or en)."""
        labels = CATEGORY_ZH if locale == "zh" else CATEGORY_EN
        return pd.DataFrame(
            {
                "product_id": self.product_id,
                "name": self.name_zh if locale == "zh" else self.name_en,
                "category": labels[self.category],
                "price": self.price,
                "cost": self.cost,
            }
        )


CATEGORY_ZH = np.array([c[1] for c in CATEGORIES], dtype=object)
CATEGORY_EN = np.array([c[2] for c in CATEGORIES], dtype=object)
CATEGORY_CODE = np.array([c[0] for c in CATEGORIES], dtype=object)
CATEGORY_SHARE = np.array([c[4] for c in CATEGORIES])


def build_catalog() -> Catalog:
    """The fixed catalogue (the same for every seed, so product ids are stable)."""
    ids: list[str] = []
    cats: list[int] = []
    prices: list[float] = []
    costs: list[float] = []
    zh: list[str] = []
    en: list[str] = []
    for c_index, (code, _zh, _en, margin, _share) in enumerate(CATEGORIES):
        for item_zh, item_en, list_price in ITEMS[code]:
            for ed_zh, ed_en, factor in _EDITIONS:
                ids.append(f"P{len(ids) + 1:04d}")
                cats.append(c_index)
                price = round(list_price * factor, 0) - 0.1  # ¥x9.9-style prices
                prices.append(price)
                costs.append(round(price * (1 - margin), 2))
                zh.append(f"{item_zh}（{ed_zh}）")
                en.append(f"{item_en} ({ed_en})")
    return Catalog(
        np.array(ids, dtype=object),
        np.array(cats),
        np.array(prices),
        np.array(costs),
        np.array(zh, dtype=object),
        np.array(en, dtype=object),
    )


def product_cdf(catalog: Catalog, price_exponents: np.ndarray) -> np.ndarray:
    """Cumulative choice probabilities, shape (segments, categories, max products).

    Within a category a product is chosen with weight ``price ** (exponent - 1)``: demand
    falls with price (cheap items sell more units), less steeply for a positive exponent
    (VIP) and more steeply for a negative one (bargain hunters).
    """
    n_cat = len(CATEGORIES)
    width = int(np.bincount(catalog.category).max())
    cdf = np.ones((price_exponents.size, n_cat, width))
    for s, exponent in enumerate(price_exponents):
        for c in range(n_cat):
            prices = catalog.price[catalog.category == c]
            w = prices ** (exponent - 1.0)
            cdf[s, c, : prices.size] = np.cumsum(w) / w.sum()
    return cdf


def category_offsets(catalog: Catalog) -> np.ndarray:
    """Index of each category's first product in the catalogue."""
    counts = np.bincount(catalog.category, minlength=len(CATEGORIES))
    return np.concatenate([[0], np.cumsum(counts)[:-1]])
