"""The canonical tables and their column contracts (DESIGN.md, "Data contract").

Each :class:`TableSpec` says which columns a table has, their types, which are
required, which identify a row (for de-duplication on re-import), and which
hold personal data. Header synonyms let files with Chinese or English headers
import without a mapping.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from clientlens.errors import ConfigError, DataContractError
from clientlens.lazy import dtypes, ibis, sch

# Logical types used in the contract; each maps to one Ibis type.
_TYPES: dict[str, str] = {
    "string": "string",
    "int": "int64",
    "float": "float64",
    "date": "date",
    "timestamp": "timestamp",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    synonyms: tuple[str, ...] = ()
    nonnegative: bool = False
    pii: bool = False
    description: str = ""

    @property
    def ibis_type(self) -> dtypes.DataType:
        return dtypes.dtype(_TYPES[self.type])


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    description: str = ""
    references: dict[str, str] = field(default_factory=dict)  # column -> table it points to

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def ibis_schema(self, columns: Iterable[str] | None = None) -> sch.Schema:
        wanted = self.names if columns is None else [c for c in self.names if c in set(columns)]
        return ibis.schema({c: self.column(c).ibis_type for c in wanted})


def _c(name: str, type_: str, *synonyms: str, **kw: object) -> Column:
    return Column(name, type_, synonyms=synonyms, **kw)  # type: ignore[arg-type]


_CUSTOMER_ID = (
    "客户id",
    "客户编号",
    "客户号",
    "会员号",
    "会员id",
    "会员编号",
    "用户id",
    "用户编号",
    "顾客id",
    "customer",
    "customerid",
    "customer_no",
    "cust_id",
    "member_id",
    "user_id",
)

TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in [
        TableSpec(
            "orders",
            (
                _c(
                    "order_id",
                    "string",
                    "订单号",
                    "订单编号",
                    "订单id",
                    "单号",
                    "orderid",
                    "order_no",
                    "order_number",
                    required=True,
                ),
                _c("customer_id", "string", *_CUSTOMER_ID, required=True),
                _c(
                    "order_date",
                    "timestamp",
                    "下单时间",
                    "订单日期",
                    "购买日期",
                    "下单日期",
                    "购买时间",
                    "订单时间",
                    "交易时间",
                    "交易日期",
                    "日期",
                    "date",
                    "order_time",
                    "orderdate",
                    "purchase_date",
                    required=True,
                ),
                _c(
                    "amount",
                    "float",
                    "金额",
                    "实付金额",
                    "订单金额",
                    "支付金额",
                    "实收金额",
                    "消费金额",
                    "成交金额",
                    "order_amount",
                    "total",
                    "revenue",
                    "sales",
                    "price_paid",
                    required=True,
                    nonnegative=True,
                ),
                _c("status", "string", "订单状态", "状态", "order_status"),
                _c("channel", "string", "下单渠道", "销售渠道", "渠道", "sales_channel"),
                _c("cost", "float", "成本", "商品成本", "cogs", nonnegative=True),
                _c("store", "string", "门店", "店铺", "shop"),
                _c("region", "string", "地区", "区域", "大区"),
            ),
            key=("order_id",),
            references={"customer_id": "customers"},
            description="One row per order. The only table ClientLens requires.",
        ),
        TableSpec(
            "customers",
            (
                _c("customer_id", "string", *_CUSTOMER_ID, required=True),
                _c(
                    "name",
                    "string",
                    "姓名",
                    "客户姓名",
                    "客户名称",
                    "会员姓名",
                    "customer_name",
                    pii=True,
                ),
                _c("gender", "string", "性别", "sex"),
                _c("birth_date", "date", "出生日期", "生日", "birthday", "dob", "date_of_birth"),
                _c("age", "int", "年龄", nonnegative=True),
                _c("occupation", "string", "职业", "job", "profession"),
                _c(
                    "income",
                    "float",
                    "收入",
                    "月收入",
                    "年收入",
                    "monthly_income",
                    nonnegative=True,
                ),
                _c("province", "string", "省份", "省", "所在省份", "state"),
                _c("city", "string", "城市", "市", "所在城市"),
                _c(
                    "signup_date",
                    "date",
                    "注册时间",
                    "注册日期",
                    "开户日期",
                    "入会日期",
                    "registration_date",
                    "register_date",
                    "created_at",
                    "join_date",
                ),
                _c(
                    "acquisition_channel",
                    "string",
                    "渠道",
                    "获客渠道",
                    "来源渠道",
                    "注册渠道",
                    "来源",
                    "source",
                    "channel",
                ),
                _c(
                    "phone",
                    "string",
                    "手机号",
                    "手机",
                    "电话",
                    "手机号码",
                    "联系电话",
                    "mobile",
                    "telephone",
                    pii=True,
                ),
                _c("email", "string", "邮箱", "电子邮箱", "邮件", "e-mail", "mail", pii=True),
                _c("tags", "string", "标签", "客户标签", "tag"),
            ),
            key=("customer_id",),
            description="One row per customer: profile and contact data.",
        ),
        TableSpec(
            "order_items",
            (
                _c("order_id", "string", "订单号", "订单编号", "订单id", required=True),
                _c(
                    "product_id",
                    "string",
                    "商品id",
                    "商品编号",
                    "商品编码",
                    "sku",
                    "产品id",
                    required=True,
                ),
                _c("quantity", "int", "数量", "购买数量", "qty", required=True, nonnegative=True),
                _c("unit_price", "float", "单价", "商品单价", "price", nonnegative=True),
            ),
            key=("order_id", "product_id"),
            references={"order_id": "orders", "product_id": "products"},
        ),
        TableSpec(
            "products",
            (
                _c(
                    "product_id",
                    "string",
                    "商品id",
                    "商品编号",
                    "商品编码",
                    "sku",
                    "产品id",
                    required=True,
                ),
                _c("name", "string", "商品名称", "品名", "产品名称", "product_name"),
                _c("category", "string", "品类", "类目", "商品类别", "分类", "类别"),
                _c("price", "float", "价格", "售价", "标价", nonnegative=True),
                _c("cost", "float", "成本", "进价", nonnegative=True),
            ),
            key=("product_id",),
        ),
        TableSpec(
            "events",
            (
                _c("customer_id", "string", *_CUSTOMER_ID),
                _c(
                    "anonymous_id",
                    "string",
                    "访客id",
                    "匿名id",
                    "设备id",
                    "visitor_id",
                    "cookie_id",
                ),
                _c(
                    "timestamp",
                    "timestamp",
                    "时间",
                    "事件时间",
                    "访问时间",
                    "event_time",
                    "ts",
                    required=True,
                ),
                _c(
                    "event",
                    "string",
                    "事件",
                    "事件类型",
                    "行为",
                    "event_type",
                    "action",
                    required=True,
                ),
                _c("session_id", "string", "会话id", "会话"),
                _c("page", "string", "页面", "页面地址", "url", "page_url"),
                _c("duration_s", "float", "停留时长", "停留秒数", "duration", nonnegative=True),
            ),
            key=(),
            description="Web behaviour; customer_id or anonymous_id identifies the visitor.",
        ),
        TableSpec(
            "feedback",
            (
                _c("customer_id", "string", *_CUSTOMER_ID, required=True),
                _c(
                    "date",
                    "date",
                    "日期",
                    "反馈日期",
                    "调查日期",
                    "评价时间",
                    "survey_date",
                    required=True,
                ),
                _c("kind", "string", "类型", "问卷类型", "调查类型", "survey_type", required=True),
                _c("score", "float", "评分", "分数", "得分", "rating", required=True),
                _c(
                    "comment",
                    "string",
                    "评论",
                    "评价",
                    "意见",
                    "反馈内容",
                    "留言",
                    "review",
                    "text",
                ),
                _c("channel", "string", "渠道", "反馈渠道"),
            ),
            key=(),
            references={"customer_id": "customers"},
        ),
        TableSpec(
            "tickets",
            (
                _c(
                    "ticket_id", "string", "工单号", "工单编号", "投诉编号", "ticket", required=True
                ),
                _c("customer_id", "string", *_CUSTOMER_ID, required=True),
                _c(
                    "opened_at",
                    "timestamp",
                    "创建时间",
                    "投诉时间",
                    "受理时间",
                    "created",
                    "opened",
                    required=True,
                ),
                _c(
                    "closed_at",
                    "timestamp",
                    "关闭时间",
                    "解决时间",
                    "完结时间",
                    "closed",
                    "resolved_at",
                ),
                _c(
                    "first_response_at",
                    "timestamp",
                    "首次响应时间",
                    "首次回复时间",
                    "首响时间",
                    "first_response",
                    "first_reply_at",
                    "responded_at",
                    description="the first reply to the customer; empty while none was given",
                ),
                _c("category", "string", "类别", "投诉类型", "问题类型", "分类"),
                _c("severity", "string", "严重程度", "级别", "优先级", "priority"),
                _c("status", "string", "状态", "工单状态"),
                _c("channel", "string", "渠道", "投诉渠道"),
                _c("description", "string", "描述", "投诉内容", "问题描述", "内容"),
            ),
            key=("ticket_id",),
            references={"customer_id": "customers"},
        ),
        TableSpec(
            "marketing_spend",
            (
                _c("date", "date", "日期", "投放日期", required=True),
                _c("channel", "string", "渠道", "投放渠道", required=True),
                _c(
                    "spend",
                    "float",
                    "花费",
                    "投放金额",
                    "营销费用",
                    "费用",
                    "cost",
                    "amount",
                    required=True,
                    nonnegative=True,
                ),
            ),
            key=("date", "channel"),
        ),
        TableSpec(
            "customer_ids",
            (
                _c(
                    "source_id",
                    "string",
                    "源id",
                    "来源id",
                    "原始id",
                    "外部id",
                    "设备id",
                    "订单号",
                    "external_id",
                    "device_id",
                    "order_id",
                    required=True,
                    description="an id another system or log uses: an order number, a device "
                    "or cookie id, a member number elsewhere",
                ),
                _c(
                    "customer_id",
                    "string",
                    *_CUSTOMER_ID,
                    required=True,
                    description="the customer it stands for",
                ),
                _c(
                    "id_type",
                    "string",
                    "id类型",
                    "类型",
                    "type",
                    description="what the source id is (order, device ...); kept for reference",
                ),
            ),
            key=("source_id",),
            references={"customer_id": "customers"},
            description="An explicit id map: source id → customer id. Imports of `events`, "
            "`feedback` and `tickets` made after it translate ids through it: a "
            "`customer_id` that is a mapped source id becomes its customer, and an event "
            "with no `customer_id` gets the customer of its mapped `anonymous_id`. Rows "
            'imported earlier keep their ids (see importing.md, "Id mapping files").',
        ),
    ]
}

TABLE_NAMES: tuple[str, ...] = tuple(TABLES)


def table_spec(kind: str) -> TableSpec:
    """The spec of canonical table ``kind``, or a ConfigError listing the valid kinds."""
    try:
        return TABLES[kind]
    except KeyError:
        raise ConfigError(
            f"Unknown table kind {kind!r}. Valid kinds: {', '.join(TABLE_NAMES)}."
        ) from None


def normalise_header(header: str) -> str:
    """Lower-case, trim, and fold spaces, dashes and full-width characters for matching."""
    text = str(header).strip().lower().replace("\ufeff", "")
    text = text.replace("（", "(").replace("）", ")").replace("：", ":")
    for ch in " -_./":
        text = text.replace(ch, "")
    return text


def resolve_columns(
    kind: str,
    headers: Iterable[str],
    mapping: dict[str, str] | None = None,
    *,
    spec: TableSpec | None = None,
) -> dict[str, str]:
    """Map source headers to canonical column names.

    Explicit ``mapping`` (source header → canonical name) wins; then exact canonical
    names; then synonyms. Headers that match nothing are left out (and reported by the
    importer as ignored). Raises DataContractError when two headers claim one column.
    ``spec`` replaces the contract of ``kind`` (an import that derives a column).
    """
    spec = spec or table_spec(kind)
    mapping = dict(mapping or {})
    for target in mapping.values():
        if target not in spec.names:
            raise ConfigError(
                f"--map target {target!r} is not a column of {kind}. "
                f"Columns of {kind}: {', '.join(spec.names)}."
            )
    lookup: dict[str, str] = {}
    for col in spec.columns:  # synonyms first so that canonical names override them
        for syn in col.synonyms:
            lookup.setdefault(normalise_header(syn), col.name)
    for col in spec.columns:
        lookup[normalise_header(col.name)] = col.name
    norm_mapping = {normalise_header(k): v for k, v in mapping.items()}

    result: dict[str, str] = {}
    claimed: dict[str, str] = {}
    for header in headers:
        key = normalise_header(header)
        found = norm_mapping.get(key) or lookup.get(key)
        if found is None:
            continue
        target = found
        if target in claimed:
            if header in mapping or (key in norm_mapping and claimed[target] not in mapping):
                result.pop(claimed[target])  # an explicit mapping beats a synonym
            elif claimed[target] in mapping or normalise_header(claimed[target]) in norm_mapping:
                continue
            elif normalise_header(header) == normalise_header(target):
                result.pop(claimed[target])  # the exact canonical name beats a synonym
            elif normalise_header(claimed[target]) == normalise_header(target):
                continue
            else:
                raise DataContractError(
                    f"Both {claimed[target]!r} and {header!r} look like {kind}.{target}. "
                    f"Say which one to use with --map {header}={target} (or the other)."
                )
        result[header] = target
        claimed[target] = header
    return result
