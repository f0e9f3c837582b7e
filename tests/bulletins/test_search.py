"""Full-text search in Chinese over titles and bodies (FTS5 on SQLite, tsvector on PostgreSQL)."""

import datetime as dt

import pytest

from xiezuo.access import Access
from xiezuo.bulletins import search, selectors, services

CST = dt.timezone(dt.timedelta(hours=8))
ARTICLES = {
    # key: (title, body, day)
    "seed": (
        "北京市党政代表团到河北省对接扶贫协作工作",
        "4月13日至14日，北京市党政代表团来我省，就扶贫协作工作进行有效对接，"
        "先后深入到丰宁满族自治县黄旗镇城根营村。",
        dt.date(2018, 4, 15),
    ),
    "fengning": (
        "丰宁县召开劳务协作对接会",
        "会上，怀柔区与丰宁满族自治县签订劳务协作协议，转移就业贫困劳动力120人。",
        dt.date(2019, 6, 1),
    ),
    "training": (
        "康保县举办致富带头人培训班",
        "培训班共培训致富带头人85人次。扶贫协作工作取得新成效。",
        dt.date(2020, 3, 2),
    ),
    "later": (
        "朝阳区消费扶贫专柜开业",
        "专柜销售康保县农产品。扶贫协作再上新台阶，Beijing 2020 年目标达成。",
        dt.date(2020, 9, 9),
    ),
}


@pytest.fixture
def articles(small_programme):
    operator = Access.operator(small_programme)
    made = {}
    for key, (title, body, day) in ARTICLES.items():
        article = services.article_save(
            access=operator,
            title=title,
            body=body,
            html=False,
            published=dt.datetime(day.year, day.month, day.day, 9, tzinfo=CST),
        )
        made[key] = services.article_publish(access=operator, article=article)
    draft = services.article_save(access=operator, title="扶贫协作草稿", body="扶贫协作未发布")
    return made, draft


def found(query: str) -> list[str]:
    return [a.title for a in selectors.article_search(access=Access.public(), query=query)]


def titles(made, *keys):
    return [made[k].title for k in keys]


def test_a_word_of_four_characters_finds_every_article_holding_it(articles):
    made, draft = articles
    result = found("扶贫协作")
    assert set(result) == set(titles(made, "seed", "training", "later"))
    assert draft.title not in result  # drafts are never found


def test_the_title_weighs_more_than_the_body_then_the_newer_first(articles):
    made, _ = articles
    # "扶贫协作" is in the seed's title; the two others hold it in their bodies only and
    # are ranked by relevance, then by date.
    assert found("扶贫协作")[0] == made["seed"].title


def test_a_county_name_of_two_characters(articles):
    made, _ = articles
    assert set(found("丰宁")) == set(titles(made, "seed", "fengning"))
    assert set(found("康保")) == set(titles(made, "training", "later"))


def test_a_single_character(articles):
    made, _ = articles
    assert set(found("柜")) == set(titles(made, "later"))


def test_a_query_with_a_space_needs_both_words(articles):
    made, _ = articles
    assert found("丰宁 劳务") == titles(made, "fengning")
    assert found("丰宁　劳务") == titles(made, "fengning")  # a full-width space


def test_latin_words_and_numbers_ignore_case_and_width(articles):
    made, _ = articles
    assert found("beijing") == titles(made, "later")
    assert found("ＢＥＩＪＩＮＧ") == titles(made, "later")
    assert found("120人") == titles(made, "fengning")


def test_a_query_that_matches_nothing(articles):
    assert found("雄安新区") == []
    assert found("协作扶贫") == []  # the characters, but not in this order


@pytest.mark.parametrize(
    "junk",
    ['"', "'", "*", "AND", "OR NOT", "丰宁 OR", "(", ")", "^", ":", "-", "!!!", "&|!", "\\",
     "丰" * 5000, "扶贫 " * 500, "\x00", "\u200b", "😀", "NEAR(a b)", "t6276"],
)  # fmt: skip
def test_junk_queries_never_fail(articles, junk):
    assert isinstance(found(junk), list)


def test_terms_of_text_and_query():
    assert search.index_terms("扶贫a") == ["扶", "贫", "扶贫", "a"]
    assert search.query_terms("扶贫协作") == ["扶贫", "贫协", "协作"]
    assert search.query_terms("丰") == ["丰"]
    assert search.query_terms("!!!") == []


def test_the_search_page(client, articles):
    made, _ = articles
    page = client.get("/bulletins/search/", {"q": "丰宁"})
    assert page.status_code == 200
    html = page.content.decode()
    assert made["fengning"].title in html
    assert made["training"].title not in html
    for junk in ["", "   ", "\x00", "丰" * 10_000, "<script>alert(1)</script>"]:
        answer = client.get("/bulletins/search/", {"q": junk})
        assert answer.status_code == 200
        assert "<script>alert" not in answer.content.decode()
    assert client.get("/bulletins/search/", {"q": "丰宁", "c": "nothing"}).status_code == 400


def test_an_edited_article_is_searched_by_its_new_text(articles, small_programme):
    made, _ = articles
    operator = Access.operator(small_programme)
    article = made["later"]
    services.article_save(
        access=operator, article=article, title=article.title, body="<p>冬奥会志愿服务</p>"
    )
    assert found("冬奥") == [article.title]
    assert article.title not in found("专柜销售")
