from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def email_url_is_set(app_configs, **kwargs) -> list[Error]:
    """In production mail must be sent, never printed to the logs (which keep reset links and tokens)."""
    if settings.DEBUG or getattr(settings, "EMAIL_URL_SET", True):
        return []
    return [
        Error(
            "EMAIL_URL is not set, so no email (password resets, nudges) can be sent.",
            hint="Set EMAIL_URL, e.g. smtp+tls://user:pass@mail.example.com:587.",
            id="people.E001",
        )
    ]
