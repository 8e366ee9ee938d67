from urllib.parse import urlsplit

from django.conf import settings
from django.http import QueryDict
from django.utils.cache import patch_cache_control
from django.utils.datastructures import MultiValueDict


class PrivateNoStoreMiddleware:
    """Pages for a signed-in person (feedback, names, notifications) are never stored by browsers or proxies."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response


class SingleSignOnFormActionMiddleware:
    """Let sign-in forms hand over to the configured OpenID providers.

    Browsers apply the page's `form-action` to the redirect after a form post, so the sign-in pages
    (and only they) allow the providers' origins, read from the settings at each request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith("/accounts/"):
            origins = sorted({_origin(app.get("settings", {}).get("server_url", "")) for app in _oidc_apps()} - {""})
            if origins:
                response._csp_update = {"form-action": origins}
        return response


def _oidc_apps() -> list[dict]:

    return settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS", [])


def _origin(url: str) -> str:

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


# A too-big form post is still read, up to this many times DATA_UPLOAD_MAX_MEMORY_SIZE, so the text comes back.
OVERSIZED_POST_KEEP_FACTOR = 4


class OversizedFormPostMiddleware:
    """Answer a form post over DATA_UPLOAD_MAX_MEMORY_SIZE with its form, the text kept and a clear message.

    Django raises RequestDataTooBig the first time request.POST is read (the CSRF check), which becomes a
    bare 400 page and loses what the person wrote. Placed before CsrfViewMiddleware, this reads the body
    with a bound instead (memory stays limited), parses it, and marks the request: the view's form then
    refuses the over-long field with its own message and base.html says why nothing was saved.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if (
            request.method == "POST"
            and limit is not None
            and request.content_type == "application/x-www-form-urlencoded"
        ):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                _read_bounded(request, length=length, cap=limit * OVERSIZED_POST_KEEP_FACTOR)
        return self.get_response(request)


def _read_bounded(request, *, length: int, cap: int) -> None:
    """Past `cap` the rest is never read: the last field read is cut and those after it are missing, so the
    request says so (form_cut_off: the bytes that arrived) and base.html tells the person plainly. Nothing is
    saved from it because the cut field still holds megabytes, far over any TextField's limit (20,000
    characters are at most 240 KB on the wire); with JavaScript, static/js/forms.js never sends such a form."""
    raw = request.read(min(length, cap))
    if length > cap:
        raw = _without_a_torn_escape(raw)
        request.form_cut_off = len(raw)
    request._body = raw
    post = QueryDict(raw, encoding=request.encoding, mutable=True)
    if length > cap and post:
        # A character whose bytes were torn apart at the cut decodes as U+FFFD: drop it, keep the rest.
        name = list(post.keys())[-1]
        values = post.getlist(name)
        post.setlist(name, [*values[:-1], values[-1].rstrip("\ufffd")])
    post._mutable = False
    request._post = post
    request._files = MultiValueDict()
    request.form_too_big = length


def _without_a_torn_escape(raw: bytes) -> bytes:
    """A cut can fall inside a %XX escape: drop its first one or two bytes rather than decode them as text."""
    tail = raw[-2:]
    if tail.endswith(b"%"):
        return raw[:-1]
    if tail.startswith(b"%"):
        return raw[:-2]
    return raw
