"""The API's section of a person's data export (people/privacy.py): their tokens, never the secrets."""

from people.privacy import export_section, iso

from .models import PersonalAccessToken


@export_section("api_tokens", order=110)
def api_tokens(person) -> list[dict]:
    return [
        {
            "name": t.name,
            "starts_with": t.prefix,
            "scope": t.scope,
            "created_at": iso(t.created_at),
            "expires_at": iso(t.expires_at),
            "last_used_at": iso(t.last_used_at),
            "revoked_at": iso(t.revoked_at),
        }
        for t in PersonalAccessToken.objects.filter(person=person).order_by("pk")
    ]
