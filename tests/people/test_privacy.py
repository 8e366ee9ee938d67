import json

import pytest
from django.apps import apps

from movements.models import Invitation, RoleAssignment
from people.models import AuditAction, AuditEvent, ErasureRequest
from tests.factories import (
    CommentFactory,
    FeedbackFactory,
    MembershipFactory,
    MovementFactory,
    RoleFactory,
    UserFactory,
    VoteFactory,
)

pytestmark = pytest.mark.django_db


def _nudge_queries() -> int:
    """The Nudges app is built in parallel: its notifications cost one query once its model exists."""
    try:
        model = apps.get_model("nudges", "Nudge")
    except LookupError:
        return 0
    return int(any(f.name == "recipient" for f in model._meta.concrete_fields))


def give_data(person, n: int) -> None:
    """n of everything the export covers, for `person`, plus the same for someone else."""
    other = UserFactory(display_name="Olga Other", email="olga@example.com")
    for i in range(n):
        movement = MovementFactory(founder=other, title=f"Movement {person.pk}-{i}")
        MembershipFactory(movement=movement, person=person)
        role = RoleFactory(movement=movement, name=f"Role {i}")
        RoleAssignment.objects.create(role=role, person=person)
        Invitation.objects.create(
            movement=movement, inviter=person, email=f"guest{i}@example.com", token=f"t-{person.pk}-{i}"
        )
        Invitation.objects.create(
            movement=movement, inviter=other, invitee=person, token=f"r-{person.pk}-{i}", note="Join us"
        )
        post = FeedbackFactory(author=person, title=f"My post {i}")
        VoteFactory(
            feedback=FeedbackFactory(author=other, title=f"Olga's post {i}", body="Olga's secret words"), person=person
        )
        CommentFactory(feedback=post, author=person, body=f"My comment {i}")
        CommentFactory(feedback=post, author=other, body="Olga's comment")
    FeedbackFactory(author=None, is_anonymous=True, title="Anonymous post", body="nobody knows")


def test_privacy_page_explains_and_offers_download_and_erasure(client, person):
    client.force_login(person)
    page = client.get("/settings/privacy/").content.decode()
    assert "Download all my data (JSON)" in page
    assert "former colleague" in page
    assert "anonymous posts are never touched" in page
    assert 'href="/settings/privacy/"' in page  # the user menu links here


def test_privacy_pages_need_sign_in(client):
    for path in ["/settings/privacy/", "/settings/privacy/my-data.json"]:
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == f"/accounts/login/?next={path}"
    response = client.post("/settings/privacy/erasure/", {"confirm": "on"})
    assert response.status_code == 302
    assert ErasureRequest.objects.count() == 0


def test_privacy_pages_refuse_the_wrong_method(client, person):
    client.force_login(person)
    assert client.post("/settings/privacy/").status_code == 405
    assert client.post("/settings/privacy/my-data.json").status_code == 405
    assert client.get("/settings/privacy/erasure/").status_code == 405


@pytest.mark.parametrize("size", [1, 6])
def test_privacy_page_query_count_does_not_grow(client, person, size, django_assert_num_queries):
    give_data(person, size)
    ErasureRequest.objects.create(person=person)
    client.force_login(person)
    # session (+ person, department: one query), open erasure request
    with django_assert_num_queries(2):
        assert client.get("/settings/privacy/").status_code == 200


@pytest.mark.parametrize("size", [1, 6])
def test_export_query_count_does_not_grow(client, person, size, django_assert_num_queries):
    give_data(person, size)
    client.force_login(person)
    # session (+ person, department: one query), department, memberships, roles, invitations sent, invitations received, updates,
    # sponsorships, feedback, votes, comments, audit events, erasure requests, [notifications], API tokens,
    # chat channel, feed links, audit insert
    with django_assert_num_queries(16 + _nudge_queries()):
        assert client.get("/settings/privacy/my-data.json").status_code == 200


def test_export_holds_my_data_and_nobody_elses(client, person):
    give_data(person, 2)
    stranger = UserFactory(display_name="Sam Stranger", email="sam@example.com")
    FeedbackFactory(author=stranger, title="Sam's post")
    client.force_login(person)
    response = client.get("/settings/privacy/my-data.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="socialbiz-my-data-')
    data = json.loads(response.content)
    assert data["profile"]["email"] == person.email and data["profile"]["display_name"] == person.display_name
    assert [m["movement"] for m in data["memberships"]] == [f"Movement {person.pk}-0", f"Movement {person.pk}-1"]
    assert [r["role"] for r in data["roles"]] == ["Role 0", "Role 1"]
    assert len(data["invitations_sent"]) == 2 and len(data["invitations_received"]) == 2
    assert [f["title"] for f in data["feedback"]] == ["My post 0", "My post 1"]
    assert [v["feedback"] for v in data["votes"]] == ["Olga's post 0", "Olga's post 1"]
    assert [c["body"] for c in data["comments"]] == ["My comment 0", "My comment 1"]
    assert "notifications" in data
    assert data["sponsorships"] == []
    text = response.content.decode()
    for foreign in [
        "Olga Other",
        "olga@example.com",
        "Olga's comment",
        "Olga's secret words",
        "Sam",
        "nobody knows",
        "Anonymous post",
        "guest0@example.com",
    ]:
        assert foreign not in text
    assert AuditEvent.objects.filter(action=AuditAction.DATA_EXPORTED, actor=person).exists()


def test_asking_for_erasure_records_a_request(client, person):
    client.force_login(person)
    response = client.post("/settings/privacy/erasure/", {"reason": "Leaving soon", "confirm": "on"}, follow=True)
    assert "Your request to be erased has been recorded" in response.content.decode()
    assert "You asked to be erased on" in response.content.decode()
    request = ErasureRequest.objects.get(person=person)
    assert request.reason == "Leaving soon" and request.completed_at is None
    person.refresh_from_db()
    assert person.is_active and person.display_name != "former colleague"  # an admin carries it out
    # Asking twice keeps one open request.
    response = client.post("/settings/privacy/erasure/", {"confirm": "on"}, follow=True)
    assert "You have already asked for erasure" in response.content.decode()
    assert ErasureRequest.objects.count() == 1


def test_erasure_request_without_confirmation_shows_the_error_and_records_nothing(client, person):
    client.force_login(person)
    response = client.post("/settings/privacy/erasure/", {"reason": "x"})
    assert response.status_code == 400
    assert "Please tick the box to confirm." in response.content.decode()
    assert 'aria-describedby="confirm-errors"' in response.content.decode()
    assert ErasureRequest.objects.count() == 0
