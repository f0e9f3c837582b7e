"""The bulletins portal through its pages: public and draft visibility, hits, files, feeds,
the sitemap, the overview block and the editor's workflow with its permissions."""

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xiezuo.access import Access, Role
from xiezuo.access.services import grant_give
from xiezuo.bulletins import services
from xiezuo.bulletins.models import Article, Attachment, Hit

CST = dt.timezone(dt.timedelta(hours=8))
SEED_BODY = (
    "<p>4月13日至14日，北京市党政代表团来我省，就扶贫协作工作进行有效对接。</p>"
    "<p>先后深入到承德市丰宁满族自治县黄旗镇城根营村入户走访贫困群众。</p>"
)


@pytest.fixture
def programme(small_programme, settings, tmp_path):
    settings.XIEZUO_DEFAULT_PROGRAMME = small_programme.key
    settings.DATA_DIR = tmp_path
    return small_programme


@pytest.fixture
def operator(programme):
    return Access.operator(programme)


@pytest.fixture
def user(db):
    def make(name: str, role: Role | None = None, region: str | None = None) -> User:
        u = User.objects.create_user(name)
        if role is not None:
            grant_give(user=u, role=role, region_code=region)
        return u

    return make


def publish(operator, title, body=SEED_BODY, *, when=None, channel="工作动态", regions=()):
    article = services.article_save(
        access=operator,
        title=title,
        body=body,
        channel=channel,
        regions=regions,
        published=when or dt.datetime(2018, 4, 15, 12, 4, 38, tzinfo=CST),
        source="新华网",
        publisher="协作办",
    )
    return services.article_publish(access=operator, article=article)


def draft(operator, title="草稿一篇"):
    return services.article_save(access=operator, title=title, body="<p>未发布的内容</p>")


# --- public pages ------------------------------------------------------------------------------


def test_article_page_shows_the_facts_to_an_anonymous_reader(client, operator):
    article = publish(operator, "北京市党政代表团到河北省对接扶贫协作工作", regions=["130826"])
    page = client.get(f"/bulletins/{article.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "北京市党政代表团到河北省对接扶贫协作工作" in html
    assert "2018-04-15 12:04:38" in html
    assert "信息来源：新华网" in html
    assert "发布者：协作办" in html
    assert "点击量：" in html
    assert "<svg" in html  # the QR code for WeChat, made on the server
    assert 'data-copy="http://testserver/bulletins/' in html
    assert "/bulletins/region/130826/" in html


def test_pages_carry_no_inline_script(client, operator):
    article = publish(operator, "检查页面脚本", regions=["130723"])
    for url in ["/bulletins/", f"/bulletins/{article.pk}/", "/bulletins/c/news/",
                "/bulletins/region/130723/", "/bulletins/search/?q=扶贫", "/"]:  # fmt: skip
        html = client.get(url).content.decode()
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag or "application/json" in tag, (url, tag)
        assert not re.search(r"\son[a-z]+\s*=", html), url


def test_drafts_are_hidden_from_the_public_and_other_offices(client, operator, user):
    article = draft(operator)
    assert client.get(f"/bulletins/{article.pk}/").status_code == 404
    client.force_login(user("huaian", Role.COUNTY_OFFICE, "130728"))
    assert client.get(f"/bulletins/{article.pk}/").status_code == 404
    client.force_login(user("office", Role.PROGRAMME_OFFICE, "110000"))
    page = client.get(f"/bulletins/{article.pk}/")
    assert page.status_code == 200
    assert "尚未公开" in page.content.decode()
    assert draft(operator, "另一篇草稿").title not in client.get("/bulletins/").content.decode()


def test_channel_pages_list_their_articles_and_page(client, operator):
    for n in range(23):
        publish(operator, f"通知第{n}号", channel="通知公告",
                when=dt.datetime(2019, 1, 1, tzinfo=CST) + dt.timedelta(days=n))  # fmt: skip
    publish(operator, "一篇工作动态")
    first = client.get("/bulletins/c/notices/").content.decode()
    assert "通知第22号" in first
    assert "一篇工作动态" not in first
    assert "通知第0号" not in first
    second = client.get("/bulletins/c/notices/?page=2").content.decode()
    assert "通知第0号" in second
    assert client.get("/bulletins/c/notices/?page=9").status_code == 404
    assert client.get("/bulletins/c/notices/?page=x").status_code == 400
    assert client.get("/bulletins/c/nothing/").status_code == 404


def test_region_page_lists_the_bulletins_about_a_county_and_its_villages(client, operator):
    publish(operator, "康保县的动态", regions=["130723"])
    publish(operator, "一村的动态", regions=["130723100201"])
    publish(operator, "怀安县的动态", regions=["130728"])
    html = client.get("/bulletins/region/130723/").content.decode()
    assert "康保县的动态" in html
    assert "一村的动态" in html
    assert "怀安县的动态" not in html
    assert client.get("/bulletins/region/999999/").status_code == 404
    assert client.get("/bulletins/region/abc/").status_code == 404


def test_previous_next_and_related(client, operator):
    day = dt.datetime(2019, 5, 1, tzinfo=CST)
    old = publish(operator, "较早的一篇", when=day, regions=["130723"])
    mid = publish(operator, "中间的一篇", when=day + dt.timedelta(days=1), regions=["130723100201"])
    new = publish(operator, "较新的一篇", when=day + dt.timedelta(days=2))
    other = publish(operator, "另一栏目", channel="媒体报道", when=day + dt.timedelta(days=1))
    html = client.get(f"/bulletins/{mid.pk}/").content.decode()
    assert f'rel="prev" href="/bulletins/{new.pk}/"' in html
    assert f'rel="next" href="/bulletins/{old.pk}/"' in html
    assert other.title not in html
    related = html.split("相关动态")[1]
    assert "较早的一篇" in related
    assert "较新的一篇" not in related


def test_overview_shows_the_latest_five(client, operator):
    for n in range(7):
        publish(operator, f"概览动态{n}", when=dt.datetime(2020, 1, 1 + n, tzinfo=CST))
    draft(operator, "概览里的草稿")
    html = client.get("/").content.decode()
    shown = re.findall(r"概览动态(\d)", html)
    assert sorted(set(shown)) == ["2", "3", "4", "5", "6"]
    assert "概览里的草稿" not in html


# --- hits --------------------------------------------------------------------------------------


def hits(article):
    return Article.objects.get(pk=article.pk).hits


def test_hits_count_once_per_visitor_and_day(client, operator, django_user_model):
    from django.test import Client

    article = publish(operator, "点击量")
    client.get(f"/bulletins/{article.pk}/")
    client.get(f"/bulletins/{article.pk}/")
    assert hits(article) == 1
    Client().get(f"/bulletins/{article.pk}/")
    assert hits(article) == 2
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with mock.patch("django.utils.timezone.localdate", return_value=tomorrow):
        client.get(f"/bulletins/{article.pk}/")
        client.get(f"/bulletins/{article.pk}/")
    assert hits(article) == 3
    page = client.get(f"/bulletins/{article.pk}/")
    assert "<span data-hits>3</span>" in page.content.decode()


def test_past_days_hit_rows_are_pruned_and_the_count_stays(operator):
    from django.test import Client

    article = publish(operator, "点击记录")
    first, second = Client(), Client()
    day = timezone.localdate() + dt.timedelta(days=10)

    def read(who, on):
        with mock.patch("django.utils.timezone.localdate", return_value=on):
            who.get(f"/bulletins/{article.pk}/")

    read(first, day)
    read(first, day + dt.timedelta(days=1))
    assert Hit.objects.filter(article=article).count() == 2
    read(second, day + dt.timedelta(days=2))  # a new day: the rows before yesterday go
    kept = set(Hit.objects.filter(article=article).values_list("day", flat=True))
    assert kept == {day + dt.timedelta(days=1), day + dt.timedelta(days=2)}
    assert hits(article) == 3
    read(first, day + dt.timedelta(days=1))  # yesterday's row is kept: not counted again
    assert hits(article) == 3


def test_a_forged_visitor_cookie_is_replaced(client, operator):
    article = publish(operator, "伪造的访客")
    client.cookies["xz_reader"] = "<script>"
    page = client.get(f"/bulletins/{article.pk}/")
    assert page.cookies["xz_reader"].value != "<script>"
    assert hits(article) == 1


def test_drafts_count_no_hits(client, operator):
    article = draft(operator)
    client.force_login(User.objects.create_superuser("root"))
    client.get(f"/bulletins/{article.pk}/")
    assert hits(article) == 0


# --- sanitising --------------------------------------------------------------------------------


def test_bodies_are_sanitised_on_save(operator):
    article = services.article_save(
        access=operator,
        title="清理",
        body='<p onclick="x()">正文<script>alert(1)</script><img src="x" onerror="alert(2)">'
        '<a href="javascript:alert(3)">坏链接</a><a href="https://example.org/">好链接</a>'
        "<style>p{}</style><iframe src=x></iframe></p>",
    )
    body = Article.objects.get(pk=article.pk).body
    assert "<script" not in body
    assert "alert(1)" not in body
    assert "onerror" not in body
    assert "onclick" not in body
    assert "javascript:" not in body
    assert "<style" not in body
    assert "<iframe" not in body
    assert 'rel="noopener noreferrer"' in body
    assert "https://example.org/" in body
    assert article.text.startswith("正文")


def test_pasted_text_is_escaped_into_paragraphs(operator):
    article = services.article_save(
        access=operator, title="纯文本", body="第一段<script>\n\n  第二段", html=False
    )
    assert article.body == "<p>第一段&lt;script&gt;</p><p>第二段</p>"
    assert article.text == "第一段<script>\n第二段"


# --- files -------------------------------------------------------------------------------------


def png(width: int, height: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def test_images_are_resized_and_attachments_download(client, operator):
    from PIL import Image

    article = publish(operator, "带附件")
    image = services.attachment_add(
        access=operator, article=article,
        upload=SimpleUploadedFile("照片.png", png(3200, 800)), image=True,
    )  # fmt: skip
    with Image.open(image.file.open("rb")) as stored:
        assert stored.size == (1600, 400)
    assert f"/bulletins/files/{image.pk}/" in Article.objects.get(pk=article.pk).body
    doc = services.attachment_add(
        access=operator, article=article, upload=SimpleUploadedFile("方案.pdf", b"%PDF-1.4 x")
    )
    answer = client.get(f"/bulletins/files/{doc.pk}/")
    assert answer.status_code == 200
    assert answer["Content-Disposition"].startswith("attachment")
    assert answer["Content-Type"] == "application/octet-stream"
    assert answer["X-Content-Type-Options"] == "nosniff"
    shown = client.get(f"/bulletins/files/{image.pk}/")
    assert shown["Content-Type"] == "image/png"
    assert shown["Content-Disposition"].startswith("inline")


def test_bad_files_are_refused_with_a_reason(operator):
    from xiezuo.core.errors import XiezuoError

    article = draft(operator)
    with pytest.raises(XiezuoError, match="不是可用的图片"):
        services.attachment_add(
            access=operator, article=article,
            upload=SimpleUploadedFile("x.png", b"<svg onload=alert(1)>"), image=True,
        )  # fmt: skip
    with pytest.raises(XiezuoError, match="不支持的附件类型"):
        services.attachment_add(
            access=operator, article=article, upload=SimpleUploadedFile("x.html", b"<script>")
        )
    assert not Attachment.objects.exists()


def test_a_drafts_files_are_hidden_from_the_public(client, operator):
    article = draft(operator)
    doc = services.attachment_add(
        access=operator, article=article, upload=SimpleUploadedFile("a.txt", b"hello")
    )
    assert client.get(f"/bulletins/files/{doc.pk}/").status_code == 404


# --- feeds and sitemap -------------------------------------------------------------------------


def test_feeds_are_valid_xml_per_channel(client, operator):
    publish(operator, "通知甲", channel="通知公告")
    publish(operator, "动态乙")
    draft(operator, "草稿丙")
    rss = ET.fromstring(client.get("/bulletins/c/notices/rss/").content)
    titles = [t.text for t in rss.iter("item") for t in t.iter("title")]
    assert titles == ["通知甲"]
    atom = ET.fromstring(client.get("/bulletins/atom/").content)
    ns = "{http://www.w3.org/2005/Atom}"
    entries = {e.find(f"{ns}title").text for e in atom.iter(f"{ns}entry")}
    assert entries == {"通知甲", "动态乙"}
    assert client.get("/bulletins/c/nothing/rss/").status_code == 404


def test_sitemap_lists_published_articles(client, operator):
    shown = publish(operator, "在地图里")
    hidden = draft(operator)
    answer = client.get("/sitemap.xml")
    assert answer.status_code == 200
    root = ET.fromstring(answer.content)
    locs = [e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert f"http://testserver/bulletins/{shown.pk}/" in locs
    assert f"http://testserver/bulletins/{hidden.pk}/" not in locs
    assert "http://testserver/bulletins/c/news/" in locs
