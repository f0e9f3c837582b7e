"""The API object: every router under /api/, its OpenAPI 3.1 schema at /api/openapi.json and
its docs at /api/docs."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from xiezuo.api import errors
from xiezuo.api.auth import BearerToken, Session
from xiezuo.api.routers import (
    assessment,
    crosscheck,
    households,
    imports,
    labour,
    ledgers,
    precision,
    programmes,
    rectification,
    regions,
)


class Utf8Renderer(JSONRenderer):
    """JSON with Chinese text as it is, not as \\u escapes."""

    json_dumps_params = {"ensure_ascii": False}


# What every operation may answer besides success (errors.py: the codes).
ERROR_STATUSES = {
    "400": "invalid request, filter, cursor or file (`invalid_rows`: row and column detail)",
    "401": "no credentials, or a token unknown, expired or revoked",
    "403": "a read-only token, or a session without the CSRF token, asked to change something",
    "404": "no such object, or one outside the caller's access",
    "409": "the object's state does not allow it",
}
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "description": "stable: not_found, invalid_request, …"},
        "message": {"type": "string"},
    },
    "required": ["code", "message"],
}


class XiezuoAPI(NinjaAPI):
    """The API, whose schema documents the error answers of every operation."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in ERROR_STATUSES.items():
                    responses.setdefault(status, {"description": description, "content": error})
        return schema

    def create_response(
        self, request: HttpRequest, data: Any, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        """Answer, never to be kept by a cache: the API's answers may hold personal data
        (the pages' `NoStoreMiddleware` sees only signed-in sessions, not tokens)."""
        response = super().create_response(request, data, *args, **kwargs)
        response["Cache-Control"] = "no-store, private"
        return response


api = XiezuoAPI(
    title="Xiezuo API",
    version="1",
    description=(
        "协作 (Xiezuo): regions, the programme and its pairings, households, every ledger, "
        "imports, assessment runs, rectification items and cross-check flags — through the "
        "caller's access. "
        "Authenticate with `Authorization: Bearer <token>` (`xiezuo token create`) or a "
        "signed-in session (with the CSRF token for unsafe requests). See docs/api.md."
    ),
    auth=[BearerToken(), Session()],
    urls_namespace="api",
    renderer=Utf8Renderer(),
)
errors.install(api)
for module in (
    regions,
    programmes,
    households,
    ledgers,
    precision,
    labour,
    imports,
    assessment,
    rectification,
    crosscheck,
):
    api.add_router("/", module.router)
