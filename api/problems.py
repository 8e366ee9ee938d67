"""RFC 9457 problem details for every error the API gives: `application/problem+json` with type, title,
status and detail (and the field errors for invalid input). Nothing an API client sends gets a 500."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError

log = logging.getLogger(__name__)
PROBLEM_CONTENT_TYPE = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Content too large",
    422: "Invalid input",
    429: "Too many requests",
    500: "Server error",
    503: "Service unavailable",
}


def problem(api: NinjaAPI, request: HttpRequest, *, status: int, detail: str, errors=None, **extra) -> HttpResponse:
    body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status, "detail": detail}
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM_CONTENT_TYPE
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def _messages(error: ValidationError) -> dict[str, list[str]] | list[str]:
    if hasattr(error, "error_dict"):
        return {field: [str(m) for e in errors for m in e.messages] for field, errors in error.error_dict.items()}
    return [str(m) for m in error.messages]


def _schema_errors(errors: list[dict]) -> list[dict]:
    """Pydantic's errors without the input echoed back (it may be huge, or not JSON at all)."""
    return [
        {"loc": [str(part) for part in e.get("loc", [])], "msg": str(e.get("msg", "")), "type": e.get("type", "")}
        for e in errors
    ]


def install(api: NinjaAPI) -> None:
    @api.exception_handler(SchemaValidationError)
    def invalid_input(request, exc):
        return problem(
            api, request, status=422, detail="The request does not match the schema.", errors=_schema_errors(exc.errors)
        )

    @api.exception_handler(ValidationError)
    def refused(request, exc):
        messages = _messages(exc)
        first = next(iter(messages.values()))[0] if isinstance(messages, dict) else messages[0]
        return problem(api, request, status=422, detail=first, errors=messages)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return problem(
            api, request, status=401, detail="Send a personal access token (Authorization: Bearer …) or sign in."
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        return problem(api, request, status=exc.status_code, detail=str(exc))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return problem(api, request, status=404, detail="Nothing here, or nothing you may see.")

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return problem(api, request, status=403, detail=str(exc) or "You may not do that.")

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        return problem(api, request, status=413, detail="The request body is too large.")

    @api.exception_handler(Exception)
    def server_error(request, exc):
        log.exception("api: unexpected error", extra={"state": exc.__class__.__name__})
        return problem(api, request, status=500, detail="Something went wrong on our side.")
