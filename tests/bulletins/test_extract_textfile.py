"""Bulletin text files: title, publish line, body; encodings; malformed files."""

from datetime import datetime

import pytest

from xiezuo.bulletins.textfile import CHINA, ArticleFileError, parse_article, read_article


def test_title_publish_line_and_body():
    article = parse_article(
        "朝阳区代表团赴康保县调研\n"
        "2018-04-15 12:04:38 信息来源:新华网发布者:isen点击量:\n"
        "4月13日，朝阳区代表团赴康保县调研。\n"
        "第二段。\n"
    )
    assert article.title == "朝阳区代表团赴康保县调研"
    assert article.published == datetime(2018, 4, 15, 12, 4, 38, tzinfo=CHINA)
    assert article.source == "新华网"
    assert article.publisher == "isen"
    assert article.body == "4月13日，朝阳区代表团赴康保县调研。\n第二段。"


@pytest.mark.parametrize(
    ("line", "published", "source", "publisher"),
    [
        ("2018-04-15 信息来源：新华网 发布者：张三", (2018, 4, 15), "新华网", "张三"),
        ("2018年4月15日 信息来源 : 河北日报", (2018, 4, 15), "河北日报", ""),
        (
            "2018/4/15 12:04 信息来源: 新华网  发布者 : 李四 点击量：1024",
            (2018, 4, 15, 12, 4),
            "新华网",
            "李四",
        ),
        (
            "发布时间：2019-06-01 08:30:00　信息来源：康保县政府网",
            (2019, 6, 1, 8, 30),
            "康保县政府网",
            "",
        ),
    ],
)
def test_publish_line_forms(line, published, source, publisher):
    article = parse_article(f"标题\n{line}\n正文。")
    assert article.published == datetime(*published, tzinfo=CHINA)
    assert (article.source, article.publisher) == (source, publisher)


def test_blank_lines_are_ignored():
    article = parse_article(
        "\n\n  标题  \n\n\n2019-01-02 信息来源：某报\n\n第一句。\n\n\n第二句。\n\n"
    )
    assert article.title == "标题"
    assert article.body == "第一句。\n第二句。"


def test_site_navigation_above_the_title():
    article = parse_article(
        "首页 新闻 工作动态\n当前位置：首页 > 工作动态\n\n真正的标题\n"
        "2019-01-02 10:00:00 信息来源：某报 发布者：王五\n正文。"
    )
    assert article.title == "真正的标题"
    assert article.publisher == "王五"


def test_the_seed_article(seed_path):
    article = read_article(seed_path)
    assert article.title == "北京市党政代表团到河北省对接扶贫协作工作"
    assert article.published == datetime(2018, 4, 15, 12, 4, 38, tzinfo=CHINA)
    assert (article.source, article.publisher) == ("新华网", "isen")
    assert article.body.startswith("北京市党政代表团到我省对接扶贫协作工作")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_encodings(tmp_path, encoding):
    path = tmp_path / "a.txt"
    path.write_bytes("标题\n2019-01-02 信息来源：河北日报\n正文。".encode(encoding))
    article = read_article(path)
    assert (article.title, article.source, article.body) == ("标题", "河北日报", "正文。")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "文件为空"),
        ("\n\n  \n", "文件为空"),
        ("只有标题\n正文没有发布行。", "缺少发布行"),
        ("2019-01-02 信息来源：河北日报\n正文。", "缺少标题"),
    ],
)
def test_malformed_text(text, words):
    with pytest.raises(ArticleFileError) as caught:
        parse_article(text)
    assert words in caught.value.message


def test_unreadable_files(tmp_path):
    with pytest.raises(ArticleFileError, match="无法读取"):
        read_article(tmp_path / "missing.txt")
    binary = tmp_path / "b.txt"
    binary.write_bytes(b"\x00\x01\x02\xff\xfe\x00")
    with pytest.raises(ArticleFileError):
        read_article(binary)
