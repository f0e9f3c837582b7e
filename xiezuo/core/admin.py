from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from xiezuo.core.models import DataVersion
from xiezuo.core.versions import REGISTRY, version_bump


@admin.register(DataVersion)
class DataVersionAdmin(admin.ModelAdmin):
    list_display = ["name", "number", "changed_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class VersionedAdmin(admin.ModelAdmin):
    """An admin whose saves and deletes count as changes to `data_version` (`core.versions`).

    Django runs the change and delete views in one transaction, so the bump commits with
    the change it counts.
    """

    data_version = REGISTRY

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        version_bump(self.data_version)

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        super().delete_model(request, obj)
        version_bump(self.data_version)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        super().delete_queryset(request, queryset)
        version_bump(self.data_version)
