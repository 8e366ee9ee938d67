"""`manage.py nudges`: list due, stuck and failed nudges; resend one on purpose."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from nudges.models import Kind, Nudge
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("nudges", *args, stdout=out)
    return out.getvalue()


def test_it_lists_due_stuck_and_failed_nudges(settings):
    settings.NUDGES_STUCK_CLAIM_SECONDS = 600
    person = UserFactory(email="pat@example.com")
    now = timezone.now()
    Nudge.objects.create(kind=Kind.WEEKLY_DIGEST, recipient=person, dedupe_key="due-one")
    Nudge.objects.create(
        kind=Kind.OPEN_ROLES, recipient=person, dedupe_key="stuck-one", claimed_at=now - dt.timedelta(hours=1)
    )
    Nudge.objects.create(
        kind=Kind.INVITATION, recipient=person, dedupe_key="failed-one", attempts=3, last_error="SMTPDataError: 451"
    )
    Nudge.objects.create(kind=Kind.INVITATION, recipient=person, dedupe_key="sent-one", sent_at=now)
    Nudge.objects.create(
        kind=Kind.INVITATION, recipient=person, dedupe_key="later-one", due_at=now + dt.timedelta(days=1)
    )

    output = run()

    due, rest = output.split("Due (waiting for a worker): ")[1].split("Stuck (claimed, never finished): ")
    stuck, failed = rest.split("Failed (last attempt failed): ")
    assert due.startswith("2") and "due-one" in due and "failed-one" in due and "later-one" not in due
    assert stuck.startswith("1") and "stuck-one" in stuck and "pat@example.com" in stuck
    assert failed.startswith("1") and "failed-one" in failed and "SMTPDataError: 451" in failed
    assert "sent-one" not in output


def test_it_resends_a_sent_nudge_on_purpose(django_capture_on_commit_callbacks):
    person = UserFactory()
    nudge = Nudge.objects.create(
        kind=Kind.INVITATION,
        recipient=person,
        dedupe_key="again",
        sent_at=timezone.now(),
        emailed_at=timezone.now(),
        attempts=1,
        email=False,
    )
    with django_capture_on_commit_callbacks() as callbacks:
        output = run("--resend", str(nudge.pk))
    assert "is queued to be sent again" in output
    nudge.refresh_from_db()
    assert (nudge.sent_at, nudge.emailed_at, nudge.attempts, nudge.email) == (None, None, 0, True)
    assert len(callbacks) == 1  # handed to the workers after commit


def test_it_says_so_when_the_nudge_does_not_exist():
    with pytest.raises(CommandError, match="No nudge with id 999"):
        run("--resend", "999")
