"""Forms of the precision pages: the monitoring board's query string and the case steps."""

import datetime as dt
from typing import Any, cast

from django import forms

from xiezuo.precision.reports import CATEGORIES, STATUSES

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _region(value: str, *, lengths: tuple[int, ...], message: str) -> str:
    value = value.strip()
    if value and (not value.isdigit() or len(value) not in lengths):
        raise forms.ValidationError(message)
    return value


class BoardForm(forms.Form):
    """The monitoring board's query string: as-of date, region and the list's filters.

    The year is parsed apart (`params.year`); a malformed value is a 400, a well-formed
    region outside the caller's reach a 404 (the view asks the access)."""

    as_of = forms.DateField(label="截至日期", required=False, widget=DATE_INPUT)
    region = forms.CharField(label="区域", required=False, max_length=12)
    village = forms.CharField(label="村代码", required=False, max_length=12)
    category = forms.ChoiceField(label="类别", required=False)
    status = forms.ChoiceField(label="状态", required=False)
    overdue = forms.BooleanField(label="只看逾期", required=False)

    def __init__(self, *args: Any, year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.year = year
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            ("", "全部"),
            *((c, c) for c in CATEGORIES),
        ]
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            ("", "全部"),
            *((s, s) for s in STATUSES),
        ]

    def clean_as_of(self) -> dt.date | None:
        as_of = self.cleaned_data["as_of"]
        if as_of and as_of.year != self.year:
            raise forms.ValidationError(f"截至日期须在 {self.year} 年内")
        return as_of

    def clean_region(self) -> str:
        return _region(
            self.cleaned_data["region"],
            lengths=(6, 9, 12),
            message="请填写 6 位县、9 位乡镇或 12 位村代码",
        )

    def clean_village(self) -> str:
        return _region(self.cleaned_data["village"], lengths=(12,), message="请填写 12 位村代码")


class CaseDateForm(forms.Form):
    """One day of a case step: confirmed on, risk eliminated on."""

    on = forms.DateField(label="日期", widget=DATE_INPUT)


class CaseNoticeForm(forms.Form):
    """The village notice of a case: first and last day, both included."""

    start = forms.DateField(label="公示开始", widget=DATE_INPUT)
    end = forms.DateField(label="公示结束", widget=DATE_INPUT)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError("公示结束日期不能早于开始日期")
        return data
