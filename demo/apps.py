from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo and large-scale seeders (`manage.py seed_demo`): on top of every app, imported by none."""

    name = "demo"
