"""Errors as JSON with a stable `code`: `{"code": "not_found", "message": "…"}`.

| status | code              | when |
|--------|-------------------|------|
| 400    | `invalid_request` | a parameter or body does not match the schema (`detail`) |
| 400    | `invalid_filter`  | a filter the resource cannot apply (bad region, no years) |
| 400    | `invalid_cursor`  | a cursor this API did not give |
| 400    | `unusable_file`   | an upload refused before reading (size, zip bomb, rows) |
| 400    | `invalid_rows`    | a checked file has errors: row, column, value, message |
| 401    | `unauthorized`    | no credentials, or a token unknown, expired or revoked |
| 403    | `read_only_token` | a read-only token asked to change something |
| 403    | `csrf_failed`     | a session's unsafe request without the CSRF token |
| 404    | `not_found`       | no such object, or one outside the caller's access |
| 409    | `conflict`        | the object's state does not allow it (retry a running job) |
| 409    | `not_finished`    | the job's report is asked before it finished |
| 500    | `server_error`    | a bug: logged with its traceback |

An object outside the caller's access answers 404, like one that does not exist, so the API
never reveals what exists elsewhere.
"""

import logging
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from xiezuo.core.errors import ScopeError, XiezuoError

logger = logging.getLogger("django.request")

NOT_FOUND = "不存在或不在您的权限范围内"


class ApiError(Exception):
    """An answer other than success, with its status, code and message."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra


def error_response(
    api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str, **extra: Any
) -> HttpResponse:
    """Return the JSON answer of an error."""
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


def install(api: NinjaAPI) -> None:
    """Make every error of `api` answer in the one shape."""

    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, error: ApiError) -> HttpResponse:
        return error_response(api, request, error.status, error.code, error.message, **error.extra)

    @api.exception_handler(ScopeError)
    def scope_error(request: HttpRequest, error: ScopeError) -> HttpResponse:
        # Never 403: that would tell the caller the object exists.
        return error_response(api, request, 404, "not_found", NOT_FOUND)

    @api.exception_handler(ObjectDoesNotExist)
    def does_not_exist(request: HttpRequest, error: ObjectDoesNotExist) -> HttpResponse:
        return error_response(api, request, 404, "not_found", NOT_FOUND)

    @api.exception_handler(Http404)
    def http404(request: HttpRequest, error: Http404) -> HttpResponse:
        return error_response(api, request, 404, "not_found", NOT_FOUND)

    @api.exception_handler(AuthenticationError)
    def unauthorized(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
        response = error_response(
            api, request, 401, "unauthorized", "需要登录或有效的接口令牌（Authorization: Bearer …）"
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
        detail = [
            {"loc": [str(part) for part in e.get("loc", ())], "message": str(e.get("msg", ""))}
            for e in error.errors
        ]
        return error_response(api, request, 400, "invalid_request", "请求参数有误", detail=detail)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
        codes = {
            400: "invalid_request",
            401: "unauthorized",
            403: "forbidden",
            404: "not_found",
            405: "method_not_allowed",
        }
        code = codes.get(error.status_code, "error")
        return error_response(api, request, error.status_code, code, str(error))

    @api.exception_handler(XiezuoError)
    def xiezuo_error(request: HttpRequest, error: XiezuoError) -> HttpResponse:
        return error_response(api, request, 400, "invalid_request", error.message)

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, error: Exception) -> HttpResponse:
        logger.error("API error on %s", request.path, exc_info=error)
        return error_response(api, request, 500, "server_error", "服务器内部错误，已记录")
