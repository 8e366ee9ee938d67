from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The pages that bring every app together (the home page); nothing below imports it."""

    name = "portal"
