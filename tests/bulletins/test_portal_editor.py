"""The editor: writers save drafts and send them for review inside their region, publishers
publish and withdraw; everyone else is refused. Also the article import of plain-text files."""

import datetime as dt
import shutil
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from xiezuo.access import Access, Role
from xiezuo.access.services import grant_give
from xiezuo.bulletins import services
from xiezuo.bulletins.models import Article
from xiezuo.core.errors import ScopeError, XiezuoError
from xiezuo.demo.bulletins import SEED_FILE

CST = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def programme(small_programme, settings, tmp_path):
    settings.XIEZUO_DEFAULT_PROGRAMME = small_programme.key
    settings.DATA_DIR = tmp_path
    return small_programme


@pytest.fixture
def user(programme):
    def make(name: str, role: Role | None = None, region: str | None = None) -> User:
        u = User.objects.create_user(name)
        if role is not None:
            grant_give(user=u, role=role, region_code=region)
        return u

    return make


def form(**fields):
    data = {
        "title": "康保县召开扶贫协作推进会",
        "channel": "工作动态",
        "format": "text",
        "body": "会议部署了2019年扶贫协作工作。\n<script>alert(1)</script>",
        "source": "康保县扶贫办",
        "publisher": "康保县",
        "regions": ["130723"],
        "action": "save",
    }
    data.update(fields)
    return data


def test_a_county_writes_a_draft_sends_it_and_the_office_publishes_it(client, user):
    client.force_login(user("kangbao", Role.COUNTY_OFFICE, "130723"))
    assert client.get("/bulletins/new/").status_code == 200
    answer = client.post("/bulletins/new/", form())
    assert answer.status_code == 302
    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT
    assert article.office_id == "130723"
    assert "<script>" not in article.body
    assert "&lt;script&gt;" in article.body
    assert list(article.regions.values_list("code", flat=True)) == ["130723"]
    assert client.get(f"/bulletins/{article.pk}/").status_code == 200  # its writer previews
    client.post(f"/bulletins/{article.pk}/edit/", form(title="改过的标题", action="submit"))
    article.refresh_from_db()
    assert article.title == "改过的标题"
    assert article.status == Article.Status.REVIEW
    # a writer may not publish
    assert client.post(f"/bulletins/{article.pk}/status/", {"action": "publish"}).status_code == 403
    assert client.get("/bulletins/mine/").content.decode().count("改过的标题") == 1

    client.logout()
    assert client.get(f"/bulletins/{article.pk}/").status_code == 404
    client.force_login(user("office", Role.PROGRAMME_OFFICE, "110000"))
    assert "改过的标题" in client.get("/bulletins/mine/").content.decode()
    answer = client.post(f"/bulletins/{article.pk}/status/", {"action": "publish"})
    assert answer.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED

    client.logout()
    assert client.get(f"/bulletins/{article.pk}/").status_code == 200
    assert "改过的标题" in client.get("/bulletins/c/news/").content.decode()

    client.force_login(User.objects.get(username="office"))
    client.post(f"/bulletins/{article.pk}/status/", {"action": "withdraw"})
    client.logout()
    assert client.get(f"/bulletins/{article.pk}/").status_code == 404


def test_other_offices_may_not_touch_a_draft(client, user, programme):
    writer = user("kangbao", Role.COUNTY_OFFICE, "130723")
    client.force_login(writer)
    client.post("/bulletins/new/", form())
    article = Article.objects.get()
    client.force_login(user("huaian", Role.COUNTY_OFFICE, "130728"))
    assert client.get(f"/bulletins/{article.pk}/edit/").status_code == 404
    assert client.post(f"/bulletins/{article.pk}/status/", {"action": "delete"}).status_code == 404
    client.force_login(user("cadre", Role.CADRE, "130723100201"))
    assert client.get("/bulletins/new/").status_code == 403
    assert client.get(f"/bulletins/{article.pk}/edit/").status_code == 403
    client.logout()
    assert client.get("/bulletins/new/").status_code == 302  # to the sign-in page
    assert Article.objects.get().status == Article.Status.DRAFT


def test_a_writer_may_not_tag_a_region_outside_their_own(client, user):
    client.force_login(user("kangbao", Role.COUNTY_OFFICE, "130723"))
    answer = client.post("/bulletins/new/", form(regions=["130728"]))
    assert answer.status_code == 400  # not one of the form's choices
    assert not Article.objects.exists()


def test_bad_input_gets_a_chinese_error_not_a_500(client, user):
    client.force_login(user("office", Role.PROGRAMME_OFFICE, "110000"))
    for bad in [form(title=""), form(channel="没有的栏目"), form(published="明天")]:
        answer = client.post("/bulletins/new/", bad)
        assert answer.status_code == 400
        assert "field-error" in answer.content.decode()
    assert client.post("/bulletins/1/status/", {"action": "x"}).status_code == 404
    assert not Article.objects.exists()


def test_a_published_article_is_edited_only_by_a_publisher(programme, access_as):
    operator = Access.operator(programme)
    article = services.article_save(access=operator, title="已发布", body="<p>正文</p>")
    services.article_publish(access=operator, article=article)
    writer = access_as(programme, ("county_office", "130723"))
    with pytest.raises(ScopeError):
        services.article_save(access=writer, article=article, title="改", body="x")
    with pytest.raises(ScopeError):
        services.article_withdraw(access=writer, article=article)
    with pytest.raises(XiezuoError, match="已经发布"):
        services.article_publish(access=operator, article=article)


def test_the_public_may_not_write(programme):
    with pytest.raises(ScopeError):
        services.article_save(access=Access.public(programme), title="x", body="y")


def test_articles_import_reads_a_text_file_and_updates_it_again(programme, tmp_path):
    operator = Access.operator(programme)
    SEED = [Path(shutil.copy(SEED_FILE, tmp_path / "seed.txt"))]
    (article,) = services.articles_import(SEED, access=operator)
    assert article.title == "北京市党政代表团到河北省对接扶贫协作工作"
    assert article.status == Article.Status.PUBLISHED
    assert article.source == "新华网"
    assert article.published == dt.datetime(2018, 4, 15, 12, 4, 38, tzinfo=CST)
    assert "滦平县" in article.text
    again = services.articles_import(SEED, access=operator, channel="媒体报道")
    assert again[0].pk == article.pk
    assert Article.objects.get().channel == "媒体报道"
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(XiezuoError):
        services.articles_import([bad], access=operator)
    with pytest.raises(XiezuoError, match="没有栏目"):
        services.articles_import(SEED, access=operator, channel="新闻")


def test_the_admin_sanitises_and_indexes(client, programme):
    from xiezuo.access import Access as A
    from xiezuo.bulletins import selectors

    client.force_login(User.objects.create_superuser("root"))
    answer = client.post(
        "/admin/bulletins/article/add/",
        {
            "title": "后台发布的张北县动态",
            "channel": "工作动态",
            "published_0": "2019-05-01",
            "published_1": "10:00:00",
            "source": "协作办",
            "publisher": "协作办",
            "body": '<p>张北县<img src="x" onerror="alert(1)"><script>alert(2)</script></p>',
            "status": "published",
            "attachments-TOTAL_FORMS": "0",
            "attachments-INITIAL_FORMS": "0",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    article = Article.objects.get()
    assert "onerror" not in article.body
    assert "<script" not in article.body
    assert [a.pk for a in selectors.article_search(access=A.public(), query="张北")] == [article.pk]
