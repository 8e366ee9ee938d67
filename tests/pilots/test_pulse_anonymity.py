"""The anonymity canary, extended to pulses: a canary member answers a pulse between named actions; then an
operator reads every table and TOAST table page by page (dead rows too), the sequences, Redis, the logs, the
mail and the session, and finds nothing that ties the canary to the answer."""

import datetime as dt
import logging

import pytest
import redis
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models import ForeignKey
from django.test import Client

from movements import services as movement_services
from people.models import User
from pilots import pulses
from pilots.models import Pulse, PulseAnswer, PulseQueuedAnswer, PulseRespondent
from tests.factories import DepartmentFactory, UserFactory
from tests.feedback.test_anonymity import IDENTITY_TABLES, dump_every_heap, heap_tuples, sequences, txid

CANARY_PK = 987654322
CANARY_EMAIL = "yolanda.pulse-canary.9c1d@example.com"
CANARY_NAME = "Yolanda Pulsecanary"
MARKER = "Our standups finally end on time 9c1d"
NOW = dt.datetime(2026, 3, 11, 12, 0, tzinfo=dt.UTC)


@pytest.mark.django_db(transaction=True)
def test_an_operator_cannot_tie_the_canary_to_its_pulse_answer(caplog, mailoutbox, time_machine):
    time_machine.move_to(NOW, tick=False)
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        cursor.execute("VACUUM")
    department = DepartmentFactory(name="Pulse department")
    founder = UserFactory(department=department)
    canary = UserFactory(pk=CANARY_PK, email=CANARY_EMAIL, display_name=CANARY_NAME, department=department)
    movement = movement_services.movement_start(founder=founder, title="Quiet hours", pitch="P")
    crowd = [UserFactory(department=department) for _ in range(settings.ANONYMITY_MIN_CROWD)]
    for person in [canary, *crowd]:
        movement_services.membership_join(movement=movement, person=person)
    movement_services.pilot_start(
        movement=movement,
        actor=founder,
        hypothesis="H",
        success_measure="S",
        start=dt.date(2026, 3, 2),
        end=dt.date(2026, 4, 26),
        rationale="R",
    )
    pulses.pulses_open_due(now=NOW)
    pulse = Pulse.objects.get()
    answer_url = f"/movements/{movement.slug}/pulse/"

    caplog.set_level(logging.DEBUG)  # from here on: the test's own factories log the names they create
    client = Client()
    client.force_login(canary)
    client.get(movement.get_absolute_url())
    for person in crowd[:2]:  # named neighbours before the canary
        pulses.pulse_answer(pulse=pulse, person=person, scores=[3, 3], works="Fine")
    canary_session = client.session.session_key
    session_before = Session.objects.get(session_key=canary_session).session_data
    last_xid_before_answering, sequences_before = txid(), sequences()
    store = redis.Redis.from_url(settings.REDIS_URL)
    redis_before = {key: store.dump(key) for key in store.keys("*")}
    response = client.post(answer_url, {"q0": "5", "q1": "4", "works": MARKER, "doesnt": ""})
    assert response.status_code == 302
    # The answering request used no sequence, wrote nothing to Redis and did not save the session.
    assert sequences() == sequences_before
    assert {key: store.dump(key) for key in store.keys("*")} == redis_before
    assert Session.objects.get(session_key=canary_session).session_data == session_before
    client.get(movement.get_absolute_url())
    for person in crowd[2:]:  # and after
        pulses.pulse_answer(pulse=pulse, person=person, scores=[2, 4])

    # The tick before the batch could go out: the queue is rewritten, so its only row versions are the tick's.
    last_xid_before_tick = txid()
    with pulse_crowd_short_by_one():
        pulses.pulses_tick(now=NOW)
    queue = heap_tuples("pilots_pulsequeuedanswer")
    assert len(queue) == PulseQueuedAnswer.objects.count() == len(crowd) + 1
    assert all(xmin > last_xid_before_tick for xmin, _data in queue)

    last_xid_before_batch = txid()
    assert pulses.pulses_tick(now=NOW) == len(crowd) + 1
    assert PulseRespondent.objects.filter(person=canary).exists()

    # 1. Published answers carry no person and no time; the respondents carry no answer and no time.
    assert not [f for f in PulseAnswer._meta.concrete_fields if isinstance(f, ForeignKey) and f.related_model is User]
    assert {f.name for f in PulseRespondent._meta.concrete_fields} == {"id", "pulse", "person"}
    assert {f.name for f in PulseAnswer._meta.concrete_fields} == {"id", "pulse", "scores", "works", "doesnt"}

    # 2. Every row version, live or dead, that carries the answer was written by the batch: nothing from the
    #    moment of answering is left in any page, and the queue's pages are empty.
    heaps = dump_every_heap()
    carriers = {(table, xmin) for table, rows in heaps.items() for xmin, data in rows if MARKER.encode() in data}
    assert {table for table, _xmin in carriers} == {"pilots_pulseanswer"}
    assert all(xmin > last_xid_before_batch for _table, xmin in carriers), carriers
    assert heaps["pilots_pulsequeuedanswer"] == []

    # 3. The "who answered" set: its rows hold the person and nothing of the answer; none shares a
    #    transaction with a row version that carries an answer.
    answer_xmins = {xmin for xmin, _data in heaps["pilots_pulseanswer"]}
    for xmin, data in heaps["pilots_pulserespondent"]:
        assert MARKER.encode() not in data and xmin not in answer_xmins

    # 4. The canary's session row got no new version after answering.
    later_sessions = [data for xmin, data in heaps["django_session"] if xmin > last_xid_before_answering]
    assert not any(canary_session.encode() in data for data in later_sessions)

    # 5. The name and email appear only in the person's own identity rows (and the sign-in's audit row, which
    #    says nothing of the answer), dead rows included.
    for table, rows in heaps.items():
        if table in IDENTITY_TABLES or table == "people_auditevent":
            continue
        for _xmin, data in rows:
            assert CANARY_EMAIL.encode() not in data and CANARY_NAME.encode() not in data, table

    # 6. Logs and mail: the answering request left no line; nothing carries the answer.
    for record in caplog.records:
        text = record.getMessage() + str(getattr(record, "route", ""))
        assert CANARY_EMAIL not in text and CANARY_NAME not in text and MARKER not in text
        assert not (getattr(record, "method", "") == "POST" and "pulse" in str(getattr(record, "route", "")))
    for message in mailoutbox:
        assert MARKER not in message.body


class pulse_crowd_short_by_one:
    """Raise the crowd for one tick, so that tick rewrites the queue instead of publishing it."""

    def __enter__(self):
        self.before = settings.ANONYMITY_MIN_CROWD
        settings.ANONYMITY_MIN_CROWD = PulseQueuedAnswer.objects.count() + 1

    def __exit__(self, *exc):
        settings.ANONYMITY_MIN_CROWD = self.before
