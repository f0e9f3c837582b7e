"""`request.access`: the caller's `Access` to the installation's programme, on every request.

It is resolved lazily, on first use: a page that reads nothing scoped costs no query.
Reading it where no programme is set up raises `Programme.DoesNotExist`.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from xiezuo.access.access import Access

if TYPE_CHECKING:
    from xiezuo.programs.models import Programme


class AccessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.access = SimpleLazyObject(lambda: _resolve(request))  # type: ignore[attr-defined]
        return self.get_response(request)


def _resolve(request: HttpRequest) -> Access:
    from xiezuo.access.selectors import access_for
    from xiezuo.programs.selectors import programme_get

    return access_for(user=request.user, programme=programme_get())


def access_of(request: HttpRequest) -> "tuple[Access, Programme]":
    """Return the request's access and its programme (Programme.DoesNotExist without one)."""
    from xiezuo.programs.models import Programme

    access = cast(Access, request.access)  # type: ignore[attr-defined]
    if access.programme is None:
        raise Programme.DoesNotExist
    return access, access.programme


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every answer to a signed-in user: such pages may carry
    personal data, and no browser or proxy cache should keep them. Public pages (the overview
    to an anonymous reader, static files) are left to their own headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store, private"
        return response
