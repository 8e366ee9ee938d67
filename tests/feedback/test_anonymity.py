"""Anonymity for real: a canary person posts anonymously; nothing stored, logged or mailed ties them to the post."""

import logging
from datetime import timedelta

import pytest
import redis
import time_machine
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models import ForeignKey
from django.test import Client
from django.utils import timezone

from activity.models import Activity, Verb
from feedback import services
from feedback.models import Feedback
from nudges.messages import headline, message_for
from nudges.models import Kind, Nudge
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


def heap_tuples(table: str) -> list[tuple[int, bytes]]:
    """Every row version in a table's pages, live or dead (pageinspect): (xmin, raw tuple bytes)."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_size(%s::regclass) / current_setting('block_size')::int", [table])
        for page in range(cursor.fetchone()[0]):
            cursor.execute(
                "SELECT t_xmin, t_data FROM heap_page_items(get_raw_page(%s, %s)) WHERE t_data IS NOT NULL",
                [table, page],
            )
            found += [(int(xmin), bytes(data)) for xmin, data in cursor.fetchall()]
    return found


def dump_every_heap() -> dict[str, list[tuple[int, bytes]]]:
    """What a database dump plus a look at the data files gives: every table and its TOAST table, dead rows too."""
    heaps: dict[str, list[tuple[int, bytes]]] = {}
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        for table in connection.introspection.table_names():
            heaps[table] = heap_tuples(f'"{table}"')
            cursor.execute(
                "SELECT reltoastrelid::regclass::text FROM pg_class WHERE oid = %s::regclass", [f'"{table}"']
            )
            toast = cursor.fetchone()[0]
            if toast and toast != "-":
                heaps[table] += heap_tuples(toast)
    return heaps


def sequences() -> dict[str, int | None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sequencename, last_value FROM pg_sequences")
        return dict(cursor.fetchall())


def txid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT txid_current()")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_an_operator_with_the_database_redis_logs_and_mail_cannot_narrow_the_author(client, canary, caplog, mailoutbox):
    """The canary posts anonymously between named actions; then an operator reads every table (dead rows
    included, with pageinspect), the sequences, every Redis key and TTL, the logs and the mail."""
    from feedback import publication
    from feedback.models import AnonymousBatch, AnonymousQueueEntry

    caplog.set_level(logging.DEBUG)
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        cursor.execute("VACUUM")  # rows that earlier, rolled-back tests left behind in the pages
    crowd = [UserFactory() for _ in range(settings.ANONYMITY_MIN_CROWD)]
    # The canary mentions a colleague: the colleague is told by "an anonymous colleague", nothing more.
    mentioned = UserFactory(email="mentioned.colleague@example.com", display_name="Mentioned Colleague")
    before, after = FeedbackFactory(title="Before"), FeedbackFactory(title="After")
    start = timezone.now()
    AnonymousBatch.objects.create(published_at=start - timedelta(minutes=1))
    client.force_login(canary)
    client.post(f"/feedback/{before.pk}/vote/")

    # Two minutes later (the last-seen stamp is due), the canary posts anonymously, then goes on.
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        last_xid_before_posting, sequences_before = txid(), sequences()
        canary_session = client.session.session_key
        store = redis.Redis.from_url(settings.REDIS_URL)
        redis_before = {key: store.dump(key) for key in store.keys("*")}
        response = client.post(
            "/feedback/new/",
            {
                "kind": "doesnt",
                "title": TITLE,
                "body": "It *really* does. Ask @mentioned.colleague",
                "anonymous": "on",
                "new_tags": "release",
            },
        )
        assert response.status_code == 302 and response["Location"] == "/feedback/"
        # The posting request used no sequence at all: no id that neighbours the canary's own rows.
        assert sequences() == sequences_before
        assert AnonymousQueueEntry.objects.count() == 1 and not Feedback.objects.filter(title=TITLE).exists()
        # The posting request wrote nothing to Redis: no counter, hashed or not, whose idle time or TTL
        # could date it or whose key someone holding SECRET_KEY could recompute. Its count is in the
        # writer's own browser (a signed cookie).
        assert {key: store.dump(key) for key in store.keys("*")} == redis_before
        assert "socialbiz_anonymous_posts" in response.cookies
        client.get(response["Location"])
        client.post(f"/feedback/{after.pk}/vote/")
        # Redis afterwards: no key names the canary.
        for key in store.keys("*"):
            assert str(CANARY_PK).encode() not in key and CANARY_EMAIL.encode() not in key, key
            value = store.get(key) if store.type(key) == b"string" else b""
            assert CANARY_EMAIL.encode() not in (value or b"") and CANARY_NAME.encode() not in (value or b"")
        assert not store.keys("*ratelimit:feedback-post-anonymous:*")
        for person in crowd:  # other people are active before the batch
            colleague = Client()
            colleague.force_login(person)
            colleague.post(f"/feedback/{after.pk}/vote/")
        last_xid_before_tick = txid()
        publication.anonymous_queue_tick()  # too early to publish: the queue row is rewritten, then vacuumed
        assert AnonymousQueueEntry.objects.count() == 1
        # An operator looking now, before the batch: the waiting row's only version is the tick's.
        queue_versions = heap_tuples("feedback_anonymousqueueentry")
        assert len(queue_versions) == 1 and queue_versions[0][0] > last_xid_before_tick
        assert TITLE.encode() in queue_versions[0][1]

    last_xid_before_batch = txid()
    published = publication.anonymous_queue_tick(now=start + timedelta(minutes=40))
    assert published == 1
    post = Feedback.objects.get(title=TITLE)
    assert not Activity.objects.filter(feedback=post).exists()
    # The hourly task writes the actor-less activity row once the day is over. Every subscriber of the
    # event channel sees exactly what a watcher on every verb sees: no actor, no payload, no person.
    with events.watching() as seen:  # the day after the post's (publication) day, whatever the clock says now
        services.anonymous_activity_record(now=post.created_at + timedelta(days=1, hours=1))
    [recorded] = [event for event in seen if event.feedback_id == post.pk]
    assert (recorded.verb, recorded.actor_id, recorded.subject_person_id) == (Verb.POSTED_FEEDBACK, None, None)
    assert recorded.payload == {} and recorded.transient == {}
    [mention] = Nudge.objects.filter(kind=Kind.MENTIONED)
    assert (mention.recipient_id, mention.subject_person_id, mention.feedback_id) == (mentioned.pk, None, post.pk)
    assert mention.context == {"path": post.get_absolute_url(), "anonymous": True}
    mention.recipient = mentioned
    words = message_for(mention)
    text = " ".join([headline(mention), words.subject, *words.paragraphs])
    assert headline(mention) == f"An anonymous colleague mentioned you in “{TITLE}”."
    assert CANARY_NAME not in text and CANARY_EMAIL not in text and CANARY_DEPARTMENT not in text

    # 1. The post and every row that points to it: no author, no actor, nothing that is the person.
    for table, row in rows_about(post):
        for field in row._meta.concrete_fields:
            if isinstance(field, ForeignKey) and field.related_model is User:
                assert getattr(row, field.attname) != canary.pk, (table, field.name)
    assert post.author_id is None and post.is_anonymous
    assert post.created_at == services.round_to_day(start + timedelta(minutes=40))
    anonymous_activity = Activity.objects.get(feedback=post, verb=Verb.POSTED_FEEDBACK)
    assert anonymous_activity.actor_id is None

    # 2. Every row version, live or dead, that carries the post (its title or its id) was written by the
    #    batch or later (the next day's activity run): nothing from the moment of posting is left in any page.
    heaps = dump_every_heap()
    markers = [TITLE.encode(), post.pk.to_bytes(8, "little")]
    carriers = {
        (table, xmin) for table, rows in heaps.items() for xmin, data in rows if any(m in data for m in markers)
    }
    assert {table for table, _xmin in carriers} >= {"feedback_feedback", "feedback_feedback_tags", "activity_activity"}
    assert all(xmin > last_xid_before_batch for _table, xmin in carriers), (last_xid_before_batch, carriers)
    assert heaps["feedback_anonymousqueueentry"] == []

    # 3. The canary's session row was not written after the post: no new version of it, live or dead.
    assert Session.objects.filter(session_key=canary_session).exists()
    later_sessions = [data for xmin, data in heaps["django_session"] if xmin > last_xid_before_posting]
    assert later_sessions  # the crowd's sign-ins are there: the scan does see new session rows
    assert not any(canary_session.encode() in data for data in later_sessions)

    # 4. Who could have written it: the people active between the two batches, at least ANONYMITY_MIN_CROWD.
    candidates = publication.active_people_count(
        since=start - timedelta(minutes=1), until=start + timedelta(minutes=40)
    )
    assert candidates >= settings.ANONYMITY_MIN_CROWD

    # 5. The name, email and employee id appear only in the person's own identity rows, dead rows included.
    needles = [CANARY_EMAIL.encode(), CANARY_NAME.encode(), b"EMP-CANARY-7f3e"]
    for table, rows in heaps.items():
        if table in IDENTITY_TABLES or table == "people_auditevent":
            continue
        for _xmin, data in rows:
            for needle in needles:
                assert needle not in data, (table, needle)
    for _xmin, data in heaps["people_auditevent"]:
        if any(m in data for m in markers):
            assert CANARY_PK.to_bytes(8, "little") not in data and CANARY_NAME.encode() not in data

    # 6. Logs and mail: nothing names the person, and the posting request left no line at all.
    for record in caplog.records:
        text = record.getMessage() + str(getattr(record, "route", ""))
        for needle in [CANARY_EMAIL, CANARY_NAME, "EMP-CANARY-7f3e", str(CANARY_PK)]:
            assert needle not in text, text
        assert not (getattr(record, "method", "") == "POST" and getattr(record, "route", "") == "feedback/new/")
    for message in mailoutbox:
        assert CANARY_EMAIL not in message.to
        assert CANARY_NAME not in message.body


def test_anonymous_post_offers_no_edit_and_shows_no_name(client, canary, other):
    from feedback import publication

    client.force_login(canary)
    client.post("/feedback/new/", {"kind": "works", "title": TITLE, "body": "b", "anonymous": "on"})
    for _n in range(settings.ANONYMITY_MIN_CROWD):
        client.force_login(UserFactory())  # sign-ins make the crowd
    assert publication.anonymous_publish() == 1
    post = Feedback.objects.get()
    for person in (canary, other):
        client.force_login(person)
        body = client.get(f"/feedback/{post.pk}/").content.decode()
        assert CANARY_NAME not in body.replace(f"<span>{CANARY_NAME}</span>", "")  # the header shows who is signed in
        assert "Posted anonymously" in body and "/edit/" not in body
