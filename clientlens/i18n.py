"""Messages of the command line in Chinese and English.

The language is ``--lang``, else the ``language`` setting when set explicitly, else the
system locale (``LANG`` starting with ``zh`` gives Chinese), else English.
"""

from __future__ import annotations

import os

MESSAGES: dict[str, dict[str, str]] = {
    "workspace_created": {"en": "Workspace ready at {path}", "zh": "工作区已就绪：{path}"},
    "import_done": {
        "en": "Imported {table} from {source}: {inserted:,} new, {updated:,} updated, "
        "{rejected:,} rejected ({seconds:.1f} s)",
        "zh": "已导入 {table}（{source}）：新增 {inserted:,} 行，更新 {updated:,} 行，"
        "拒绝 {rejected:,} 行（{seconds:.1f} 秒）",
    },
    "import_same": {
        "en": "{source} was already imported into {table} (same content); nothing changed.",
        "zh": "{source} 已导入过 {table}（内容相同），未做任何改动。",
    },
    "import_failed": {
        "en": "{count:,} problem(s); showing the first {shown}. Nothing was imported.",
        "zh": "共 {count:,} 个问题，显示前 {shown} 个。未导入任何数据。",
    },
    "warnings": {"en": "{count:,} warning(s), for example:", "zh": "{count:,} 个警告，例如："},
    "ignored": {"en": "Ignored columns: {cols}", "zh": "已忽略的列：{cols}"},
    "mapped": {"en": "Columns: {pairs}", "zh": "列映射：{pairs}"},
    "col_file": {"en": "File", "zh": "文件"},
    "col_row": {"en": "Row", "zh": "行"},
    "col_column": {"en": "Column", "zh": "列"},
    "col_value": {"en": "Value", "zh": "值"},
    "col_reason": {"en": "Reason", "zh": "原因"},
    "col_table": {"en": "Table", "zh": "表"},
    "col_rows": {"en": "Rows", "zh": "行数"},
    "col_kind": {"en": "Kind", "zh": "类型"},
    "col_analysis": {"en": "Analysis", "zh": "分析"},
    "col_needs": {"en": "Needs", "zh": "所需数据"},
    "col_description": {"en": "Description", "zh": "说明"},
    "col_status": {"en": "Status", "zh": "状态"},
    "col_seconds": {"en": "Seconds", "zh": "耗时(秒)"},
    "kind_canonical": {"en": "data", "zh": "数据"},
    "kind_result": {"en": "result", "zh": "结果"},
    "kind_meta": {"en": "metadata", "zh": "元数据"},
    "exported": {"en": "Wrote {path}", "zh": "已写出 {path}"},
    "analyze_done": {
        "en": "{ran} analyses stored, {skipped} skipped, {failed} failed (observation end {end}).",
        "zh": "已完成 {ran} 项分析，跳过 {skipped} 项，失败 {failed} 项（观察截止日 {end}）。",
    },
    "status_ok": {"en": "ok", "zh": "完成"},
    "status_skipped": {"en": "skipped", "zh": "跳过"},
    "status_failed": {"en": "failed", "zh": "失败"},
    "demo_generated": {
        "en": "Generated a demo business: {customers:,} customers, {orders:,} orders "
        "(seed {seed}, locale {locale}).",
        "zh": "已生成演示数据：{customers:,} 位客户，{orders:,} 笔订单（随机种子 {seed}，语言 {locale}）。",
    },
    "demo_truth": {
        "en": "Ground truth (each customer's hidden segment, purchase rate and dropout date) "
        "is in {path}: use it to check predictions.",
        "zh": "真实答案（每位客户的隐藏分群、购买率和流失日期）已写入 {path}，可用来检验预测。",
    },
    "demo_next": {
        "en": "Next: `clientlens -w {path} tables` lists the data and result tables; "
        "`clientlens -w {path} export TABLE -o TABLE.xlsx` opens one in Excel; in Python, "
        "`clientlens.Workspace('{path}').table('TABLE')`.",
        "zh": "下一步：`clientlens -w {path} tables` 查看数据表和结果表；"
        "`clientlens -w {path} export 表名 -o 表名.xlsx` 导出到 Excel；在 Python 中用 "
        "`clientlens.Workspace('{path}').table('表名')`。",
    },
    "error": {"en": "Error", "zh": "错误"},
    "debug_hint": {
        "en": "(run with --debug for the traceback)",
        "zh": "（加 --debug 查看详细堆栈）",
    },
    "report_done": {
        "en": "Report written to {out} ({seconds:.1f} s):",
        "zh": "报告已写入 {out}（{seconds:.1f} 秒）：",
    },
}


def detect_language(explicit: str | None = None) -> str:
    if explicit in {"zh", "en"}:
        return explicit
    env = os.environ.get("CLIENTLENS_LANGUAGE") or os.environ.get("LANG", "")
    return "zh" if env.lower().startswith("zh") else "en"


def message(key: str, lang: str, **values: object) -> str:
    text = MESSAGES[key].get(lang) or MESSAGES[key]["en"]
    return text.format(**values)
