from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"

    def ready(self) -> None:
        from . import privacy, signals  # noqa: F401  (the audit log receivers, event subscribers, export sections)
