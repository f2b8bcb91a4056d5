"""The one catalog of user-facing words, in Chinese (zh) and English (en).

Everything a user reads comes from here: command-line messages, the report's sentences,
chart titles, and the names of the codes result tables carry (results hold ``at_risk``,
the reader sees 预警 or "At risk"):

>>> from clientlens.text import catalog, text
>>> text("en", "stage.at_risk"), text("zh", "segment.rfm8.important_value")
('At risk', '重要价值客户')
>>> text("zh", "cli.exported", path="a.xlsx")
'已写出 a.xlsx'
>>> catalog("en").name("weekday", 6)
'Sunday'

Keys are grouped by area, their first part: ``cli.*`` (command line), ``chart.*`` (model
charts), the report's areas (``report.*``, ``section.*``, ``kpi.*``, ``col.*`` ...),
names of result codes (``segment.rfm11.*``, ``segment.rfm8.*``, ``segment_action.*``,
``stage.*``, ``weekday.*``, ``abc.*``, ``clv_segment.*``, ``group.*``, ``clv_note.*``) and
units and dates (``format.*``, ``month.*``). The texts are in ``zh.toml`` and ``en.toml``
(see :mod:`clientlens.text.catalog` for why data files).

Data values (a province, a channel, a category) are not codes; :mod:`clientlens.text.values`
holds the English of the common Chinese ones.
"""

from clientlens.text.catalog import LANGUAGES, Catalog, catalog, detect_language, text
from clientlens.text.values import value_text

__all__ = ["LANGUAGES", "Catalog", "catalog", "detect_language", "text", "value_text"]
