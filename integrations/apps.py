from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The subscribers register on the event channel; the tasks register with Celery in every process
        # (the web process publishes them by name).
        from . import privacy, subscribers, tasks  # noqa: F401
