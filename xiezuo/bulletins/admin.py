"""Admin of the bulletins: every save sanitises the body and refreshes the search index."""

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from xiezuo.bulletins import channels, search, services
from xiezuo.bulletins.models import Article, Attachment


class ArticleAdminForm(forms.ModelForm):
    channel = forms.ChoiceField(label="栏目", choices=[])

    class Meta:
        model = Article
        fields = [
            "title", "channel", "status", "published", "source", "publisher", "body",
            "regions", "office", "author", "batches",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["channel"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(name, name) for name in channels.names()]


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["name", "file", "content_type", "size", "image"]
    readonly_fields = ["content_type", "size"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = ["title", "channel", "status", "published", "source", "publisher", "hits"]
    list_filter = ["status", "channel"]
    date_hierarchy = "published"
    search_fields = ["title", "source", "publisher"]
    raw_id_fields = ["author", "office", "batches"]
    filter_horizontal = ["regions"]
    readonly_fields = ["text", "hits", "created", "updated"]
    inlines = [AttachmentInline]
    list_per_page = 50

    def save_model(self, request: HttpRequest, obj: Article, form, change: bool) -> None:
        if obj.author_id is None and not change:
            obj.author_id = request.user.pk
        services.store(obj)  # sanitised, plain text and search terms kept, indexed

    def delete_model(self, request: HttpRequest, obj: Article) -> None:
        pk = obj.pk
        super().delete_model(request, obj)
        search.unindex([pk])

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        pks = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        search.unindex(pks)
