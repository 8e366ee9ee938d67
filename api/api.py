"""The /api/v1/ application (django-ninja): OpenAPI 3.1 at /api/v1/openapi.json, human docs at /api/v1/docs."""

from __future__ import annotations

from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from ninja import NinjaAPI

from . import problems
from .auth import session_auth, token_auth
from .routes import router

DESCRIPTION = """
The socialbiz API: movements, feedback, your notifications and (for staff) the dashboards' tables.

**Authentication.** Create a personal access token at `/settings/api-tokens/` and send it as
`Authorization: Bearer sbz_…`. A *read* token may only read. Pages of this site may also call the API
with the signed-in session (writes then need the `X-CSRFToken` header).

**Visibility.** You see exactly what the site shows you: anything else answers 404.

**Lists** are paged with cursors: pass `next_cursor` back as `cursor` until it is null.

**Errors** are RFC 9457 problem details (`application/problem+json`).
"""


class SocialbizAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """Error answers are RFC 9457 problem details: document them as application/problem+json."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    if str(status).startswith(("4", "5")) and "application/json" in response.get("content", {}):
                        response["content"] = {problems.PROBLEM_CONTENT_TYPE: response["content"]["application/json"]}
        return schema


api = SocialbizAPI(
    title="socialbiz API",
    version="1",
    description=DESCRIPTION,
    auth=[token_auth, session_auth],
    urls_namespace="api",
)
problems.install(api)
api.add_router("/", router)


READ_ONLY_PAGES = {"openapi-json", "openapi-view", "api-root"}


def urls():
    """The API's URL patterns, each reachable without a session (LoginRequiredMiddleware): the API
    answers 401 with a problem itself."""
    patterns, app_name, namespace = api.urls
    # Anything else under /api/v1/ (an id that is not a number, a slug with odd characters) is a 404
    # problem too, not the site's HTML page; [\s\S], not ".": a path with an encoded line break (%0A) too.
    patterns = [*patterns, re_path(r"^[\s\S]*$", not_found)]
    for pattern in patterns:
        if pattern.name in READ_ONLY_PAGES:  # ninja's schema and docs views would answer any method
            pattern.callback = require_safe(pattern.callback)
        pattern.callback.login_required = False
    return patterns, app_name, namespace


@csrf_exempt  # it changes nothing; without this a POST would get the CSRF failure page instead
def not_found(request):
    return problems.problem(api, request, status=404, detail="No such API endpoint.")
