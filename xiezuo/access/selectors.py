"""The one grant query: a user's grants resolved into their `Access` to a programme."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from xiezuo.access.access import Access
from xiezuo.access.models import Grant
from xiezuo.programs.models import Programme


def access_for(*, user: AbstractBaseUser | AnonymousUser, programme: Programme) -> Access:
    """Return what `user` may see and do in `programme`.

    Two queries for a signed-in user (grants, the programme's pairings), none for an
    anonymous one. The only place a superuser is told apart.
    """
    if not user.is_authenticated:
        return Access.public(programme)
    return Access(
        programme=programme,
        grants=frozenset(Grant.objects.filter(user_id=user.pk).values_list("role", "region_code")),
        pairings=tuple(
            programme.pairings.order_by("pk").values_list("pk", "helper_id", "recipient_id")
        ),
        authenticated=True,
        superuser=bool(getattr(user, "is_superuser", False)),
        user_id=user.pk,
    )
