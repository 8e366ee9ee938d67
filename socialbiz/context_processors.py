import functools

from django.conf import settings
from django.urls import get_script_prefix, reverse

# The links every page's header and user menu show, without arguments: the same for every request under one
# script prefix, so reversed once per process instead of by 13 `{% url %}` tags per page (each ~80 µs on the
# benchmark machine, docs/benchmarks.md). In templates: {{ nav.people_privacy }} for "people:privacy".
NAV_URL_NAMES = (
    "home",
    "feedback:moderation",
    "admin:index",
    "people_directory",
    "organisation",
    "people:avatar_settings",
    "people:locale_settings",
    "people:switch_language",
    "people:privacy",
    "nudges:list",
    "nudges:bell",
    "nudges:preferences",
    "account_change_password",
    "account_logout",
    "api_tokens:list",
    "integrations:feeds",
)


@functools.cache
def nav_urls(script_prefix: str) -> dict[str, str]:
    return {name.replace(":", "_"): reverse(name) for name in NAV_URL_NAMES}


def site(request):
    return {"SITE_NAME": settings.SITE_NAME, "nav": nav_urls(get_script_prefix())}
