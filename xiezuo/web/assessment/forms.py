"""Forms of the assessment pages: the scorecard's filters, running, drafting, rectifying."""

import datetime as dt
from pathlib import Path
from typing import Any, cast

from django import forms

from xiezuo.assessment import catalog
from xiezuo.assessment.models import RectificationItem
from xiezuo.assessment.tables import TABLES
from xiezuo.web.assessment.display import SIDES

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
EVIDENCE_TYPES = (
    ".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".csv", ".txt", ".zip",
)  # fmt: skip


class ScorecardForm(forms.Form):
    """The scorecard's query string: year, run, side and area."""

    year = forms.TypedChoiceField(label="年度", coerce=int, required=False)
    run = forms.IntegerField(label="运行", required=False, min_value=1)
    side = forms.ChoiceField(label="单位", choices=list(SIDES.items()), required=False)
    area = forms.ChoiceField(label="领域", required=False)

    def __init__(self, *args: Any, years: range, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.years = list(years)
        cast(forms.ChoiceField, self.fields["year"]).choices = [(y, y) for y in self.years]
        cast(forms.ChoiceField, self.fields["area"]).choices = [
            ("", "全部领域"),
            *((area, area) for area in catalog.areas()),
        ]

    def value(self, name: str, default: Any) -> Any:
        """Return a parsed value, `default` when it is absent or invalid."""
        self.is_valid()  # the valid fields are cleaned even when another one is not
        found = self.cleaned_data.get(name)
        return default if found in (None, "") else found


class RunForm(forms.Form):
    """Run the assessment of a year, as of a date (default: 31 December)."""

    year = forms.IntegerField(label="年度")
    as_of = forms.DateField(
        label="截至日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="年内日期会按进度产生预警；留空为年末",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        year, as_of = data.get("year"), data.get("as_of")
        if year and as_of and as_of.year != year:
            raise forms.ValidationError(f"截至日期须在 {year} 年内")
        return data


class DraftForm(forms.Form):
    """Draft rectification items from a run's alerts, due by a deadline."""

    deadline = forms.DateField(
        label="整改期限", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


def default_deadline(as_of: dt.date) -> dt.date:
    """Return the deadline proposed for a run's items: thirty days after its as-of date."""
    return as_of + dt.timedelta(days=30)


class RectificationUpdateForm(forms.Form):
    """Progress on one rectification item: status, a note, an evidence file, linked records."""

    status = forms.ChoiceField(label="状态", choices=RectificationItem.Status.choices)
    note = forms.CharField(
        label="整改说明", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    file = forms.FileField(
        label="佐证材料",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(EVIDENCE_TYPES)}),
    )
    records = forms.CharField(
        label="关联记录",
        required=False,
        help_text="台账:编号，逗号分隔，如 fund:12, project:5",
        widget=forms.TextInput(attrs={"placeholder": "fund:12, project:5", "size": 28}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        if upload.size > MAX_EVIDENCE_BYTES:
            raise forms.ValidationError(
                f"文件超过 {MAX_EVIDENCE_BYTES // (1024 * 1024)} MB，请压缩后再上传。"
            )
        if Path(upload.name or "").suffix.lower() not in EVIDENCE_TYPES:
            raise forms.ValidationError("请上传 " + "、".join(EVIDENCE_TYPES) + " 文件")
        return upload

    def clean_records(self) -> list[dict[str, Any]]:
        text = self.cleaned_data.get("records", "").replace("，", ",").replace("：", ":")
        found = []
        for part in filter(None, (p.strip() for p in text.split(","))):
            ledger, _, number = part.partition(":")
            ledger = ledger.strip()
            if ledger not in TABLES or not number.strip().isdigit():
                raise forms.ValidationError(f"无法识别「{part}」：请写成 台账:编号，如 fund:12")
            found.append({"ledger": ledger, "id": int(number)})
        return found


class RectificationFilterForm(forms.Form):
    """Filters of the rectification list."""

    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部"), *RectificationItem.Status.choices],
    )
    overdue = forms.ChoiceField(
        label="逾期",
        required=False,
        choices=[("", "全部"), ("1", "仅逾期"), ("0", "未逾期")],
    )
    unit_type = forms.ChoiceField(
        label="单位", required=False, choices=[("", "全部"), *SIDES.items(), ("programme", "项目")]
    )
    run = forms.IntegerField(label="考核运行", required=False, min_value=1)

    def filters(self) -> dict[str, Any]:
        """Return the valid filters as keyword arguments of `rectification_list`."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        overdue = {"1": True, "0": False}.get(data.get("overdue") or "")
        return {
            "status": data.get("status") or None,
            "overdue": overdue,
            "unit_type": data.get("unit_type") or None,
        }
