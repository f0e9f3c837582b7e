"""Errors of the regions app."""

from xiezuo.core.errors import XiezuoError


class RegionDataError(XiezuoError):
    """A region or population file cannot be loaded; `extra["errors"]` lists each bad cell."""
