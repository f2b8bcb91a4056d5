"""The report's words in Chinese and English: one catalog per language, the same keys in both.

Templates use ``str.format`` fields; numbers arrive already formatted for the locale
(see :mod:`clientlens.report.fmt`).
"""

from __future__ import annotations

from clientlens.errors import ConfigError
from clientlens.report.locales.en import TEXT as EN
from clientlens.report.locales.zh import TEXT as ZH

CATALOGS: dict[str, dict[str, str]] = {"zh": ZH, "en": EN}


def text(lang: str, key: str) -> str:
    """The template ``key`` in ``lang`` (``zh`` or ``en``)."""
    try:
        catalog = CATALOGS[lang]
    except KeyError:
        raise ConfigError(f"Report language {lang!r} is not supported; use zh or en.") from None
    try:
        return catalog[key]
    except KeyError:
        raise ConfigError(f"The {lang} report catalog has no text {key!r}.") from None
