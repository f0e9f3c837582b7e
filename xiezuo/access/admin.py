from django.contrib import admin

from xiezuo.access.models import Grant


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "region_code"]
    list_filter = ["role"]
    search_fields = ["user__username", "region_code"]
