"""Work bulletins (工作动态): articles of the programme's news portal, their files and hits.

An article belongs to one channel (`channels.toml`), concerns some regions (the counties or
districts it reports on), and moves through 草稿 → 待审核 → 已发布 (→ 已撤回). Its body is
sanitised HTML (`xiezuo.bulletins.sanitise`), its `text` the plain text of that body: search
and extraction read `text`. Hits are counted once per visitor and day (`Hit`).
"""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone

from xiezuo.regions.models import Region


def bulletin_storage() -> FileSystemStorage:
    """Return where attachments and images live: the data directory's `bulletins` folder."""
    return FileSystemStorage(location=settings.DATA_DIR / "bulletins")


class Article(models.Model):
    """One bulletin: title, publish time, 信息来源, 发布者, body, channel, status and hits."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        REVIEW = "review", "待审核"
        PUBLISHED = "published", "已发布"
        WITHDRAWN = "withdrawn", "已撤回"

    title = models.CharField("标题", max_length=200)
    channel = models.CharField("栏目", max_length=16, default="工作动态")
    published = models.DateTimeField("发布时间", default=timezone.now, db_index=True)
    source = models.CharField("信息来源", max_length=100, blank=True)
    publisher = models.CharField("发布者", max_length=100, blank=True)
    body = models.TextField("正文", blank=True)  # sanitised HTML, never raw
    text = models.TextField("正文文本", blank=True)  # the plain text of `body`
    status = models.CharField(
        "状态", max_length=12, choices=Status, default=Status.DRAFT, db_index=True
    )
    hits = models.PositiveIntegerField("点击量", default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="撰写人",
    )
    # The writing office's region: who (besides the programme office) may edit the draft.
    office = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="撰写单位",
    )
    regions = models.ManyToManyField(
        Region, blank=True, related_name="articles", verbose_name="涉及地区"
    )
    batches = models.ManyToManyField("ingest.Batch", blank=True, related_name="articles")
    # Search tokens (character unigrams and bigrams, words): kept by `services.article_save`.
    title_tokens = models.TextField(blank=True, editable=False)
    text_tokens = models.TextField(blank=True, editable=False)
    created = models.DateTimeField("创建时间", auto_now_add=True)
    updated = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "工作动态"
        ordering = ["-published", "-pk"]
        indexes = [
            models.Index(fields=["status", "channel", "-published"], name="article_channel_list"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/bulletins/{self.pk}/"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Attachment(models.Model):
    """A file of an article: an attachment to download or an image shown in the body."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="attachments", verbose_name="文章"
    )
    name = models.CharField("文件名", max_length=200)
    file = models.FileField("文件", storage=bulletin_storage, upload_to="files/%Y/%m/")
    content_type = models.CharField("类型", max_length=100, blank=True)
    size = models.PositiveIntegerField("大小", default=0)
    image = models.BooleanField("图片", default=False)
    created = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "附件"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/bulletins/files/{self.pk}/"


class Hit(models.Model):
    """One visitor's reading of an article on one day: counted once (unique together)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    visitor = models.CharField(max_length=32)  # a keyed hash of the visitor's cookie
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "visitor", "day"], name="hit_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} {self.day}"
