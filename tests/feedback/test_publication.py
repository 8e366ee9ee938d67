"""The publication queue: an anonymous post waits, unattributed and undated, and goes out in a shuffled batch
once enough people were active and enough time passed; the queue keeps no old row versions."""

import time
from datetime import timedelta

import celery.contrib.testing.tasks  # noqa: F401  (the testing worker expects its ping task registered)
import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.utils import timezone

from activity.models import Activity, Verb
from feedback import publication, services, tasks
from feedback.models import AnonymousBatch, AnonymousQueueEntry, Feedback, Kind, Tag
from socialbiz.celery import app
from tests.factories import UserFactory

QUEUE = AnonymousQueueEntry._meta.db_table


def crowd(size: int, *, at=None) -> list:
    people = [UserFactory() for _ in range(size)]
    for person in people:
        Activity.objects.create(actor=person, verb=Verb.VOTED, created_at=at or timezone.now())
    return people


def enqueue(person, title: str, **extra) -> None:
    publication.anonymous_enqueue(person=person, kind=Kind.DOESNT, title=title, body="b", **extra)


def heap_tuples(table: str) -> list[tuple]:
    """Every row version in the table's pages, live or dead: (xmin, xmax, raw bytes)."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        cursor.execute("SELECT pg_relation_size(%s) / current_setting('block_size')::int", [table])
        pages = cursor.fetchone()[0]
        found = []
        for page in range(pages):
            cursor.execute(
                "SELECT t_xmin, t_xmax, t_data FROM heap_page_items(get_raw_page(%s, %s)) WHERE t_data IS NOT NULL",
                [table, page],
            )
            found += [(int(xmin), int(xmax), bytes(data)) for xmin, xmax, data in cursor.fetchall()]
    return found


def test_posting_anonymously_writes_only_an_undated_queue_row(db, author):
    enqueue(author, "Queued", new_tag_names=["brand-new-topic"])
    entry = AnonymousQueueEntry.objects.get()
    assert entry.title == "Queued" and entry.new_tag_names == ["brand-new-topic"]
    assert {field.name for field in AnonymousQueueEntry._meta.concrete_fields}.isdisjoint(
        {"author", "created_at", "person", "author_id"}
    )
    assert entry.pk.version == 4  # random, not ordered by time
    # No post, no tag row, no activity row yet.
    assert not Feedback.objects.exists() and not Tag.objects.exists() and not Activity.objects.exists()


def test_a_movement_the_person_cannot_see_is_refused_and_nothing_is_queued(db, outsider, limited_movement):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        enqueue(outsider, "Nope", movement=limited_movement)
    assert not AnonymousQueueEntry.objects.exists()


def test_nothing_is_published_until_enough_people_were_active(db, author, settings):
    settings.ANONYMITY_MIN_CROWD = 5
    enqueue(author, "Waiting")
    crowd(4)
    assert publication.anonymous_publish() == 0
    assert AnonymousQueueEntry.objects.count() == 1 and not Feedback.objects.exists()
    crowd(1)
    assert publication.anonymous_publish() == 1
    assert not AnonymousQueueEntry.objects.exists()


def test_nothing_is_published_until_the_minutes_have_passed_since_the_last_batch(db, author, settings):
    settings.ANONYMOUS_PUBLISH_MINUTES = 30
    now = timezone.now()
    AnonymousBatch.objects.create(published_at=now - timedelta(minutes=20))
    enqueue(author, "Waiting")
    crowd(6)
    assert publication.anonymous_publish(now=now) == 0
    assert publication.anonymous_publish(now=now + timedelta(minutes=11)) == 1
    assert AnonymousBatch.objects.latest().published_at == now + timedelta(minutes=11)


def test_people_active_before_the_last_batch_do_not_count_for_the_next(db, author, settings):
    now = timezone.now()
    AnonymousBatch.objects.create(published_at=now - timedelta(minutes=40))
    crowd(5, at=now - timedelta(minutes=50))  # before the last batch
    enqueue(author, "Waiting")
    crowd(4, at=now - timedelta(minutes=5))
    assert publication.anonymous_publish(now=now) == 0


def test_a_batch_publishes_every_queued_post_dated_with_the_publication_day(db, author, other, settings):
    existing = Tag.objects.create(name="meetings", slug="meetings")
    enqueue(author, "First", tags=[existing], new_tag_names=["rituals"])
    enqueue(other, "Second")
    crowd(5)
    now = timezone.now()
    assert publication.anonymous_publish(now=now) == 2
    posts = {post.title: post for post in Feedback.objects.all()}
    assert set(posts) == {"First", "Second"}
    for post in posts.values():
        assert post.is_anonymous and post.author_id is None
        assert post.created_at == services.round_to_day(now)
        assert post.pk >= services.ANONYMOUS_ID_RANGE[0]
    assert sorted(posts["First"].tags.values_list("name", flat=True)) == ["meetings", "rituals"]


def test_the_order_of_a_batch_is_shuffled(db, author, settings):
    orders = set()
    for _attempt in range(6):
        Feedback.objects.all().delete()
        AnonymousBatch.objects.all().delete()
        for n in range(6):
            enqueue(author, f"Post {n}")
        crowd(5)
        publication.anonymous_publish()
        orders.add(tuple(Feedback.objects.order_by("pk").values_list("title", flat=True)))
    assert len(orders) > 1


@pytest.mark.django_db(transaction=True)
def test_the_tick_rewrites_waiting_rows_and_leaves_no_old_version_in_the_pages(author):
    publication.anonymous_queue_vacuum()  # rows of earlier, rolled-back tests
    enqueue(author, "Waiting quietly")
    [(posted_xmin, _xmax, _data)] = heap_tuples(QUEUE)
    assert publication.anonymous_queue_tick() == 0  # nobody else active: nothing published
    versions = heap_tuples(QUEUE)
    # One row version left, written by the tick, not by the posting.
    assert len(versions) == 1 and versions[0][0] != posted_xmin and versions[0][1] == 0
    assert b"Waiting quietly" in versions[0][2]


@pytest.mark.django_db(transaction=True)
def test_after_a_batch_the_queue_table_holds_nothing_not_even_dead_rows(author):
    publication.anonymous_queue_vacuum()  # rows of earlier, rolled-back tests
    enqueue(author, "Soon public")
    crowd(5)
    assert publication.anonymous_queue_tick() == 1
    assert heap_tuples(QUEUE) == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_size(%s)", [QUEUE])
        assert cursor.fetchone()[0] == 0  # VACUUM gave the empty pages back


@pytest.mark.django_db(transaction=True)
def test_the_beat_task_publishes_through_a_real_worker(settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    AnonymousBatch.objects.create(published_at=timezone.now() - timedelta(minutes=45))
    enqueue(UserFactory(), "Through the worker")
    crowd(5)
    assert "feedback.tasks.anonymous_queue_tick" in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        tasks.anonymous_queue_tick.delay()
        tasks.anonymous_queue_tick.delay()  # a second tick right after publishes nothing more
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and AnonymousBatch.objects.count() < 2:
            time.sleep(0.2)
        time.sleep(1)
    assert list(Feedback.objects.values_list("title", flat=True)) == ["Through the worker"]
    assert AnonymousBatch.objects.count() == 2 and not AnonymousQueueEntry.objects.exists()
