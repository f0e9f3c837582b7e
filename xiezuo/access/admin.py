from django.contrib import admin

from xiezuo.access.models import AuditEvent, Grant


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "region_code"]
    list_filter = ["role"]
    search_fields = ["user__username", "region_code"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log, read only: nobody edits what happened."""

    list_display = ["at", "username", "action", "what", "region", "rows"]
    list_filter = ["action"]
    search_fields = ["username", "what", "region"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
