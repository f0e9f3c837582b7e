from django.contrib import admin

from xiezuo.assessment.models import (
    Alert,
    AssessmentRun,
    GradeBand,
    IndicatorResult,
    IndicatorTarget,
    RectificationItem,
    UnitResult,
)


@admin.register(IndicatorTarget)
class IndicatorTargetAdmin(admin.ModelAdmin):
    """Targets and weights: the programme office edits the defaults and adds per-unit rows."""

    list_display = ["year", "indicator", "unit_type", "unit", "target", "weight", "programme"]
    list_editable = ["target", "weight"]
    list_filter = ["programme", "year", "unit_type", "indicator"]
    search_fields = ["indicator", "unit"]


@admin.register(GradeBand)
class GradeBandAdmin(admin.ModelAdmin):
    list_display = ["year", "grade", "min_score", "programme"]
    list_editable = ["min_score"]
    list_filter = ["programme", "year"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Stored runs are records: they are read, never edited."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AssessmentRun)
class AssessmentRunAdmin(ReadOnlyAdmin):
    list_display = ["created", "programme", "year", "as_of", "engine", "duration", "who"]
    list_filter = ["programme", "year", "engine"]
    date_hierarchy = "created"


@admin.register(IndicatorResult)
class IndicatorResultAdmin(ReadOnlyAdmin):
    list_display = ["run", "indicator", "unit_type", "unit", "value", "target", "score"]
    list_filter = ["unit_type", "indicator"]
    search_fields = ["unit"]
    raw_id_fields = ["run"]
    show_full_result_count = False


@admin.register(UnitResult)
class UnitResultAdmin(ReadOnlyAdmin):
    list_display = ["run", "unit_type", "unit", "score", "grade", "rank"]
    list_filter = ["unit_type", "grade"]
    search_fields = ["unit"]
    raw_id_fields = ["run"]


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["run", "level", "indicator", "unit_type", "unit", "value", "expected"]
    list_filter = ["level", "unit_type", "indicator"]
    search_fields = ["unit"]
    raw_id_fields = ["run"]


@admin.register(RectificationItem)
class RectificationItemAdmin(admin.ModelAdmin):
    """Rectification items: the programme office corrects an office, a deadline or a finding."""

    list_display = [
        "deadline",
        "status",
        "indicator",
        "unit_type",
        "unit",
        "responsible_office",
        "run",
        "updated",
    ]
    list_filter = ["status", "unit_type", "indicator", "run__year"]
    search_fields = ["unit", "responsible_office", "finding"]
    raw_id_fields = ["run", "alert", "created_by"]
    readonly_fields = ["created", "updated"]
    date_hierarchy = "deadline"
