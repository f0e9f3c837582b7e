"""The 岗位 ledger through the importer: columns, empty helper for a local post, scope."""

import pytest

from xiezuo.access import Role
from xiezuo.ingest import catalog
from xiezuo.ingest.services import import_file
from xiezuo.labour.models import Post

pytestmark = pytest.mark.django_db

HEADER = (
    "岗位编号,用工单位,统一社会信用代码,帮扶方代码,工作地代码,岗位名称,招聘人数,月工资(元),"
    "技能要求,年龄下限,年龄上限,开始日期,结束日期\n"
)


def test_the_columns_are_the_contract():
    assert catalog.ledger("posts").headers == HEADER.strip().split(",")


def test_a_county_office_imports_a_local_post(small_programme, access_as, tmp_path):
    path = tmp_path / "posts.csv"
    path.write_text(
        HEADER + "L1,康保示例扶贫车间,91130723MA01ABCD5Q,,130723100,缝纫工,10,2400,不限,"
        "18,60,2019-04-01,\n",
        encoding="utf-8",
    )
    county = access_as(small_programme, (Role.COUNTY_OFFICE, "130723"))
    report = import_file(ledger_key="posts", path=path, access=county, programme=small_programme)
    assert report.errors == [], report.errors
    post = Post.objects.get()
    assert (post.helper_id, post.workplace_id, post.places) == (None, "130723100", 10)


def test_a_helper_may_not_post_for_another_helper(small_programme, access_as, tmp_path):
    path = tmp_path / "posts.csv"
    path.write_text(
        HEADER + "T1,北京示例公司,91110105MA01ABCD5F,110116,110116,保洁员,5,4800,不限,"
        "18,50,2019-04-01,\n",
        encoding="utf-8",
    )
    chaoyang = access_as(small_programme, (Role.HELPER_OFFICE, "110105"))
    report = import_file(ledger_key="posts", path=path, access=chaoyang, programme=small_programme)
    assert any("超出您的权限范围" in e.message for e in report.errors)
    assert not Post.objects.exists()


def test_age_bounds_out_of_order_are_a_cell_error_on_both(small_programme, access_as, tmp_path):
    path = tmp_path / "posts.csv"
    path.write_text(
        HEADER + "L2,康保示例扶贫车间,91130723MA01ABCD5Q,,130723100,缝纫工,10,2400,不限,"
        "60,18,2019-04-01,\n",
        encoding="utf-8",
    )
    county = access_as(small_programme, (Role.COUNTY_OFFICE, "130723"))
    report = import_file(ledger_key="posts", path=path, access=county, programme=small_programme)
    assert [(e.row, e.column) for e in report.errors] == [(2, "年龄下限"), (2, "年龄上限")]
    assert "大于「年龄上限」（18）" in report.errors[0].message
    assert not Post.objects.exists()
