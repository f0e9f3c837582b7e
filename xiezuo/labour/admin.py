from django.contrib import admin

from xiezuo.labour.models import MatchRun, Post, Proposal


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = [
        "post_no",
        "employer",
        "title",
        "helper_id",
        "workplace_id",
        "places",
        "wage",
        "skill",
        "age_min",
        "age_max",
        "start_date",
    ]
    list_filter = ["skill"]
    date_hierarchy = "start_date"
    search_fields = ["post_no", "employer", "title", "^workplace__code", "^helper__code"]
    raw_id_fields = ["helper", "workplace"]
    list_per_page = 50


@admin.register(MatchRun)
class MatchRunAdmin(admin.ModelAdmin):
    list_display = ["pk", "created_at", "region", "status", "posts", "candidates", "placed"]
    list_filter = ["status"]
    readonly_fields = ["unplaced"]


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["run", "post", "name", "village_id", "kind", "wage", "status", "batch"]
    list_filter = ["status", "kind"]
    search_fields = ["^post__post_no", "name"]
    raw_id_fields = ["run", "post", "household", "village", "batch"]
    list_per_page = 50
