"""Codes and rules of the RFM segment schemes.

Two schemes, each segment with a stable code; its display names and recommended action
in zh and en are in the text catalog (:mod:`clientlens.text`, ``segment.<scheme>.<code>``
and ``segment_action.<scheme>.<code>``):

* ``rfm11``: the 11-segment scheme on the R score and the FM score (the mean of the
  F and M scores, rounded half up), read off :data:`RFM11_GRID`;
* ``rfm8``: the Chinese 8-segment scheme (重要价值客户 ...) on whether R, F and M are
  better than the mean (or median) of all customers.

Result tables carry the codes; the report and the dashboard name them from the catalog,
so a segment is named and advised the same way everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from clientlens.text import text


@dataclass(frozen=True)
class Segment:
    """A segment of a scheme; its name and action are the catalog's ``segment.<scheme>.<code>``
    and ``segment_action.<scheme>.<code>``."""

    code: str
    scheme: str

    def name(self, lang: str) -> str:
        return text(lang, f"segment.{self.scheme}.{self.code}")

    def action(self, lang: str) -> str:
        return text(lang, f"segment_action.{self.scheme}.{self.code}")


RFM11: tuple[Segment, ...] = tuple(
    Segment(code, "rfm11")
    for code in (
        "champions",
        "loyal",
        "potential_loyalist",
        "new",
        "promising",
        "need_attention",
        "about_to_sleep",
        "at_risk",
        "cant_lose",
        "hibernating",
        "lost",
    )
)
"""The 11 segments in display order (best first)."""

# Rows: R level 5 (most recent) .. 1; columns: FM level 1 .. 5.
RFM11_GRID: dict[int, tuple[str, str, str, str, str]] = {
    5: ("new", "potential_loyalist", "potential_loyalist", "champions", "champions"),
    4: ("promising", "potential_loyalist", "potential_loyalist", "loyal", "champions"),
    3: ("about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"),
    2: ("hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"),
    1: ("lost", "lost", "at_risk", "at_risk", "cant_lose"),
}

RFM8: tuple[Segment, ...] = tuple(
    Segment(code, "rfm8")
    for code in (
        "important_value",
        "important_develop",
        "important_retain",
        "important_winback",
        "general_value",
        "general_develop",
        "general_retain",
        "general_winback",
    )
)
"""The 8 segments in display order."""

# (R better, F better, M better) -> code
RFM8_RULES: dict[tuple[bool, bool, bool], str] = {
    (True, True, True): "important_value",
    (True, False, True): "important_develop",
    (False, True, True): "important_retain",
    (False, False, True): "important_winback",
    (True, True, False): "general_value",
    (True, False, False): "general_develop",
    (False, True, False): "general_retain",
    (False, False, False): "general_winback",
}

SCHEMES: dict[str, tuple[Segment, ...]] = {"rfm11": RFM11, "rfm8": RFM8}


def segment(scheme: str, code: str) -> Segment:
    """The segment ``code`` of ``scheme`` (``"rfm11"`` or ``"rfm8"``)."""
    for s in SCHEMES[scheme]:
        if s.code == code:
            return s
    raise KeyError(f"{scheme}: unknown segment {code!r}")


def rfm11_code(r_level: int, fm_level: int) -> str:
    """The 11-segment code of an R level and an FM level, both 1..5."""
    return RFM11_GRID[r_level][fm_level - 1]


def rfm11_rules_text() -> str:
    """The grid as words, for the docs: ``Champions: R5 FM4–5, R4 FM5; ...``."""
    parts = []
    for s in RFM11:
        cells = []
        for r, row in RFM11_GRID.items():
            fms = [fm + 1 for fm, code in enumerate(row) if code == s.code]
            if fms:
                span = f"{fms[0]}" if len(fms) == 1 else f"{fms[0]}–{fms[-1]}"
                cells.append(f"R{r} FM{span}")
        parts.append(f"{s.name('en')} ({s.name('zh')}): {', '.join(cells)}")
    return "; ".join(parts)
