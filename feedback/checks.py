from django.conf import settings
from django.core.checks import Error, register

from socialbiz.ratelimit import parse_rate

# Every per-person limit of socialbiz/ratelimit.py, read from the settings.
RATE_SETTINGS = (
    "FEEDBACK_POST_RATE_LIMIT",
    "COMMENT_RATE_LIMIT",
    "UPDATE_RATE_LIMIT",
    "VOTE_RATE_LIMIT",
    "FOLLOW_RATE_LIMIT",
    "INVITE_RATE_LIMIT",
)


@register()
def feedback_rate_limit_is_readable(app_configs, **kwargs) -> list[Error]:
    """A typo in a rate setting should stop the start-up, not turn every post into a 500."""
    errors = []
    for name in RATE_SETTINGS:
        try:
            parse_rate(getattr(settings, name))
        except ValueError as exc:
            errors.append(Error(f"{name}: {exc}", hint=f"e.g. {name}='5 per 10 minutes'", id="feedback.E001"))
    return errors
