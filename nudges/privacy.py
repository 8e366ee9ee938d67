"""The nudges' section of a person's data export (people/privacy.py)."""

from people.privacy import export_section, iso

from .models import Nudge


@export_section("notifications", order=95)
def notifications(person) -> list[dict]:
    rows = Nudge.objects.filter(recipient=person).order_by("pk").values("kind", "created_at", "sent_at", "read_at")
    return [{k: (iso(v) if hasattr(v, "isoformat") else v) for k, v in row.items()} for row in rows]
