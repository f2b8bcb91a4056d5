"""Vocabularies: the spellings of coded values that imports map onto ClientLens codes.

Order status, gender and feedback kind arrive spelled many ways (已完成, delivered,
Shipped …). Each vocabulary maps a lower-cased source value to a code; a workspace can
extend it in ``clientlens.toml`` (``[values.status]``) and one import with ``--values
status:已揽收=completed``. Codes of order status and what analyses make of them:

* ``completed`` — counts as a purchase (revenue, frequency, CLV);
* ``pending`` — placed but not yet paid or confirmed; not counted yet;
* ``cancelled`` and ``refunded`` — not counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from clientlens.errors import ConfigError

STATUS_CODES = ("completed", "pending", "cancelled", "refunded")
"""Order status codes; an empty status counts as completed."""

STATUS: dict[str, str] = {
    **dict.fromkeys(
        (
            "completed",
            "complete",
            "paid",
            "done",
            "success",
            "delivered",
            "shipped",
            "invoiced",
            "fulfilled",
            "closed won",
            "已完成",
            "完成",
            "已支付",
            "已付款",
            "交易成功",
            "交易完成",
            "已签收",
            "已发货",
            "已收货",
            "已确认收货",
        ),
        "completed",
    ),
    **dict.fromkeys(
        (
            "pending",
            "created",
            "processing",
            "approved",
            "unpaid",
            "awaiting payment",
            "on hold",
            "待付款",
            "待支付",
            "未付款",
            "待发货",
            "待确认",
            "处理中",
        ),
        "pending",
    ),
    **dict.fromkeys(
        (
            "cancelled",
            "canceled",
            "cancel",
            "void",
            "voided",
            "unavailable",
            "failed",
            "已取消",
            "取消",
            "交易关闭",
            "已关闭",
            "交易失败",
        ),
        "cancelled",
    ),
    **dict.fromkeys(
        (
            "refunded",
            "refund",
            "returned",
            "return",
            "chargeback",
            "已退款",
            "退款",
            "退货",
            "已退货",
            "退款成功",
        ),
        "refunded",
    ),
}

GENDER: dict[str, str] = {
    **dict.fromkeys(("男", "男性", "m", "male", "man", "先生"), "male"),
    **dict.fromkeys(("女", "女性", "f", "female", "woman", "女士"), "female"),
}

FEEDBACK_KIND: dict[str, str] = {
    **dict.fromkeys(("nps", "净推荐值", "推荐度"), "nps"),
    **dict.fromkeys(("csat", "满意度", "客户满意度"), "csat"),
    **dict.fromkeys(("ces", "费力度"), "ces"),
    **dict.fromkeys(("review", "评价", "评论"), "review"),
}

VOCABULARIES: dict[tuple[str, str], tuple[dict[str, str], tuple[str, ...]]] = {
    ("orders", "status"): (STATUS, STATUS_CODES),
    ("customers", "gender"): (GENDER, ("male", "female")),
    ("feedback", "kind"): (FEEDBACK_KIND, ("nps", "csat", "ces", "review")),
}
"""(table, column) → (built-in spellings, the codes a spelling may map to)."""


def vocabulary(
    kind: str, column: str, extra: Mapping[str, str] | None = None
) -> dict[str, str] | None:
    """The spellings of ``kind.column``'s codes, with ``extra`` (config, --values) on top."""
    entry = VOCABULARIES.get((kind, column))
    if entry is None:
        return None
    base, codes = entry
    out = dict(base)
    for source, code in (extra or {}).items():
        if code not in codes:
            raise ConfigError(
                f"{column}: {source!r} cannot map to {code!r}; the codes of {kind}.{column} "
                f"are {', '.join(codes)}."
            )
        out[str(source).strip().lower()] = code
    return out


def parse_values(items: Iterable[str]) -> dict[str, dict[str, str]]:
    """``--values status:已揽收=completed`` items as {column: {source value: code}}."""
    out: dict[str, dict[str, str]] = {}
    for item in items:
        column, sep, rest = item.partition(":")
        source, sep2, code = rest.rpartition("=")
        if not sep or not sep2 or not column.strip() or not source.strip() or not code.strip():
            raise ConfigError(
                f"--values {item!r}: write it as COLUMN:VALUE=CODE, "
                "e.g. --values status:已揽收=completed."
            )
        out.setdefault(column.strip(), {})[source.strip()] = code.strip()
    return out


def known_columns() -> dict[str, tuple[str, ...]]:
    """Column name → its codes, for messages about ``--values`` and ``[values.*]``."""
    return {column: codes for (_kind, column), (_base, codes) in VOCABULARIES.items()}
