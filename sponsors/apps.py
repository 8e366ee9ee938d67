from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SponsorsConfig(AppConfig):
    name = "sponsors"

    def ready(self) -> None:
        # Registries of the movements app, filled in here so movements never imports the apps above it.
        from movements import filters, timeline

        from . import privacy, selectors, subscribers  # noqa: F401  (data export section, event subscribers)

        timeline.register("sponsors", selectors.timeline_entries)
        filters.register("sanctioned", label=_("Officially sanctioned only"), narrow=selectors.sanctioned)
