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
    """The caller's scope does not reach the data asked for."""
