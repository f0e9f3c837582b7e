"""The one error base class; adapters shape it into `{message, extra}`."""

from typing import Any


class XiezuoError(Exception):
    """A failure the user can act on: it carries a Chinese message and structured detail."""

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra

    def as_dict(self) -> dict[str, Any]:
        return {"message": self.message, "extra": self.extra}


class ScopeError(XiezuoError):
    """The caller's access does not reach the data asked for, or lacks the verb."""


class CatalogError(XiezuoError, ValueError):
    """A catalog or data file shipped with Xiezuo (ledger templates, indicators, targets) is
    malformed: a developer's error, caught by the tests."""
