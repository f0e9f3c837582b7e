"""An activity's proposed ledger row: {template column header: value}, every column of the
ledger's template (xiezuo/ingest/catalog), blank where the bulletin does not say.

Region columns take the region table's codes (a province as 110000); dates ISO; amounts in
万元. Undated activities leave their date columns blank, except a fund's or an investment's
年度, which is the publish year.
"""

from datetime import date
from typing import TYPE_CHECKING, Any

from xiezuo.bulletins.extraction.places import table_code

if TYPE_CHECKING:
    from xiezuo.bulletins.extraction.core import Activity


def _code(code: str | None) -> str:
    return table_code(code) if code else ""


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def _amount(activity: "Activity") -> int | float | str:
    value = activity.amount_wan_yuan
    if value is None:
        return ""
    return int(value) if value == value.to_integral_value() else float(value)


def ledger_row(activity: "Activity", published: date) -> dict[str, Any]:
    """The row of `activity.ledger`'s template that `activity` proposes."""
    from xiezuo.ingest.catalog import ledger

    template = ledger(activity.ledger or "")
    values = _values(activity, published)
    return {header: values.get(header, "") for header in template.headers}


def _values(a: "Activity", published: date) -> dict[str, Any]:
    start, end = _iso(a.start), _iso(a.end or a.start)
    year = (a.start or published).year
    if a.kind == "visit":
        destination = a.places[0] if a.places else a.to
        if len(a.places) == 1 and len(a.finest) >= 1:
            inside = [c for c in a.finest if c.startswith(table_code(a.places[0])[:6])]
            # A township named with its village (东万口乡东梁村) is the village.
            inside = [c for c in inside if not any(o != c and o.startswith(c) for o in inside)]
            if len(inside) == 1:
                destination = inside[0]
        return {
            "出访方代码": _code(a.origin),
            "到访地代码": _code(destination),
            "开始日期": start,
            "结束日期": end,
            "带队领导": a.leader or "",
            "领导类别": a.leader_category or "",
            "事项": a.evidence[:500],
        }
    if a.kind == "meeting":
        return {
            "日期": start,
            "帮扶方代码": _code(a.helper),
            "受援方代码": _code(a.recipient),
            "会议名称": a.title or "",
        }
    if a.kind == "agreement":
        return {
            "协议名称": a.title or "",
            "帮扶方代码": _code(a.helper),
            "受援方代码": _code(a.recipient),
            "签署日期": start,
            "生效日期": start,
            "终止日期": "",
        }
    if a.kind == "training":
        return {
            "培训名称": a.title or "",
            "主办方代码": _code(a.helper),
            "受援方代码": _code(a.recipient),
            "培训对象": a.trainee or "",
            "开始日期": start,
            "结束日期": end,
            "培训人次": a.person_times if a.person_times is not None else "",
        }
    if a.kind == "fund":
        return {
            "年度": year,
            "帮扶方代码": _code(a.helper),
            "受援方代码": _code(a.recipient),
            "资金来源": a.extra.get("source", ""),
            "金额(万元)": _amount(a),
            "拨付日期": start,
        }
    if a.kind == "purchase":
        return {
            "日期": start,
            "购买方代码": _code(a.helper),
            "产地代码": _code(a.recipient),
            "金额(万元)": _amount(a),
        }
    if a.kind == "donation":
        return {
            "日期": start,
            "帮扶方代码": _code(a.helper),
            "受援方代码": _code(a.recipient),
            "类别": a.extra.get("category", ""),
            "金额(万元)": _amount(a),
        }
    if a.kind == "investment":
        return {
            "企业名称": a.extra.get("company", ""),
            "帮扶方代码": _code(a.helper),
            "投资地代码": _code(a.recipient),
            "年度": year,
            "实际投资额(万元)": _amount(a),
            "带动贫困人口": a.extra.get("drives", ""),
        }
    return {}
