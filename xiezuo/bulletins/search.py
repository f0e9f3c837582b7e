"""Full-text search of articles in Chinese, the same on SQLite (FTS5) and PostgreSQL.

Chinese has no spaces between words, and neither engine's own tokenizer segments it. So both
index the same terms, made here: every Chinese character (a unigram) and every pair of
neighbouring characters (a bigram) of each run of Chinese text, and every Latin word or number.
A query of one character looks for that unigram; a longer run for all of its bigrams; the terms
of a query are ANDed. Each term is written as `t` + its UTF-8 hex digits, a plain ASCII token
that the FTS5 `unicode61` tokenizer and PostgreSQL's `simple` configuration both keep whole.

The tokens live on the article (`title_tokens`, `text_tokens`, kept by the save service); on
SQLite they are copied into the FTS5 table `bulletins_article_fts` (rowid = article id), on
PostgreSQL a GIN index covers their weighted tsvector (migration 0002). Results are ranked by
relevance (bm25 / ts_rank, the title weighing more than the body), then by publish time.
"""

import re
import unicodedata
from collections.abc import Iterable, Iterator

from django.db import connection

MAX_QUERY = 100  # characters of a query read; the rest is ignored
MAX_TERMS = 32  # terms of a query used
MAX_WORD = 32  # characters of a Latin word indexed
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"([{_CJK}]+)|([0-9a-z]+)")
PG_VECTOR = (
    "(setweight(to_tsvector('simple', title_tokens), 'A') || "
    "setweight(to_tsvector('simple', text_tokens), 'B'))"
)


def _runs(text: str) -> Iterator[tuple[str, bool]]:
    """Yield (run, is_chinese) of the text, NFKC-normalised (full-width → half-width) and
    lower-cased."""
    for match in _RUN.finditer(unicodedata.normalize("NFKC", text).lower()):
        chinese, word = match.groups()
        yield (chinese, True) if chinese else (word[:MAX_WORD], False)


def _encode(term: str) -> str:
    return "t" + term.encode().hex()


def index_terms(text: str) -> list[str]:
    """Return the terms indexed for `text`: unigrams and bigrams of Chinese runs, words."""
    terms: list[str] = []
    for run, chinese in _runs(text):
        if chinese:
            terms.extend(run)
            terms.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            terms.append(run)
    return terms


def query_terms(query: str) -> list[str]:
    """Return the terms a query must all match (deduplicated, at most MAX_TERMS)."""
    terms: dict[str, None] = {}
    for run, chinese in _runs(query[:MAX_QUERY]):
        if chinese and len(run) > 1:
            terms.update((run[i : i + 2], None) for i in range(len(run) - 1))
        else:
            terms[run] = None
    return list(terms)[:MAX_TERMS]


def tokens(text: str) -> str:
    """Return the indexed terms of `text` as the space-separated tokens stored."""
    return " ".join(_encode(term) for term in index_terms(text))


def index(articles: Iterable[tuple[int, str, str]]) -> None:
    """Refresh the SQLite FTS5 rows of (pk, title tokens, text tokens); a no-op elsewhere
    (PostgreSQL indexes the article's own columns)."""
    if connection.vendor != "sqlite":
        return
    rows = list(articles)
    with connection.cursor() as cursor:
        cursor.executemany(
            "DELETE FROM bulletins_article_fts WHERE rowid = %s", [(pk,) for pk, _, _ in rows]
        )
        cursor.executemany(
            "INSERT INTO bulletins_article_fts (rowid, title, text) VALUES (%s, %s, %s)", rows
        )


def unindex(pks: Iterable[int]) -> None:
    """Remove articles from the SQLite FTS5 table (PostgreSQL needs nothing)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            "DELETE FROM bulletins_article_fts WHERE rowid = %s", [(pk,) for pk in pks]
        )


def matches(query: str) -> dict[int, float]:
    """Return {article pk: score} of the articles matching every term of `query`, a higher
    score more relevant; {} when the query holds no term."""
    terms = [_encode(term) for term in query_terms(query)]
    if not terms:
        return {}
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT rowid, -bm25(bulletins_article_fts, 5.0, 1.0) "
                "FROM bulletins_article_fts WHERE bulletins_article_fts MATCH %s",
                [" AND ".join(f'"{term}"' for term in terms)],
            )
        else:
            cursor.execute(
                # PG_VECTOR is a constant of this module; the terms are a parameter.
                f"SELECT id, ts_rank({PG_VECTOR}, q) FROM bulletins_article, "  # noqa: S608
                f"to_tsquery('simple', %s) AS q WHERE {PG_VECTOR} @@ q",
                [" & ".join(terms)],
            )
        return {pk: float(score) for pk, score in cursor.fetchall()}
