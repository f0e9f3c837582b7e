from django.contrib import admin

from xiezuo.core.admin import VersionedAdmin
from xiezuo.programs.models import Pairing, PovertyLine, Programme


class PovertyLineInline(admin.TabularInline):
    model = PovertyLine
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["key", "name", "start_year", "end_year", "fund_envelope"]
    inlines = [PovertyLineInline]


@admin.register(Pairing)
class PairingAdmin(VersionedAdmin):
    list_display = ["programme", "helper", "recipient", "provenance", "start_date", "end_date"]
    list_filter = ["programme", "provenance"]
    raw_id_fields = ["helper", "recipient"]
