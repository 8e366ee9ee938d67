from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount

from people.models import AuditAction, AuditEvent, User

from .conftest import sso_sign_in, start_sign_in

pytestmark = pytest.mark.django_db

ALICE = {"email": "alice@acme.test", "email_verified": True, "name": "Alice Able",
         "department": "Engineering/Platform", "job_title": "Platform engineer"}


def test_first_sign_in_creates_the_person_from_the_claims(client, sso):
    sso.set_accounts({"alice-sub": ALICE})
    response = sso_sign_in(client, sso, "alice-sub")
    assert response.status_code == 302 and response["Location"] == "/"
    person = User.objects.get(email="alice@acme.test")
    assert (person.display_name, person.job_title) == ("Alice Able", "Platform engineer")
    assert person.department.name == "Platform" and person.department.parent.name == "Engineering"
    assert not person.has_usable_password()
    assert SocialAccount.objects.get(user=person).uid == "alice-sub"
    assert SocialAccount.objects.get(user=person).provider == "acme"
    assert client.get("/").context["user"] == person
    assert AuditEvent.objects.filter(action=AuditAction.SIGNED_IN, actor=person, detail__method="sso:acme").exists()
