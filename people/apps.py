from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"

    def ready(self) -> None:
        # The system checks, the audit log's receivers and event subscribers, the data export's sections.
        from . import checks, privacy, signals  # noqa: F401
