"""The event channel: one event per change, subscribers in the same transaction, all or nothing."""

import pytest
from django.db import transaction

from activity import events as channel
from activity.models import Activity, Verb
from movements import services
from movements.models import Membership
from nudges.models import Kind, Nudge
from tests import events
from tests.factories import MovementFactory, UserFactory

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def test_a_failing_subscriber_rolls_the_whole_change_back():
    movement = MovementFactory()
    person = UserFactory()

    def explode(event):
        raise Boom(event.verb)

    channel.subscribe(Verb.JOINED)(explode)
    try:
        with pytest.raises(Boom):
            services.membership_join(movement=movement, person=person)
    finally:
        channel._subscribers[Verb.JOINED].remove(explode)
    assert not Membership.objects.filter(movement=movement, person=person).exists()
    assert not Activity.objects.filter(movement=movement, verb=Verb.JOINED).exists()
    assert not Nudge.objects.filter(kind=Kind.FIRST_FOLLOWER_WELCOME, recipient=person).exists()
    movement.refresh_from_db()
    assert movement.follower_count == 0


def test_a_change_records_exactly_one_event_and_subscribers_see_it_inside_the_transaction():
    movement = MovementFactory()
    person = UserFactory()
    inside = []
    with events.watching() as seen:
        channel.subscribe(Verb.JOINED)(lambda event: inside.append(transaction.get_connection().in_atomic_block))
        try:
            services.membership_join(movement=movement, person=person)
        finally:
            channel._subscribers[Verb.JOINED].pop()
    assert [(e.verb, e.actor_id) for e in seen] == [(Verb.JOINED, person.pk)]
    assert seen[0].payload == {"membership_id": Membership.objects.get(movement=movement, person=person).pk}
    assert inside == [True]
    # The nudges' subscriber wrote its outbox row in the same transaction.
    assert Nudge.objects.filter(kind=Kind.FIRST_FOLLOWER_WELCOME, recipient=person).exists()


def test_recording_an_event_outside_a_transaction_is_refused(transactional_db):
    with pytest.raises(RuntimeError, match="inside the service's transaction"):
        channel.event_record(verb=Verb.VOTED, actor=UserFactory())
    assert not Activity.objects.exists()


def test_subscribing_to_a_verb_that_does_not_exist_is_refused():
    with pytest.raises(ValueError, match="unknown verb"):
        channel.subscribe("joinned")(lambda event: None)
