"""Loading the catalog: one data file per language, read once, looked up by message key.

The texts are data, not code: ``zh.toml`` and ``en.toml`` beside this module, one
``"key" = "text"`` line per message, grouped by area under a comment. A translator edits
one file without touching Python, a new language is one more file (and its code in
:data:`LANGUAGES`), and grepping the code's key (``"cli.import_done"``) finds its text.
TOML because the standard library reads it (``tomllib``), it allows comments, and it has
no implicit typing (the loader checks that every value is a string).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any

from clientlens.errors import ConfigError

LANGUAGES = ("zh", "en")
"""Languages with a catalog; every one has the same keys."""


class Catalog(Mapping[str, str]):
    """The texts of one language, by key: ``catalog("en")("cli.exported", path="a.csv")``.

    Templates use ``str.format`` fields; a missing key is a bug in the caller and raises
    ``KeyError`` naming it.
    """

    def __init__(self, lang: str, messages: dict[str, str]) -> None:
        self.lang = lang
        self._messages = messages

    def __call__(self, key: str, **params: Any) -> str:
        return self.template(key).format(**params)

    def __getitem__(self, key: str) -> str:
        return self.template(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._messages)

    def __len__(self) -> int:
        return len(self._messages)

    def template(self, key: str) -> str:
        """The unformatted text of ``key``."""
        try:
            return self._messages[key]
        except KeyError:
            raise KeyError(f"The {self.lang} text catalog has no key {key!r}.") from None

    def name(self, area: str, code: object) -> str:
        """The words for a code a result table carries (``name("stage", "at_risk")``); a code
        the catalog does not know (a hand-made table's) is shown as it is."""
        key = f"{area}.{code}"
        return self.template(key) if key in self._messages else str(code)


@cache
def catalog(lang: str) -> Catalog:
    """The catalog of ``lang`` (``zh`` or ``en``), read from its file on first use."""
    if lang not in LANGUAGES:
        raise ConfigError(f"The language {lang!r} is not supported; use zh or en.")
    raw = tomllib.loads(
        resources.files("clientlens.text").joinpath(f"{lang}.toml").read_text("utf-8")
    )
    bad = [k for k, v in raw.items() if not isinstance(v, str)]
    if bad:
        raise ValueError(f"{lang}.toml: these keys are not plain text: {bad}")
    return Catalog(lang, raw)


def text(lang: str, key: str, **params: Any) -> str:
    """The text of ``key`` in ``lang`` with ``params`` filled in."""
    return catalog(lang)(key, **params)


def detect_language(explicit: str | None = None) -> str:
    """The language of messages: ``explicit`` (``--lang`` or the ``language`` setting) when it
    is zh or en, else the environment (``CLIENTLENS_LANGUAGE``, then ``LANG`` starting with
    ``zh`` gives Chinese), else English."""
    if explicit in LANGUAGES:
        return str(explicit)
    env = os.environ.get("CLIENTLENS_LANGUAGE") or os.environ.get("LANG", "")
    return "zh" if env.lower().startswith("zh") else "en"
