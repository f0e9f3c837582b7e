"""The editor's form of a bulletin."""

from typing import cast

from django import forms

from xiezuo.bulletins import channels

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"]


class ArticleForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    channel = forms.ChoiceField(label="栏目")
    published = forms.DateTimeField(
        label="发布时间",
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="留空为当前时间",
    )
    source = forms.CharField(label="信息来源", max_length=100, required=False)
    publisher = forms.CharField(label="发布者", max_length=100, required=False)
    format = forms.ChoiceField(
        label="正文格式",
        choices=[("text", "纯文本（每行一段）"), ("html", "HTML（保存时按白名单清理）")],
        initial="text",
        widget=forms.RadioSelect,
    )
    body = forms.CharField(
        label="正文", required=False, max_length=500_000, widget=forms.Textarea(attrs={"rows": 18})
    )
    regions = forms.MultipleChoiceField(
        label="涉及地区", required=False, widget=forms.CheckboxSelectMultiple
    )
    attachment = forms.FileField(label="附件", required=False)
    image = forms.ImageField(label="图片（插入正文末尾）", required=False)

    def __init__(self, *args, regions: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["channel"]).choices = [
            (c.name, c.name) for c in channels.channels()
        ]
        cast(forms.MultipleChoiceField, self.fields["regions"]).choices = regions
