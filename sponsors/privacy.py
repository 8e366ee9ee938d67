"""The sponsors' section of a person's data export (people/privacy.py)."""

from people.privacy import export_section, iso

from .models import Sponsorship


@export_section("sponsorships", order=15)
def sponsorships(person) -> list[dict]:
    return [
        {
            "movement": s.movement.title,
            "status": s.status,
            "asked_at": iso(s.created_at),
            "answered_at": iso(s.answered_at),
            "note": s.answer_note,
        }
        for s in Sponsorship.objects.filter(sponsor=person).select_related("movement").order_by("created_at", "pk")
    ]
