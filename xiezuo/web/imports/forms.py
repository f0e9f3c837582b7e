"""The upload form of the import page."""

from django import forms

from xiezuo.ingest.catalog import ledgers

# A million-row CSV is about 150 MB; anything far larger is a mistake, not a ledger.
MAX_UPLOAD_BYTES = 500 * 1024 * 1024
ACCEPTED = ".xlsx,.xlsm,.xls,.csv"


class ImportForm(forms.Form):
    """A ledger, its file, and whether to check only."""

    ledger = forms.ChoiceField(label="台账")
    file = forms.FileField(
        label="文件（XLSX 或 CSV）",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED}),
    )
    dry_run = forms.BooleanField(label="试导入：只校验并报告，不写入", required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["ledger"].choices = [  # type: ignore[attr-defined]
            ("", "请选择台账"),
            *((key, f"{ledger.title}（{key}）") for key, ledger in ledgers().items()),
        ]

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"文件超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB，请拆分后分批导入。"
            )
        return upload
