from django.apps import AppConfig


class PilotsConfig(AppConfig):
    name = "pilots"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import lessons, subscribers  # noqa: F401  (the pilots' nudges hang on the event channel; lessons' measures)
