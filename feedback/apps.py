from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"

    def ready(self) -> None:
        from movements import origins  # apps are loaded: registries are filled in ready()

        from . import checks, privacy, subscribers  # noqa: F401  (system check, export sections, event subscribers)

        origins.register("feedback", subscribers.load_visible_post)
