from django.contrib import admin

from xiezuo.precision.models import Assurance, Clue, CountyCheck, Measure, MonitoringCase


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["household", "id_number", "category", "start_date", "end_date", "amount"]
    list_filter = ["category"]
    search_fields = ["household__household_no", "id_number", "unit"]
    raw_id_fields = ["household"]
    date_hierarchy = "start_date"


@admin.register(Assurance)
class AssuranceAdmin(admin.ModelAdmin):
    list_display = ["household", "year", *Assurance.FIVE]
    list_filter = ["year", *Assurance.FIVE]
    search_fields = ["household__household_no"]
    raw_id_fields = ["household"]


@admin.register(Clue)
class ClueAdmin(admin.ModelAdmin):
    list_display = ["household", "found_on", "source", "category", "rigid_spending"]
    list_filter = ["source", "category"]
    search_fields = ["household__household_no", "note"]
    raw_id_fields = ["household"]
    date_hierarchy = "found_on"


@admin.register(CountyCheck)
class CountyCheckAdmin(admin.ModelAdmin):
    list_display = ["region", "year", "missed_rate", "wrong_exit_rate", "approval"]
    list_filter = ["year"]
    raw_id_fields = ["region"]


@admin.register(MonitoringCase)
class MonitoringCaseAdmin(admin.ModelAdmin):
    list_display = [
        "household",
        "year",
        "confirmed_on",
        "notice_from",
        "notice_to",
        "eliminated_on",
    ]
    list_filter = ["year"]
    search_fields = ["household__household_no"]
    raw_id_fields = ["household"]
