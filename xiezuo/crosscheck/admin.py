from django.contrib import admin

from xiezuo.crosscheck.models import CrossCheckFlag


@admin.register(CrossCheckFlag)
class CrossCheckFlagAdmin(admin.ModelAdmin):
    """Flags are stored by runs and decided on the review pages (audited): read-only here."""

    list_display = ["year", "household", "rule", "source", "match", "score", "status", "deadline"]
    list_filter = ["year", "rule", "status", "match", "current"]
    search_fields = ["household__household_no", "fingerprint"]
    raw_id_fields = ["household", "member", "decided_by"]
    date_hierarchy = "last_seen"

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
