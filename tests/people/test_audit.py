import pytest

from activity.events import event_record
from activity.models import Verb
from feedback import services as feedback_services
from people.models import AuditAction, AuditEvent
from people.services import audit_record
from tests.factories import FeedbackFactory, MovementFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_moderating_an_anonymous_post_records_the_moderator_and_never_an_author():
    moderator = UserFactory(is_moderator=True)
    post = FeedbackFactory(author=None, is_anonymous=True, title="Secret gripe about Bob")
    feedback_services.moderation_act(moderator=moderator, action="hide", reason="off topic", feedback=post)
    event = AuditEvent.objects.get(action=AuditAction.MODERATED)
    assert event.actor == moderator
    assert (event.target_type, event.target_id, event.target_repr) == (
        "feedback.feedback",
        str(post.pk),
        f"anonymous feedback #{post.pk}",
    )
    assert "Secret gripe" not in event.target_repr


def test_audit_never_ties_a_writer_to_an_anonymous_post():
    writer = UserFactory()
    post = FeedbackFactory(author=None, is_anonymous=True)
    event = audit_record(action=AuditAction.ROLE_CHANGED, actor=writer, target=post)
    assert event.actor is None
    assert AuditEvent.objects.filter(actor=writer).count() == 0


def test_official_answers_are_audited_as_moderation():
    moderator = UserFactory(is_moderator=True)
    post = FeedbackFactory()
    feedback_services.feedback_answer(feedback=post, person=moderator, status="planned", response="On it")
    event = AuditEvent.objects.get(action=AuditAction.MODERATED)
    assert event.actor == moderator and event.detail == {"action": "answered", "from": "new", "to": "planned"}


def test_lead_and_role_changes_are_audited_from_the_activity_log():
    movement = MovementFactory()
    newcomer = UserFactory()
    event_record(actor=movement.founder, verb=Verb.BECAME_LEAD, movement=movement, subject_person=newcomer)
    event_record(actor=newcomer, verb=Verb.CLAIMED_ROLE, movement=movement)
    event_record(actor=newcomer, verb=Verb.VOTED, movement=movement)
    lead = AuditEvent.objects.get(action=AuditAction.LEAD_CHANGED)
    assert (lead.actor, lead.target_id, lead.detail) == (
        movement.founder,
        str(movement.pk),
        {"verb": "became_lead", "person_id": newcomer.pk},
    )
    role = AuditEvent.objects.get(action=AuditAction.ROLE_CHANGED)
    assert role.actor == newcomer and role.detail["verb"] == "claimed_role"
    assert AuditEvent.objects.count() == 2


def test_admin_changes_are_audited_with_who_and_what(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    person = UserFactory(email="mo@example.com", display_name="Mo")
    client.force_login(admin)
    response = client.post(
        f"/admin/people/user/{person.pk}/change/",
        {
            "email": "mo@example.com",
            "display_name": "Mo",
            "job_title": "",
            "location": "",
            "time_zone": "UTC",
            "employee_id": "",
            "is_active": "on",
            "is_moderator": "on",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    admin_event = AuditEvent.objects.get(action=AuditAction.ADMIN_ACTION)
    assert admin_event.actor == admin and admin_event.detail["model"] == "people.user"
    assert admin_event.detail["object_id"] == str(person.pk) and admin_event.detail["flag"] == "changed"
    role_event = AuditEvent.objects.get(action=AuditAction.ROLE_CHANGED)
    assert role_event.target_id == str(person.pk) and role_event.detail == {"changed": {"is_moderator": [False, True]}}


def test_admins_read_the_audit_log_and_nobody_edits_it(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    event = audit_record(action=AuditAction.SIGNED_IN, actor=admin, target=admin)
    client.force_login(admin)
    listing = client.get("/admin/people/auditevent/")
    assert listing.status_code == 200 and "signed in" in listing.content.decode()
    assert client.get(f"/admin/people/auditevent/{event.pk}/change/").status_code == 200  # read-only view
    assert client.get("/admin/people/auditevent/add/").status_code == 403
    assert client.post(f"/admin/people/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_an_employee_cannot_read_the_audit_log(client, person):
    client.force_login(person)
    response = client.get("/admin/people/auditevent/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_sign_in_is_audited(client, person, password):
    client.post("/accounts/login/", {"login": person.email, "password": password})
    event = AuditEvent.objects.get(action=AuditAction.SIGNED_IN)
    assert event.actor == person and event.detail == {"method": "password"} and event.ip_address == "127.0.0.1"
