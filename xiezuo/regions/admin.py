from django.contrib import admin

from xiezuo.core.admin import VersionedAdmin
from xiezuo.regions.models import Region, RuralPopulation


@admin.register(Region)
class RegionAdmin(VersionedAdmin):  # names and parents show in the overview
    list_display = ["code", "name", "level", "parent", "poor_county", "deep_poverty", "exit_year"]
    list_filter = ["level", "poor_county", "deep_poverty", "exit_year"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]  # some 64,000 choices: never a select box
    list_select_related = ["parent"]
    show_full_result_count = False


@admin.register(RuralPopulation)
class RuralPopulationAdmin(VersionedAdmin):
    list_display = ["region", "year", "population"]
    list_filter = ["year", "region__level"]
    search_fields = ["region__code", "region__name"]
    raw_id_fields = ["region"]
    list_select_related = ["region"]
