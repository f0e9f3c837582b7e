from django.contrib import admin
from django.http import HttpRequest

from xiezuo.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens, to see and revoke: made only by `xiezuo token create` (the secret is shown
    there once); the hash is not shown."""

    list_display = ["pk", "user", "name", "read_only", "created", "expires", "revoked", "last_used"]
    list_filter = ["read_only"]
    search_fields = ["user__username", "name"]
    fields = ["user", "name", "read_only", "created", "expires", "revoked", "last_used"]
    readonly_fields = ["user", "read_only", "created", "last_used"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
