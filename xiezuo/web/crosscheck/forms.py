"""Forms of the cross-check pages: the queue's filters, a run, and the two decisions."""

from typing import Any, cast

from django import forms

from xiezuo.crosscheck.models import CrossCheckFlag
from xiezuo.crosscheck.selectors import RULES
from xiezuo.crosscheck.services import REASON_MAX

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class QueueForm(forms.Form):
    """The queue's query string (the year is parsed apart, `params.year`): a malformed value
    is a 400; a village outside the county or the caller's reach a 404 (the view asks)."""

    rule = forms.ChoiceField(label="规则", required=False)
    village = forms.CharField(label="村代码", required=False, max_length=12)
    status = forms.ChoiceField(label="状态", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["rule"]).choices = [("", "全部"), *RULES.items()]
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            ("", "全部"),
            *CrossCheckFlag.Status.choices,
        ]

    def clean_village(self) -> str:
        village = self.cleaned_data["village"].strip()
        if village and (not village.isdigit() or len(village) != 12):
            raise forms.ValidationError("请填写 12 位村代码")
        return village


class RunForm(forms.Form):
    """Run the checks for one county and year."""

    county = forms.RegexField(label="受援县", regex=r"^[0-9]{6}$")
    year = forms.IntegerField(label="年度", min_value=1900, max_value=2100)
    fuzzy = forms.BooleanField(label="姓名出生日期模糊匹配", required=False)


class DismissForm(forms.Form):
    reason = forms.CharField(
        label="排除理由",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写理由"},
    )


class ConfirmForm(DismissForm):
    deadline = forms.DateField(
        label="整改期限", widget=DATE_INPUT, error_messages={"required": "请填写整改期限"}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = "确认理由"
