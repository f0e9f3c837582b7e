"""Bulletin bodies are sanitised HTML: an allow-list of tags and attributes (nh3, Ammonia).

`clean(html)` is applied on every save, so what is stored is safe to render: no script,
style, event handler or `javascript:` link survives, and links get rel="noopener noreferrer".
`from_text(text)` turns pasted plain text into paragraphs; `text_of(html)` gives back the
plain text that search and extraction read.
"""

import html
import re
from html.parser import HTMLParser

TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "strong", "b", "em", "i", "u", "s", "sub", "sup",
    "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
    "caption", "figure", "figcaption", "span", "div", "pre", "code",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}
BLOCKS = {"p", "br", "div", "li", "tr", "h2", "h3", "h4", "h5", "blockquote", "figure", "pre"}
_BLANKS = re.compile(r"[ \t\u3000\xa0]+")
_LINES = re.compile(r"\n\s*\n+")


def clean(body: str) -> str:
    """Return `body` with every tag and attribute outside the allow-list removed."""
    import nh3

    return nh3.clean(
        body,
        tags=TAGS,
        clean_content_tags={"script", "style"},
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def from_text(text: str) -> str:
    """Return pasted plain text as HTML paragraphs (one per non-blank line), escaped."""
    lines = (line.strip(" \t\u3000\xa0") for line in text.splitlines())
    return "".join(f"<p>{html.escape(line)}</p>" for line in lines if line)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text_of(body: str) -> str:
    """Return the plain text of HTML `body`: one paragraph a line, blanks squeezed."""
    parser = _Text()
    parser.feed(body)
    parser.close()
    lines = (_BLANKS.sub(" ", line).strip() for line in "".join(parser.parts).splitlines())
    return _LINES.sub("\n", "\n".join(line for line in lines if line))
