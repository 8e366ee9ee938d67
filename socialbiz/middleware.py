from urllib.parse import urlsplit

from django.conf import settings
from django.utils.cache import patch_cache_control


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
