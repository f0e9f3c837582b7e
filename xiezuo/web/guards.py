"""The one gate of the signed-in pages: sign-in, a programme, and a verb.

`verb_required(verb)` wraps a view: an anonymous caller goes to the sign-in page, an
installation without a programme shows how to set one up, path parts are checked (404 for
junk), a caller without the verb gets 403; the view receives `access=` and `programme=`.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render

from xiezuo.access import Verb
from xiezuo.access.middleware import access_of
from xiezuo.core.errors import ScopeError
from xiezuo.programs.models import Programme
from xiezuo.web import params

type View = Callable[..., HttpResponseBase]


def verb_required(verb: Verb) -> Callable[[View], View]:
    """Return the decorator requiring sign-in and `verb`; see the module's docstring."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            params.check_path(*(value for value in kwargs.values() if isinstance(value, str)))
            try:
                access, programme = access_of(request)
            except Programme.DoesNotExist:
                return render(request, "web/no_programme.html")
            try:
                access.check(verb)
            except ScopeError as error:
                raise PermissionDenied(error.message) from error
            return view(request, *args, access=access, programme=programme, **kwargs)

        return wrapped

    return decorator
