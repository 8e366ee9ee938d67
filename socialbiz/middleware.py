from urllib.parse import urlsplit

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as LibraryCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
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


# Set on a response (django-csp's decorators, SingleSignOnFormActionMiddleware) to change its policy.
_CSP_RESPONSE_OVERRIDES = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)
_csp_policies: dict[bool, str] = {}


@receiver(setting_changed)
def _forget_csp_policies(*, setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY") or setting == "DEBUG":
        _csp_policies.clear()


class CSPMiddleware(LibraryCSPMiddleware):
    """django-csp's middleware, with the site's policy built once instead of twice a request.

    The policy only changes with the settings; django-csp rebuilds it from them (and copies them through
    dataclasses.asdict) for every response, the largest single cost of the middleware chain on a hello
    page. A response that asks for another policy (a decorator, the sign-in pages' form-action), a page
    that used a nonce, DEBUG and excluded prefixes take the library's own path, so the headers are the
    same as before on every response.
    """

    def process_response(self, request, response):
        if (
            settings.DEBUG
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in _CSP_RESPONSE_OVERRIDES)
            or self._excluded_prefixes()
        ):
            return super().process_response(request, response)
        for report_only, header, exempt in (
            (False, HEADER, "_csp_exempt"),
            (True, HEADER_REPORT_ONLY, "_csp_exempt_ro"),
        ):
            policy = _csp_policies.get(report_only)
            if policy is None:
                policy = _csp_policies[report_only] = build_policy(report_only=report_only)
            if policy and header not in response and not getattr(response, exempt, False):
                response[header] = policy
        # As the library: a nonce asked for after the header is written is an error, not a silent miss.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    @staticmethod
    def _excluded_prefixes() -> bool:
        return any(
            (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES")
            for name in ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY")
        )
