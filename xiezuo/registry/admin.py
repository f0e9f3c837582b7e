"""The registry in the admin: one household at a time, with field-level history of every edit.

Bulk changes go through the ledgers (import, undo); the admin is for the odd correction. Each
save ends as every registry write must: the household's yearly status is refreshed and the
overview's cache is told.
"""

from django.contrib import admin
from django.db.models import Model
from simple_history.admin import SimpleHistoryAdmin

from xiezuo.registry.models import Household, Income, Member
from xiezuo.registry.overview_cache import registry_changed
from xiezuo.registry.services import household_years_refresh


def _refreshed(household_id: int | None) -> None:
    if household_id is None:
        return
    household_years_refresh(households=Household.objects.filter(pk=household_id))
    registry_changed([Household, Member, Income])


class RegistryAdmin(SimpleHistoryAdmin):
    """Saves and deletes refresh the household's yearly status."""

    def _household_id(self, obj: Model) -> int | None:
        return obj.pk if isinstance(obj, Household) else getattr(obj, "household_id", None)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _refreshed(self._household_id(obj))

    def delete_model(self, request, obj):
        household_id = self._household_id(obj)
        super().delete_model(request, obj)
        _refreshed(household_id)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        _refreshed(self._household_id(form.instance))


class MemberInline(admin.TabularInline):
    model = Member
    extra = 0
    fields = ["name", "id_number", "sex", "birth_date", "relation", "health", "labour_skill"]


class IncomeInline(admin.TabularInline):
    model = Income
    extra = 0


@admin.register(Household)
class HouseholdAdmin(RegistryAdmin):
    list_display = ["household_no", "householder_name", "village", "size", "status", "registered"]
    list_filter = ["registered", "status", "identified_year", "exit_year"]
    search_fields = ["household_no", "householder_name"]
    raw_id_fields = ["village", "county"]
    inlines = [MemberInline, IncomeInline]
    show_full_result_count = False  # 150,000 rows: no COUNT(*) on every page


@admin.register(Member)
class MemberAdmin(RegistryAdmin):
    list_display = ["name", "household", "relation", "health", "labour_skill"]
    search_fields = ["name", "id_number", "household__household_no"]
    raw_id_fields = ["household"]
    show_full_result_count = False


@admin.register(Income)
class IncomeAdmin(RegistryAdmin):
    list_display = ["household", "year", "wages", "business", "transfers", "costs"]
    list_filter = ["year"]
    search_fields = ["household__household_no"]
    raw_id_fields = ["household"]
    show_full_result_count = False
