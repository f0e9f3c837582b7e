"""Writes of the bulletins: save (sanitised, indexed), the review workflow, files, hits, imports.

Writers (verb write_bulletins) save drafts and send them for review inside their grant's
region; publishers (publish_bulletins, the programme office) publish and withdraw, and may
edit any article. Every save sanitises the body (`sanitise.clean`), keeps its plain text and
its search tokens, and refreshes the full-text index. Hits are counted once per visitor and day
with an atomic `F("hits") + 1`.
"""

import datetime as dt
import io
import mimetypes
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from xiezuo.access import Access, Verb
from xiezuo.bulletins import channels, sanitise, search
from xiezuo.bulletins.models import Article, Attachment, Hit
from xiezuo.core.errors import ScopeError, XiezuoError
from xiezuo.regions.models import Region

MAX_IMAGE_WIDTH = 1600
MAX_FILE_BYTES = 20 * 1024 * 1024
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
FILE_TYPES = {
    ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".txt", ".csv", ".zip", ".rar",
    ".wps", ".et", ".ofd", ".jpg", ".jpeg", ".png", ".gif", ".webp",
}  # fmt: skip


class Upload(Protocol):
    """What an uploaded file offers (Django's `UploadedFile`)."""

    name: str | None
    size: int | None

    def read(self, size: int = -1) -> bytes: ...


# --- who may do what ---------------------------------------------------------------------------


def may_edit(access: Access, article: Article) -> bool:
    """Return True when the caller may edit `article`: a publisher any article, a writer an
    unpublished one of their own region (or their own, when it has no region)."""
    if access.may(Verb.PUBLISH_BULLETINS):
        return True
    if not access.may(Verb.WRITE_BULLETINS) or article.status == Article.Status.PUBLISHED:
        return False
    if article.office_id:
        return access.may_in(Verb.WRITE_BULLETINS, article.office_id)
    return article.author_id is not None and article.author_id == access.user_id


def _check_edit(access: Access, article: Article) -> None:
    access.check(Verb.WRITE_BULLETINS)
    if not may_edit(access, article):
        raise ScopeError("无权修改这篇工作动态", article=article.pk)


def office_of(access: Access) -> str | None:
    """Return the region the caller writes for: their first grant's region that may write."""
    for _role, region in sorted(access.grants):
        if access.may_in(Verb.WRITE_BULLETINS, region):
            return region
    return None


# --- saving ------------------------------------------------------------------------------------


def prepare(article: Article) -> None:
    """Sanitise the body and fill the plain text and the search tokens (before a save)."""
    article.body = sanitise.clean(article.body)
    article.text = sanitise.text_of(article.body)
    article.title = " ".join(article.title.split())[:200]
    article.title_tokens = search.tokens(article.title)
    article.text_tokens = search.tokens(article.text)


def store(article: Article) -> Article:
    """Prepare, save and index `article` (no scope check: callers check)."""
    prepare(article)
    with transaction.atomic():
        article.save()
        search.index([(article.pk, article.title_tokens, article.text_tokens)])
    return article


def index_all(pks: Iterable[int] | None = None) -> int:
    """Rebuild the full-text rows of the articles (all when `pks` is None); return how many."""
    articles = Article.objects.all() if pks is None else Article.objects.filter(pk__in=list(pks))
    rows = list(articles.values_list("pk", "title_tokens", "text_tokens"))
    with transaction.atomic():
        search.index(rows)
    return len(rows)


def _check_fields(title: str, channel: str, region_codes: Iterable[str]) -> list[Region]:
    if not title.strip():
        raise XiezuoError("标题不能为空")
    if channels.by_name(channel) is None:
        raise XiezuoError(f"没有栏目“{channel}”，可选：{'、'.join(channels.names())}")
    codes = list(dict.fromkeys(region_codes))
    regions = list(Region.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {r.code for r in regions})
    if missing:
        raise XiezuoError(f"没有这些区划代码：{'、'.join(missing)}")
    return regions


def article_save(
    *,
    access: Access,
    article: Article | None = None,
    title: str,
    body: str,
    channel: str = channels.DEFAULT,
    html: bool = True,
    published: dt.datetime | None = None,
    source: str = "",
    publisher: str = "",
    regions: Iterable[str] = (),
) -> Article:
    """Create (article None) or update a bulletin; a new one is a draft of the caller's office.

    `body` is HTML (sanitised here) or, with `html=False`, plain text made into paragraphs.
    """
    access.check(Verb.WRITE_BULLETINS)
    if article is None:
        article = Article(author_id=access.user_id, office_id=office_of(access))
    else:
        _check_edit(access, article)
    found = _check_fields(title, channel, regions)
    for region in found:
        if not (access.may(Verb.PUBLISH_BULLETINS) or access.covers(region.code)):
            raise ScopeError(f"无权为 {region.name} 撰写工作动态", region=region.code)
    article.title = title
    article.body = body if html else sanitise.from_text(body)
    article.channel = channel
    article.source = source.strip()[:100]
    article.publisher = publisher.strip()[:100]
    if published is not None:
        article.published = published
    with transaction.atomic():
        store(article)
        article.regions.set(found)
    return article


def article_submit(*, access: Access, article: Article) -> Article:
    """Send a draft (or a withdrawn article) for review (待审核)."""
    _check_edit(access, article)
    if article.status not in (Article.Status.DRAFT, Article.Status.WITHDRAWN):
        raise XiezuoError(f"“{article.get_status_display()}”的文章不能送审")
    Article.objects.filter(pk=article.pk).update(status=Article.Status.REVIEW)
    article.status = Article.Status.REVIEW
    return article


def article_publish(*, access: Access, article: Article, now: bool = False) -> Article:
    """Publish an article (a publisher only); `now` sets its publish time to this moment."""
    access.check(Verb.PUBLISH_BULLETINS)
    if article.status == Article.Status.PUBLISHED:
        raise XiezuoError("文章已经发布")
    article.status = Article.Status.PUBLISHED
    if now:
        article.published = timezone.now()
    article.save(update_fields=["status", "published", "updated"])
    return article


def article_withdraw(*, access: Access, article: Article) -> Article:
    """Withdraw a published article (a publisher only): it leaves the public pages."""
    access.check(Verb.PUBLISH_BULLETINS)
    if article.status != Article.Status.PUBLISHED:
        raise XiezuoError("只有已发布的文章可以撤回")
    article.status = Article.Status.WITHDRAWN
    article.save(update_fields=["status", "updated"])
    return article


def article_delete(*, access: Access, article: Article) -> None:
    """Delete an unpublished article and its files."""
    _check_edit(access, article)
    if article.status == Article.Status.PUBLISHED:
        raise XiezuoError("已发布的文章须先撤回再删除")
    pk = article.pk
    with transaction.atomic():
        for attachment in article.attachments.all():
            attachment.file.delete(save=False)
        article.delete()
        search.unindex([pk])


# --- files -------------------------------------------------------------------------------------


def _image(data: bytes) -> tuple[bytes, str] | None:
    """Return (bytes, format) of an image no wider than MAX_IMAGE_WIDTH re-encoded without its
    metadata, None when `data` is no image Pillow reads in an allowed format."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as opened:
            image_format = opened.format or ""
            if image_format not in IMAGE_FORMATS:
                return None
            if image_format == "GIF" and getattr(opened, "is_animated", False):
                return data, image_format  # kept as it is: resizing drops the animation
            image: Image.Image = ImageOps.exif_transpose(opened)
            if image.width > MAX_IMAGE_WIDTH:
                height = max(1, round(image.height * MAX_IMAGE_WIDTH / image.width))
                image = image.resize((MAX_IMAGE_WIDTH, height), Image.Resampling.LANCZOS)
            if image_format == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            out = io.BytesIO()
            image.save(
                out, format=image_format, **({"quality": 85} if image_format == "JPEG" else {})
            )
            return out.getvalue(), image_format
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None


def attachment_add(
    *, access: Access, article: Article, upload: Upload, image: bool = False
) -> Attachment:
    """Attach an uploaded file; `image=True` for a picture shown in the body (resized to at
    most MAX_IMAGE_WIDTH px wide, re-encoded) which is appended to the body."""
    _check_edit(access, article)
    name = Path(upload.name or "file").name[-200:] or "file"
    suffix = Path(name).suffix.lower()
    if (upload.size or 0) > MAX_FILE_BYTES:
        raise XiezuoError(f"文件“{name}”超过 {MAX_FILE_BYTES // 1024 // 1024} MB")
    data = upload.read()
    if len(data) > MAX_FILE_BYTES:
        raise XiezuoError(f"文件“{name}”超过 {MAX_FILE_BYTES // 1024 // 1024} MB")
    picture = (
        _image(data) if image or suffix in {".jpg", ".jpeg", ".png", ".gif", ".webp"} else None
    )
    if image and picture is None:
        raise XiezuoError(f"“{name}”不是可用的图片（支持 JPEG、PNG、GIF、WebP）")
    if picture is None and suffix not in FILE_TYPES:
        raise XiezuoError(
            f"不支持的附件类型“{suffix or name}”，可上传：{' '.join(sorted(FILE_TYPES))}"
        )
    if picture is not None:
        data, image_format = picture
        content_type = IMAGE_FORMATS[image_format]
    else:
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    with transaction.atomic():
        attachment = Attachment(
            article=article, name=name, content_type=content_type, size=len(data), image=image
        )
        attachment.file.save(
            name if name.isascii() else f"file{suffix}", ContentFile(data), save=False
        )
        attachment.save()
        if image:
            article.body += f'<p><img src="{attachment.get_absolute_url()}" alt=""></p>'
            store(article)
    return attachment


# --- hits --------------------------------------------------------------------------------------


def hit_count(*, article_pk: int, visitor: str, day: dt.date) -> bool:
    """Count one reading of an article by `visitor` on `day`, once; return True if counted.
    The first count of a day (in this process) prunes the rows of the days before yesterday."""
    try:
        with transaction.atomic():
            Hit.objects.create(article_id=article_pk, visitor=visitor[:32], day=day)
    except IntegrityError:
        return False
    Article.objects.filter(pk=article_pk).update(hits=F("hits") + 1)
    if cache.add(f"xiezuo:hits-pruned:{day.isoformat()}", True, timeout=2 * 24 * 3600):
        hits_prune(before=day - dt.timedelta(days=1))
    return True


def hits_prune(*, before: dt.date) -> int:
    """Delete the hit rows of the days before `before`; return how many. A row only keeps a
    visitor from being counted twice on its day (the count is on the article), so a past day's
    rows decide nothing; yesterday's are kept for a reading that began before midnight."""
    deleted, _ = Hit.objects.filter(day__lt=before).delete()
    return deleted


# --- import ------------------------------------------------------------------------------------


def articles_import(
    paths: list[Path], *, access: Access, channel: str = channels.DEFAULT, publish: bool = True
) -> list[Article]:
    """Read each plain-text article file and create it, or update the article with the same
    title and publish time; publish them when `publish` (a publisher only)."""
    from xiezuo.bulletins.textfile import read_article

    access.check(Verb.WRITE_BULLETINS)
    if publish:
        access.check(Verb.PUBLISH_BULLETINS)
    if channels.by_name(channel) is None:
        raise XiezuoError(f"没有栏目“{channel}”，可选：{'、'.join(channels.names())}")
    # Every file is read (UTF-8, with or without BOM, or GB18030) before anything is written.
    parsed = [(path, read_article(path)) for path in paths]
    articles: list[Article] = []
    with transaction.atomic():
        for _path, item in parsed:
            published = item.published
            if timezone.is_naive(published):
                published = timezone.make_aware(published)
            article = Article.objects.filter(title=item.title, published=published).first()
            if article is None:
                article = Article(author_id=access.user_id, office_id=office_of(access))
            article.title = item.title
            article.published = published
            article.source = (item.source or "")[:100]
            article.publisher = (item.publisher or "")[:100]
            article.channel = channel
            article.body = sanitise.from_text(item.body)
            if publish:
                article.status = Article.Status.PUBLISHED
            store(article)
            articles.append(article)
    return articles
