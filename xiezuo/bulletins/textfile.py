"""Plain-text bulletin files: a title, a publish line, then the body (docs/bulletins.md).

    北京市党政代表团到河北省对接扶贫协作工作
    2018-04-15 12:04:38 信息来源:新华网 发布者:isen 点击量:
    4月13日至14日，北京市党政代表团来我省……

Blank lines are ignored. The publish line holds the publish time (`2018-04-15 12:04:38`,
`2018-04-15`, `2018年4月15日`, `2018/4/15 12:04`), `信息来源` and optionally `发布者`, with
full- or half-width colons and spaces anywhere; a trailing `点击量:…` is dropped. Pages saved
from a website carry navigation lines above the title: when the second non-blank line is not
the publish line, the first later line that is one is used, and the title is the last
non-blank line before it.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from xiezuo.core.errors import XiezuoError

# Bulletins give Beijing time; `published` is aware, in this zone.
CHINA = ZoneInfo("Asia/Shanghai")


class ArticleFileError(XiezuoError):
    """A bulletin file cannot be read: no title, no publish line, or not text."""


@dataclass(frozen=True)
class ArticleText:
    title: str
    published: datetime
    source: str
    publisher: str
    body: str


_SPACE = r"\s*"
_COLON = rf"{_SPACE}[:：]{_SPACE}"
_DATE = re.compile(
    rf"(?P<y>\d{{4}}){_SPACE}(?:[-/.]|年){_SPACE}(?P<m>\d{{1,2}}){_SPACE}(?:[-/.]|月){_SPACE}"
    rf"(?P<d>\d{{1,2}}){_SPACE}日?"
    rf"(?:{_SPACE}(?P<H>\d{{1,2}}){_SPACE}[:：时]{_SPACE}(?P<M>\d{{2}})"
    rf"(?:{_SPACE}[:：分]{_SPACE}(?P<S>\d{{2}})秒?)?)?"
)
_LABELS = {
    "source": re.compile(rf"信{_SPACE}息{_SPACE}来{_SPACE}源{_COLON}"),
    "publisher": re.compile(rf"发{_SPACE}布{_SPACE}者{_COLON}"),
    "hits": re.compile(rf"点{_SPACE}击{_SPACE}(?:量|数){_COLON}?"),
    "time": re.compile(rf"(?:发{_SPACE}布{_SPACE})?时{_SPACE}间{_COLON}"),
}


def _publish_line(line: str) -> tuple[datetime, str, str] | None:
    """The publish time, source and publisher of a publish line, or None if it is not one."""
    if not _LABELS["source"].search(line):
        return None
    date = _DATE.search(line)
    if date is None:
        return None
    try:
        published = datetime(
            int(date["y"]),
            int(date["m"]),
            int(date["d"]),
            int(date["H"] or 0),
            int(date["M"] or 0),
            int(date["S"] or 0),
            tzinfo=CHINA,
        )
    except ValueError:
        return None
    # Cut the line at its labels; each label's text runs to the next label.
    marks = sorted(
        (match.start(), match.end(), name)
        for name, pattern in _LABELS.items()
        for match in [pattern.search(line)]
        if match is not None
    )
    fields: dict[str, str] = {}
    for index, (_, end, name) in enumerate(marks):
        stop = marks[index + 1][0] if index + 1 < len(marks) else len(line)
        fields[name] = line[end:stop].strip()
    return published, fields.get("source", ""), fields.get("publisher", "")


def parse_article(text: str) -> ArticleText:
    """The title, publish time, source, publisher and body of a bulletin's text."""
    lines = [line.replace("\ufeff", "").strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise ArticleFileError("文件为空：第一行应为标题，第二行为发布时间、信息来源与发布者。")
    for index, line in enumerate(lines):
        found = _publish_line(line)
        if found is None:
            continue
        if index == 0:
            raise ArticleFileError("缺少标题：发布时间行之前应有一行标题。")
        published, source, publisher = found
        return ArticleText(
            title=lines[index - 1],
            published=published,
            source=source,
            publisher=publisher,
            body="\n".join(lines[index + 1 :]),
        )
    raise ArticleFileError(
        "缺少发布行：标题之后应有一行「发布时间 信息来源：… 发布者：…」"
        "（如 2018-04-15 12:04:38 信息来源：新华网 发布者：张三）。"
    )


def read_article(path: str | Path) -> ArticleText:
    """Read a bulletin file in UTF-8 (with or without BOM) or GB18030."""
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise ArticleFileError(f"无法读取文件 {path}：{error.strerror or error}") from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ArticleFileError(f"文件 {path} 不是 UTF-8 或 GB18030 编码的文本。")
    if "\x00" in text:
        raise ArticleFileError(f"文件 {path} 不是文本文件。")
    try:
        return parse_article(text)
    except ArticleFileError as error:
        raise ArticleFileError(f"{path}：{error.message}") from None
