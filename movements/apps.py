from django.apps import AppConfig


class MovementsConfig(AppConfig):
    name = "movements"

    def ready(self) -> None:
        from . import privacy, subscribers  # noqa: F401  (event subscribers and data export sections)
