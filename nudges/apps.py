from django.apps import AppConfig


class NudgesConfig(AppConfig):
    name = "nudges"

    def ready(self) -> None:
        # Event subscribers, data export section, and the tasks (registered with Celery by name, so the
        # outbox can hand rows to them in the web process without importing the module that imports it).
        from . import conversation, privacy, subscribers, tasks  # noqa: F401
