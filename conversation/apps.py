from django.apps import AppConfig


class ConversationConfig(AppConfig):
    name = "conversation"

    def ready(self) -> None:
        # Event subscribers: who watches what automatically (authors, voters, commenters, members).
        from . import subscribers  # noqa: F401
