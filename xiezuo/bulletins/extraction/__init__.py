"""Bulletin extraction: the cooperation activities a bulletin reports, as draft ledger rows.

`extract(article, places=…, sides=…)` is pure (rules and data in
`xiezuo/bulletins/data/extraction*.toml`); `xiezuo.bulletins.extraction.loading` builds the
place index from the region table and the sides from the programme, cached per process.
"""

from xiezuo.bulletins.extraction.core import KINDS, Activity, Sides, extract, sentences
from xiezuo.bulletins.extraction.places import Mention, PlaceIndex

__all__ = ["KINDS", "Activity", "Mention", "PlaceIndex", "Sides", "extract", "sentences"]
