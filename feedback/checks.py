from django.conf import settings
from django.core.checks import Error, register

from .ratelimit import parse_rate


@register()
def feedback_rate_limit_is_readable(app_configs, **kwargs) -> list[Error]:
    """A typo in FEEDBACK_POST_RATE_LIMIT should stop the start-up, not turn every post into a 500."""
    try:
        parse_rate(settings.FEEDBACK_POST_RATE_LIMIT)
    except ValueError as exc:
        return [Error(str(exc), hint="e.g. FEEDBACK_POST_RATE_LIMIT='5 per 10 minutes'", id="feedback.E001")]
    return []
