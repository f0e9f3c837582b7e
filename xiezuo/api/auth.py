"""Who calls: a bearer token (`Authorization: Bearer xz_…`) or a signed-in session.

A session's unsafe requests (POST, PUT, PATCH, DELETE) must carry Django's CSRF token, as a
page's form does; a bearer token needs none (a browser never sends one by itself). A read-only
token is refused for every unsafe request. Each route then takes the caller's `Access`
(`caller_access`), the same object a page or a command works with.
"""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from xiezuo.access import Access
from xiezuo.api.errors import ApiError
from xiezuo.api.models import ApiToken
from xiezuo.api.tokens import token_authenticate

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`; a read-only token is refused for unsafe requests."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = token_authenticate(token)
        if found is not None and found.read_only and request.method not in SAFE_METHODS:
            raise ApiError(403, "read_only_token", "只读令牌不能上传或运行任何任务")
        return found


class Session(APIKeyCookie):
    """A signed-in session (the pages' cookie); unsafe requests need the CSRF token."""

    def __init__(self) -> None:
        from django.conf import settings

        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=False)  # checked below, once the user is known

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if not user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request):
            raise ApiError(403, "csrf_failed", "CSRF 校验失败：请带上 X-CSRFToken 请求头")
        return user


def caller(request: HttpRequest) -> AbstractBaseUser | AnonymousUser:
    """Return the user the request acts for: the token's user, or the session's."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiToken):
        return auth.user
    return request.user


def caller_access(request: HttpRequest) -> Access:
    """Return the caller's `Access` to the installation's programme (once per request)."""
    from xiezuo.access.selectors import access_for
    from xiezuo.programs.selectors import programme_get

    access = getattr(request, "_api_access", None)
    if access is None:
        access = access_for(user=caller(request), programme=programme_get())
        request._api_access = access  # type: ignore[attr-defined]
    return access
