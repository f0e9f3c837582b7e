"""The API object: every router under /api/, its OpenAPI 3.1 schema at /api/openapi.json and
its docs at /api/docs."""

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from xiezuo.api import errors
from xiezuo.api.auth import BearerToken, Session
from xiezuo.api.routers import (
    assessment,
    households,
    imports,
    ledgers,
    programmes,
    rectification,
    regions,
)


class Utf8Renderer(JSONRenderer):
    """JSON with Chinese text as it is, not as \\u escapes."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="Xiezuo API",
    version="1",
    description=(
        "协作 (Xiezuo): regions, the programme and its pairings, households, every ledger, "
        "imports, assessment runs and rectification items — through the caller's access. "
        "Authenticate with `Authorization: Bearer <token>` (`xiezuo token create`) or a "
        "signed-in session (with the CSRF token for unsafe requests). See docs/api.md."
    ),
    auth=[BearerToken(), Session()],
    urls_namespace="api",
    renderer=Utf8Renderer(),
)
errors.install(api)
for module in (regions, programmes, households, ledgers, imports, assessment, rectification):
    api.add_router("/", module.router)
