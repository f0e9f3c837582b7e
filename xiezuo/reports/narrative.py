"""The report's sentences, written from its figures with the templates of `data/narrative.toml`.

The templates are data: an office changes the wording there (or points `XIEZUO_NARRATIVE` at its
own copy), never the code. Figures enter the sentences as the tables print them (the `*_text`
fields of the content), so the text and the tables agree to the digit.
"""

import os
import string
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from xiezuo.core.errors import CatalogError

DEFAULT_PATH = Path(__file__).with_name("data") / "narrative.toml"


class _Fields(dict):
    """Format fields; an unknown field stays as written instead of failing the report."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@cache
def templates(path: Path | None = None) -> dict[str, Any]:
    """Return the sentence templates (read once per process)."""
    chosen = path or Path(os.environ.get("XIEZUO_NARRATIVE") or DEFAULT_PATH)
    try:
        with chosen.open("rb") as f:
            raw = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise CatalogError(f"报告文字模板 {chosen} 无法读取：{error}", path=str(chosen)) from None
    for section in ("summary", "area", "default"):
        if section not in raw:
            raise CatalogError(f"报告文字模板 {chosen} 缺少 [{section}]", path=str(chosen))
    return raw


def sentence(template: str, **fields: Any) -> str:
    """Return `template` with its fields filled; a field that is not known is left as is."""
    return string.Formatter().vformat(template, (), _Fields(fields))


def indicator_sentence(row: dict, *, side: str, common: dict[str, Any]) -> str:
    """Return the sentence of one indicator row of the content for a unit of `side`."""
    raw = templates()
    chosen = dict(raw["default"])
    chosen.update(raw.get("indicator", {}).get(row["key"], {}).get(side, {}))
    fields = {
        **common,
        "name": row["name"],
        "value": row["value_text"],
        "target": row["target_text"],
        "completion": row["completion_text"],
        "measure": "" if row["unit"] == "—" else row["unit"],
        "score": row["score_text"],
        "max": row["max_text"],
    }
    if row["value"] is None:
        return sentence(chosen["no_value"], **fields)
    if row["kind"] == "flag":
        return sentence(chosen["flag_yes" if row["value"] >= 1 else "flag_no"], **fields)
    if row["target"] is None or row["completion"] is None:
        return sentence(chosen["no_target"], **fields)
    return sentence(chosen["text"], **fields)


def fill(content: dict) -> None:
    """Write the narrative sentences into a report's content (summary, areas, lags)."""
    raw = templates()
    if content["kind"] == "programme":
        summary = content["summary"]
        summary["narrative"] = [
            sentence(
                raw["summary"]["programme"],
                year=content["year"],
                programme=content["programme"]["name"],
                score=summary["score_text"],
                grade=summary["grade"] or "—",
                helpers=summary["units"].get("helper", 0),
                recipients=summary["units"].get("recipient", 0),
            )
        ]
        common = {"year": content["year"], "unit": "全项目", "partners": ""}
        for area in content["areas"]:
            area["narrative"] = [
                indicator_sentence(row, side="programme", common=common)
                for row in area["indicators"]
            ]
        return
    unit = content["unit"]
    side = unit["type"]
    summary = content["summary"]
    common = {
        "year": content["year"],
        "unit": unit["name"],
        "partners": "、".join(unit["partners"]),
        "programme": content["programme"]["name"],
    }
    key = side if summary["grade"] else "no_grade"
    summary["narrative"] = [
        sentence(
            raw["summary"].get(key, raw["summary"]["no_grade"]),
            **common,
            score=summary["score_text"],
            max=summary["max_text"],
            grade=summary["grade"],
            rank=summary["rank"],
            of=summary["of"],
            peers=unit["type_name"],
        )
    ]
    for area in content["areas"]:
        area["narrative"] = [
            sentence(
                raw["area"]["text"],
                **common,
                area=area["name"],
                score=area["score_text"],
                max=area["max_text"],
            ),
            *(indicator_sentence(row, side=side, common=common) for row in area["indicators"]),
        ]
    content["outcomes"]["narrative"] = [
        indicator_sentence(row, side=side, common=common)
        for row in content["outcomes"]["indicators"]
    ]
    for lag in content["lags"]:
        if lag["level"]:
            lag["text"] = sentence(
                raw.get("lag", {}).get("text", ""),
                **common,
                as_of=content["as_of"],
                name=lag["name"],
                value=lag["value_text"],
                expected=lag["expected_text"],
                level=lag["level_name"],
            )
