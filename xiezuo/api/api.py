"""The API object: every router under /api/, its OpenAPI 3.1 schema at /api/openapi.json and
its docs at /api/docs."""

from ninja import NinjaAPI

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
)
errors.install(api)
for module in (regions, programmes, households, ledgers, imports, assessment, rectification):
    api.add_router("/", module.router)
