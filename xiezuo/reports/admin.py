from django.contrib import admin

from xiezuo.reports.models import ReportDraft, SignedReport


@admin.register(ReportDraft)
class ReportDraftAdmin(admin.ModelAdmin):
    list_display = ("year", "unit_type", "unit", "updated_by", "updated")
    list_filter = ("programme", "year", "unit_type")
    search_fields = ("unit",)
    readonly_fields = ("updated",)


@admin.register(SignedReport)
class SignedReportAdmin(admin.ModelAdmin):
    """Signed versions are read here, never edited: a change would break their hash."""

    list_display = ("year", "unit_type", "unit", "version", "is_current", "signed_by_name")
    list_filter = ("programme", "year", "unit_type", "is_current")
    search_fields = ("unit", "sha256")
    exclude = ("content",)

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
