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
