"""The review page `/bulletins/<pk>/extract/`: who may use it, the highlighted text, the
proposals as editable rows, and accepting them through the import path as undoable batches."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from xiezuo.access import Access, Role
from xiezuo.access.services import grant_give
from xiezuo.bulletins import services
from xiezuo.ingest.models import Batch
from xiezuo.ingest.services import batch_undo
from xiezuo.ledgers.models import Agreement, Visit

pytestmark = pytest.mark.django_db

CST = dt.timezone(dt.timedelta(hours=8))
BODY = (
    "<p>6月10日至11日，朝阳区委书记王灏带领朝阳区党政代表团赴康保县调研对接扶贫协作工作。</p>"
    "<p>6月11日，朝阳区与康保县签署《朝阳区 康保县扶贫协作协议》。</p>"
    "<p>双方表示将继续深化合作。</p>"
)


@pytest.fixture
def article(small_programme, settings, tmp_path):
    settings.XIEZUO_DEFAULT_PROGRAMME = small_programme.key
    settings.DATA_DIR = tmp_path
    operator = Access.operator(small_programme)
    saved = services.article_save(
        access=operator,
        title="朝阳区党政代表团赴康保县对接",
        body=BODY,
        channel="工作动态",
        regions=(),
        published=dt.datetime(2019, 6, 12, 9, 30, tzinfo=CST),
        source="朝阳区扶贫协作办",
        publisher="王丽",
    )
    return services.article_publish(access=operator, article=saved, now=False)


def user(name, role=None, region=None):
    u = User.objects.create_user(name)
    if role is not None:
        grant_give(user=u, role=role, region_code=region)
    return u


def url(article):
    return reverse("web:bulletins-extract", args=[article.pk])


def form_of(response):
    """The POST data of the page's form as shown: every row ticked, every value as proposed."""
    data = {}
    for row in response.context["rows"]:
        if row.accepted:
            data[f"p{row.number}-accept"] = "on"
        for cell in row.cells:
            data[cell["name"]] = cell["value"]
    return data


def cell_name(response, ledger, header):
    for row in response.context["rows"]:
        if row.ledger == ledger:
            return next(c["name"] for c in row.cells if c["header"] == header)
    raise AssertionError(f"no {ledger} row")


def test_who_may_review(client, article):
    assert client.get(url(article)).status_code == 302  # to sign in
    client.force_login(user("cadre", Role.CADRE, "130723"))
    assert client.get(url(article)).status_code == 403
    client.force_login(user("office", Role.PROGRAMME_OFFICE, "110000"))
    assert client.get(url(article)).status_code == 200
    missing = reverse("web:bulletins-extract", args=[article.pk + 1000])
    assert client.get(missing).status_code == 404


def test_the_page_shows_the_text_and_the_proposals(client, article):
    client.force_login(user("office", Role.PROGRAMME_OFFICE, "110000"))
    response = client.get(url(article))
    page = response.content.decode()
    assert '<mark class="extract-evidence"' in page
    assert "双方表示将继续深化合作" in page  # the text around the highlights
    rows = {row.ledger: row for row in response.context["rows"]}
    assert set(rows) == {"visits", "agreements"}
    visit = {c["header"]: c["value"] for c in rows["visits"].cells}
    assert visit["出访方代码"] == "110105"
    assert visit["到访地代码"] == "130723"
    assert (visit["开始日期"], visit["结束日期"]) == ("2019-06-10", "2019-06-11")
    assert visit["领导类别"] == "党委书记"
    assert visit["带队领导"] == "王灏"
    agreement = {c["header"]: c["value"] for c in rows["agreements"].cells}
    assert agreement["协议名称"] == "朝阳区 康保县扶贫协作协议"
    assert 'name="p0-accept"' in page


def test_accepting_imports_the_rows_as_batches_linked_to_the_article(client, article):
    office = user("office", Role.PROGRAMME_OFFICE, "110000")
    client.force_login(office)
    shown = client.get(url(article))
    data = form_of(shown)
    data[cell_name(shown, "visits", "事项")] = "调研对接扶贫协作工作"  # edited by the office
    response = client.post(url(article), data)
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert (visit.origin_id, visit.destination_id) == ("110105", "130723")
    assert visit.start_date == dt.date(2019, 6, 10)
    assert visit.purpose == "调研对接扶贫协作工作"
    assert Agreement.objects.get().name == "朝阳区 康保县扶贫协作协议"
    batches = list(article.batches.order_by("ledger"))
    assert [b.ledger for b in batches] == ["agreements", "visits"]
    assert all(b.status == Batch.Status.LOADED and b.user == office for b in batches)
    followed = client.get(url(article))
    assert "#" + str(batches[0].pk) in followed.content.decode()
    batch_undo(batches[1])
    assert not Visit.objects.exists()


def test_only_ticked_rows_are_imported(client, article):
    client.force_login(user("office", Role.PROGRAMME_OFFICE, "110000"))
    shown = client.get(url(article))
    data = form_of(shown)
    agreement_row = next(r for r in shown.context["rows"] if r.ledger == "agreements")
    del data[f"p{agreement_row.number}-accept"]
    assert client.post(url(article), data).status_code == 302
    assert Visit.objects.count() == 1
    assert not Agreement.objects.exists()
    assert [b.ledger for b in article.batches.all()] == ["visits"]


def test_errors_show_by_row_and_column_and_nothing_is_written(client, article):
    client.force_login(user("office", Role.PROGRAMME_OFFICE, "110000"))
    shown = client.get(url(article))
    data = form_of(shown)
    data[cell_name(shown, "visits", "带队领导")] = ""
    data[cell_name(shown, "agreements", "签署日期")] = "2019-13-40"
    response = client.post(url(article), data)
    assert response.status_code == 400
    rows = {row.ledger: row for row in response.context["rows"]}
    leader = next(c for c in rows["visits"].cells if c["header"] == "带队领导")
    signed = next(c for c in rows["agreements"].cells if c["header"] == "签署日期")
    assert leader["errors"]
    assert signed["errors"]
    assert signed["value"] == "2019-13-40"  # what was typed stays for correction
    page = response.content.decode()
    assert 'class="field-error"' in page
    assert not Visit.objects.exists()
    assert not Agreement.objects.exists()
    assert not article.batches.exists()
    assert not Batch.objects.filter(ledger__in=["visits", "agreements"]).exists()


def test_nothing_ticked_is_a_clear_error(client, article):
    client.force_login(user("office", Role.PROGRAMME_OFFICE, "110000"))
    shown = client.get(url(article))
    data = {k: v for k, v in form_of(shown).items() if not k.endswith("-accept")}
    response = client.post(url(article), data)
    assert response.status_code == 400
    assert "没有勾选任何台账行" in response.content.decode()


def test_rows_outside_the_callers_regions_are_refused(client, article):
    """A county office of 怀安 may import ledgers, but not rows of 朝阳→康保."""
    client.force_login(user("huaian", Role.COUNTY_OFFICE, "130728"))
    shown = client.get(url(article))
    assert shown.status_code == 200
    response = client.post(url(article), form_of(shown))
    assert response.status_code == 400
    assert 'class="field-error"' in response.content.decode()
    assert not Visit.objects.exists()
    assert not Agreement.objects.exists()
    assert not article.batches.exists()
