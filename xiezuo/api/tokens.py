"""API tokens: made with a random secret shown once, kept as its SHA-256, revoked by secret
or id.

A token reads `xz_` and 43 URL-safe characters (256 random bits). Nothing that could give the
secret back is stored: a lost token is revoked and a new one made.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from xiezuo.api.models import ApiToken
from xiezuo.core.errors import XiezuoError

__all__ = [
    "PREFIX",
    "IssuedToken",
    "TokenError",
    "token_authenticate",
    "token_create",
    "token_revoke",
]

PREFIX = "xz_"
# last_used is written at most this often per token: a busy client does not write every request.
_TOUCH_EVERY = timedelta(minutes=1)


class TokenError(XiezuoError):
    """No such user or token."""


@dataclass(frozen=True)
class IssuedToken:
    """A new token and its secret: the only time the secret exists outside the client."""

    token: ApiToken
    secret: str


def token_hash(secret: str) -> str:
    """Return the stored form of a token's secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def token_create(
    *, username: str, name: str = "", expires_days: float | None = None, read_only: bool = False
) -> IssuedToken:
    """Make a token for the user `username`; return it with its secret (TokenError without
    such an active user)."""
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise TokenError(f"没有启用的用户 {username}", username=username)
    secret = PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        hash=token_hash(secret),
        created=now,
        expires=now + timedelta(days=expires_days) if expires_days is not None else None,
        read_only=read_only,
    )
    return IssuedToken(token=token, secret=secret)


def token_revoke(*, token_or_id: str) -> ApiToken:
    """Revoke a token named by its secret or its id; return it (TokenError when none)."""
    tokens = ApiToken.objects.all()
    if token_or_id.isdigit():
        token = tokens.filter(pk=int(token_or_id)).first()
    else:
        token = tokens.filter(hash=token_hash(token_or_id.strip())).first()
    if token is None:
        raise TokenError("没有这个令牌")
    if token.revoked is None:
        token.revoked = timezone.now()
        ApiToken.objects.filter(pk=token.pk, revoked__isnull=True).update(revoked=token.revoked)
    return token


def token_authenticate(secret: str) -> ApiToken | None:
    """Return the usable token whose secret this is (with its user), None otherwise."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(hash=token_hash(secret), revoked__isnull=True, user__is_active=True)
        .first()
    )
    now = timezone.now()
    if token is None or not token.usable(now):
        return None
    if token.last_used is None or now - token.last_used > _TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        token.last_used = now
    return token
