"""Forms that parse the pages' query strings."""

from typing import cast
from urllib.parse import urlencode

from django import forms

from xiezuo.core import codelists


class HouseholdFilterForm(forms.Form):
    """Filters of the household list: a county, a village code, a status."""

    county = forms.ChoiceField(label="县", required=False)
    village = forms.CharField(label="村代码", required=False, max_length=12)
    status = forms.ChoiceField(label="脱贫状态", required=False)

    def __init__(self, *args: object, counties: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        cast(forms.ChoiceField, self.fields["county"]).choices = [("", "全部"), *counties]
        cast(forms.ChoiceField, self.fields["status"]).choices = [("", "全部")] + [
            (label, label) for label in codelists.labels("household_status")
        ]

    def clean_village(self) -> str:
        village = self.cleaned_data["village"].strip()
        if village and (not village.isdigit() or len(village) not in (9, 12)):
            raise forms.ValidationError("请填写 9 位乡镇代码或 12 位村代码")
        return village

    @property
    def region_code(self) -> str | None:
        """Return the narrowest region asked for (village or township, else county)."""
        if not self.is_valid():
            return None
        return self.cleaned_data["village"] or self.cleaned_data["county"] or None

    @property
    def query(self) -> str:
        """Return the valid filters as a query string prefix ("county=…&"), for page links."""
        if not self.is_valid():
            return ""
        pairs = {k: v for k, v in self.cleaned_data.items() if v}
        return urlencode(pairs) + "&" if pairs else ""

    @property
    def status_label(self) -> str | None:
        return (self.cleaned_data.get("status") or None) if self.is_valid() else None
