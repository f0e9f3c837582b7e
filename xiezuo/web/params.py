"""The pages' query-string parameters, checked before anything reads the database.

A malformed value (not a number, too long, a character no key holds) is the caller's error
and answers 400 (`BadRequest`); a well-formed value that names nothing (a year outside the
programme, a page past the last) answers 404. An absent or empty parameter takes its default.
"""

import re
from typing import Any

from django import forms
from django.core.exceptions import BadRequest
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.http import Http404, HttpRequest

MAX_KEY_LENGTH = 64
_YEAR = re.compile(r"[0-9]{4}")


def year(request: HttpRequest, *, years: Any, default: int) -> int:
    """Return `?year=`: `default` when absent, 400 when not a year, 404 outside `years`."""
    raw = request.GET.get("year", "")
    if not raw:
        return default
    if not _YEAR.fullmatch(raw):
        raise BadRequest("年度须为四位数字")
    if int(raw) not in years:
        raise Http404(f"没有 {raw} 年的数据")
    return int(raw)


def key(
    request: HttpRequest,
    name: str,
    *,
    max_length: int = MAX_KEY_LENGTH,
    pattern: re.Pattern[str] | None = None,
) -> str | None:
    """Return a key such as a household number or a task id, None when absent; 400 when it is
    too long, holds a control character (NUL, which PostgreSQL refuses) or misses `pattern`."""
    raw = request.GET.get(name, "")
    if not raw:
        return None
    if len(raw) > max_length or not raw.isprintable() or (pattern and not pattern.fullmatch(raw)):
        raise BadRequest(f"参数 {name} 无效")
    return raw


def check_path(*parts: str, max_length: int = MAX_KEY_LENGTH) -> None:
    """404 when a path part (a unit, an indicator, a household number) is too long or holds a
    control character: no such thing exists, and PostgreSQL refuses NUL in a query."""
    if any(len(part) > max_length or not part.isprintable() for part in parts):
        raise Http404("没有这个地址")


def flag(request: HttpRequest, name: str) -> bool:
    """Return `?name=1` as True; absent, empty or 0 as False; anything else is a 400."""
    raw = request.GET.get(name, "")
    if raw not in ("", "0", "1"):
        raise BadRequest(f"参数 {name} 只能是 0 或 1")
    return raw == "1"


def checked[F: forms.Form](form: F) -> F:
    """Return the bound form when every field is valid; 400 naming the first error otherwise."""
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        label = form.fields[field].label if field in form.fields else field
        raise BadRequest(f"{label}：{errors[0]}")
    return form


def page(paginator: Paginator, raw: str | None) -> Page:
    """Return page `raw` (the first when absent): 400 when not a number, 404 when past the end."""
    try:
        return paginator.page(raw or 1)
    except PageNotAnInteger:
        raise BadRequest("页码须为数字") from None
    except EmptyPage:
        raise Http404("没有这一页") from None
