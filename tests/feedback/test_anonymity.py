"""Anonymity for real: a canary person posts anonymously; nothing stored, logged or mailed ties them to the post."""

import logging
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models import ForeignKey
from django.utils import timezone

from activity.models import Activity, Verb
from feedback import services
from feedback.models import Feedback
from people.models import User
from tests import events
from tests.factories import DepartmentFactory, FeedbackFactory, UserFactory

CANARY_PK = 987654321
CANARY_EMAIL = "zebulon.quux-canary.7f3e@example.com"
CANARY_NAME = "Zebulon Quuxcanary"
CANARY_DEPARTMENT = "Canary Department 7f3e"
TITLE = "Our release process hides problems"
# Tables that are the person's own identity: they hold the name and email by design, and nothing about the post.
IDENTITY_TABLES = {
    "people_user",
    "people_user_groups",
    "people_user_user_permissions",
    "account_emailaddress",
    "django_session",
    "people_department",
}


@pytest.fixture
def canary(db):
    return UserFactory(
        pk=CANARY_PK,
        email=CANARY_EMAIL,
        display_name=CANARY_NAME,
        department=DepartmentFactory(name=CANARY_DEPARTMENT),
        employee_id="EMP-CANARY-7f3e",
    )


def dump_every_table() -> dict[str, list[str]]:
    """Every row of every table in the database, as PostgreSQL's text form of the row."""
    rows: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT t::text FROM "{table}" t')  # table names come from the catalogue
            rows[table] = [row[0] for row in cursor.fetchall()]
    return rows


def rows_about(post: Feedback) -> list[tuple[str, object]]:
    """Every model row that points to the post, and the post itself."""
    found: list[tuple[str, object]] = [("feedback", post)]
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if isinstance(field, ForeignKey) and field.related_model is Feedback:
                found += [(model._meta.db_table, row) for row in model.objects.filter(**{field.name: post})]
    return found


def test_anonymous_post_leaves_no_trace_of_its_author_anywhere(client, canary, caplog, mailoutbox, settings):
    caplog.set_level(logging.DEBUG)
    before, after = FeedbackFactory(title="Before"), FeedbackFactory(title="After")
    client.force_login(canary)
    # Named activity right before and right after, so ordering or timestamps could betray the anonymous row.
    client.post(f"/feedback/{before.pk}/vote/")
    response = client.post(
        "/feedback/new/",
        {"kind": "doesnt", "title": TITLE, "body": "It *really* does.", "anonymous": "on", "new_tags": "release"},
    )
    assert response.status_code == 302
    client.post(f"/feedback/{after.pk}/vote/")
    client.get(response["Location"])
    post = Feedback.objects.get(title=TITLE)
    assert not Activity.objects.filter(feedback=post).exists()
    # The hourly task writes the actor-less activity row once the day is over. Every subscriber of the
    # event channel sees exactly what a watcher on every verb sees: no actor, no payload, no person.
    with events.watching() as seen:
        services.anonymous_activity_record(now=timezone.now() + timedelta(days=1))
    [published] = [event for event in seen if event.feedback_id == post.pk]
    assert (published.verb, published.actor_id, published.subject_person_id) == (Verb.POSTED_FEEDBACK, None, None)
    assert published.payload == {} and published.transient == {}

    # 1. The post and every row that points to it: no author, no actor, nothing that is the person.
    for table, row in rows_about(post):
        for field in row._meta.concrete_fields:
            if isinstance(field, ForeignKey) and field.related_model is User:
                assert getattr(row, field.attname) != canary.pk, (table, field.name)
    assert post.author_id is None and post.is_anonymous
    anonymous_activity = Activity.objects.get(feedback=post, verb=Verb.POSTED_FEEDBACK)
    assert anonymous_activity.actor_id is None

    # 2. Time and order: the post and its activity row carry only the day, the activity row was written
    #    after the day (not between the person's votes), and the post's id is not the next in the sequence.
    assert post.created_at == anonymous_activity.created_at
    assert post.created_at.time().isoformat() == "00:00:00"
    votes = list(Activity.objects.filter(actor=canary, verb=Verb.VOTED).order_by("pk"))
    assert len(votes) == 2 and anonymous_activity.created_at < votes[0].created_at
    assert not votes[0].pk < anonymous_activity.pk < votes[1].pk
    assert post.pk >= services.ANONYMOUS_ID_RANGE[0] > after.pk

    # 3. A text dump of every table: the name, email, employee id and department appear only in the
    #    person's own identity rows; the person's id appears nowhere near the post.
    dump = dump_every_table()
    assert "feedback_feedback" in dump and any(TITLE in row for row in dump["feedback_feedback"])
    needles = [CANARY_EMAIL, CANARY_NAME, "EMP-CANARY-7f3e"]
    assert any(CANARY_EMAIL in row and CANARY_NAME in row for row in dump["people_user"])  # the search can find them
    for table, table_rows in dump.items():
        if table in IDENTITY_TABLES:
            continue
        if table == "people_auditevent":
            # The audit log records the person's own sign-in; a row about the post never names them.
            for row in table_rows:
                if f"feedback.feedback,{post.pk}," in row or TITLE in row:
                    assert str(CANARY_PK) not in row and CANARY_NAME.lower() not in row.lower(), row
            continue
        for row in table_rows:
            for needle in needles:
                assert needle.lower() not in row.lower(), (table, row)
            if TITLE in row or f"({post.pk}," in row:
                assert str(CANARY_PK) not in row, (table, row)
    for table in ("feedback_feedback", "feedback_feedback_tags", "feedback_tag"):
        assert all(str(CANARY_PK) not in row for row in dump[table])
    activity_rows_of_post = [row for row in dump["activity_activity"] if f",{post.pk}," in row]
    assert len(activity_rows_of_post) == 1 and str(CANARY_PK) not in activity_rows_of_post[0]

    # 4. The person's session holds nothing about the post.
    for session in Session.objects.all():
        decoded = str(session.get_decoded())
        assert TITLE not in decoded and str(post.pk) not in decoded.replace(str(CANARY_PK), "")

    # 5. Logs and mail: nothing names the person.
    for record in caplog.records:
        text = record.getMessage()
        for needle in needles + [str(CANARY_PK)]:
            assert needle not in text, text
    for message in mailoutbox:
        assert CANARY_EMAIL not in message.to
        assert CANARY_NAME not in message.body


def test_anonymous_post_offers_no_edit_and_shows_no_name(client, canary, other):
    client.force_login(canary)
    client.post("/feedback/new/", {"kind": "works", "title": TITLE, "body": "b", "anonymous": "on"})
    post = Feedback.objects.get()
    for person in (canary, other):
        client.force_login(person)
        body = client.get(f"/feedback/{post.pk}/").content.decode()
        assert CANARY_NAME not in body.replace(f"<span>{CANARY_NAME}</span>", "")  # the header shows who is signed in
        assert "Posted anonymously" in body and "/edit/" not in body
