import subprocess
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from feedback.models import Comment, Feedback
from movements.models import Invitation, Membership, Movement
from people.models import AuditAction, AuditEvent, ErasureRequest, User
from tests.factories import (
    DEFAULT_PASSWORD,
    CommentFactory,
    FeedbackFactory,
    MembershipFactory,
    MovementFactory,
    UserFactory,
    VoteFactory,
)

EMAIL = "zed.zebrafish@acme.test"
NAME = "Zed Zebrafish"


def leave_traces():
    """A person who did a bit of everything, and left their name and email in every corner they could."""
    zed = UserFactory(email=EMAIL, display_name=NAME, job_title="Zoologist", location="Zurich", employee_id="Z-1")
    colleague = UserFactory(display_name="Cleo Colleague", email="cleo@acme.test")
    movement = MovementFactory(founder=zed, title="Fishbowl meetings")
    MembershipFactory(movement=movement, person=colleague)
    post = FeedbackFactory(author=zed, title="Standups work")
    CommentFactory(feedback=post, author=colleague, body="Agreed")
    CommentFactory(feedback=FeedbackFactory(author=colleague), author=zed, body="Me too, says Zed")
    VoteFactory(feedback=post, person=colleague)
    anonymous = FeedbackFactory(author=None, is_anonymous=True, title="Anonymous", body="untouched body")
    Invitation.objects.create(movement=movement, inviter=colleague, email=EMAIL, token="invite-zed")
    SocialAccount.objects.create(
        user=zed, provider="acme", uid="zed-sub", extra_data={"userinfo": {"email": EMAIL, "name": NAME}}
    )
    EmailAddress.objects.create(user=zed, email=EMAIL, verified=True, primary=True)
    ErasureRequest.objects.create(person=zed, reason=f"Please forget {NAME}")
    LogEntry.objects.log_actions(
        user_id=colleague.pk, queryset=[zed], action_flag=CHANGE, change_message=f"Changed {EMAIL}", single_object=True
    )
    signed_in = Client()
    assert signed_in.post("/accounts/login/", {"login": EMAIL, "password": DEFAULT_PASSWORD}).status_code == 302
    Client().post("/accounts/login/", {"login": EMAIL, "password": "wrong-password-1"})
    return zed, colleague, movement, post, anonymous, signed_in


def test_erase_person_command_keeps_movements_and_leaves_no_trace_in_a_database_dump(transactional_db):
    zed, colleague, movement, post, anonymous, signed_in = leave_traces()
    out = StringIO()
    call_command("erase_person", EMAIL.upper(), "--yes", stdout=out)
    assert f"Erased person #{zed.pk}" in out.getvalue()

    zed.refresh_from_db()
    assert (zed.name, zed.email, zed.job_title, zed.location, zed.employee_id) == (
        "former colleague",
        f"erased-{zed.pk}@invalid",
        "",
        "",
        None,
    )
    assert not zed.is_active and not zed.has_usable_password()
    # Their movement lives on with its members; their posts stay, credited to "former colleague".
    movement.refresh_from_db()
    assert movement.founder == zed and movement.title == "Fishbowl meetings"
    assert Membership.objects.filter(movement=movement).count() == 2
    assert Feedback.objects.get(pk=post.pk).author == zed
    assert Comment.objects.filter(author=colleague).count() == 1
    assert User.objects.get(pk=colleague.pk).display_name == "Cleo Colleague"
    anonymous_after = Feedback.objects.get(pk=anonymous.pk)
    assert (anonymous_after.author_id, anonymous_after.body, anonymous_after.title) == (
        None,
        "untouched body",
        "Anonymous",
    )
    assert signed_in.get("/").status_code == 302  # their session ended
    assert ErasureRequest.objects.get(person=zed).completed_at is not None
    assert AuditEvent.objects.filter(action=AuditAction.ERASED, target_id=str(zed.pk)).exists()

    settings_dict = connection.settings_dict
    dump = subprocess.run(
        [
            "pg_dump",
            "--data-only",
            "-h",
            settings_dict["HOST"] or "127.0.0.1",
            "-p",
            str(settings_dict["PORT"] or 5432),
            "-U",
            settings_dict["USER"] or "postgres",
            settings_dict["NAME"],
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.lower()
    assert "cleo@acme.test" in dump and "fishbowl meetings" in dump  # the dump is real and has the rest
    for trace in ["zed.zebrafish", "zebrafish", "zed zebra", "zoologist", "zurich", "zed-sub"]:
        assert trace not in dump, trace


def test_erase_person_command_refuses_an_unknown_email(db):
    with pytest.raises(CommandError, match="No person with the email"):
        call_command("erase_person", "nobody@acme.test", "--yes")


def test_admin_erases_from_the_erasure_requests(db, client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    person = UserFactory(display_name="Rhea Requester")
    request = ErasureRequest.objects.create(person=person)
    client.force_login(admin)
    form = {"action": "carry_out_erasure", "_selected_action": [request.pk]}
    confirm = client.post("/admin/people/erasurerequest/", form)
    assert "Rhea Requester" in confirm.content.decode() and "This cannot be undone." in confirm.content.decode()
    person.refresh_from_db()
    assert person.display_name == "Rhea Requester"  # nothing happens before the admin confirms
    response = client.post("/admin/people/erasurerequest/", {**form, "confirm_erasure": "yes"}, follow=True)
    assert "1 person erased." in response.content.decode()
    person.refresh_from_db()
    assert person.name == "former colleague" and not person.is_active
    assert AuditEvent.objects.filter(action=AuditAction.ERASED, actor=admin).exists()


def test_admin_erase_action_on_people_never_erases_the_admin_themself(db, client):
    admin = UserFactory(is_staff=True, is_superuser=True, display_name="Ada Admin")
    person = UserFactory(display_name="Gus Gone")
    client.force_login(admin)
    client.post(
        "/admin/people/user/",
        {"action": "erase_people", "_selected_action": [admin.pk, person.pk], "confirm_erasure": "yes"},
    )
    person.refresh_from_db()
    admin.refresh_from_db()
    assert person.name == "former colleague"
    assert admin.name == "Ada Admin" and admin.is_active


def test_erasing_the_only_lead_flags_the_movement(db, monkeypatch):
    from people.services import person_erase

    flagged = []
    monkeypatch.setattr(
        "nudges.subscribers._ask_members_to_lead",
        lambda movement_id: flagged.append(Movement.objects.get(pk=movement_id)),
    )
    movement = MovementFactory()
    person_erase(person=movement.founder)
    assert flagged == [movement]
    assert Movement.objects.filter(pk=movement.pk).exists()


def test_erase_person_asks_first_and_answering_no_changes_nothing(db, monkeypatch):
    person = UserFactory(display_name="Nora Notyet")
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="Nothing erased"):
        call_command("erase_person", person.email)
    person.refresh_from_db()
    assert person.display_name == "Nora Notyet" and person.is_active
