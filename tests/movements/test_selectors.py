from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from movements import selectors, services
from movements.models import Membership, Movement
from movements.services import RoleSpec
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def started(founder):
    with time_machine.travel(START, tick=False):
        return services.movement_start(
            founder=founder, title="Hand built", pitch="P", roles=[RoleSpec("Trainer", 2), RoleSpec("Evangelist", 2)]
        )


def join_at(movement, when, person=None):
    with time_machine.travel(when, tick=False):
        return services.membership_join(movement=movement, person=person or UserFactory())


def test_tipping_point_counts_time_to_the_first_and_the_third_follower(started):
    join_at(started, START + timedelta(days=2))
    join_at(started, START + timedelta(days=3))
    point = selectors.tipping_point(movement=started)
    assert point.first_follower_after == timedelta(days=2)
    assert point.third_follower_after is None
    join_at(started, START + timedelta(days=9, hours=5))
    point = selectors.tipping_point(movement=started)
    assert point.third_follower_after == timedelta(days=9, hours=5)


def test_a_movement_where_only_the_founder_acts_is_a_solo_project(started, founder):
    with time_machine.travel(START + timedelta(days=1), tick=False):
        for _ in range(4):
            services.update_post(movement=started, author=founder, body="Still me")
        share = selectors.ownership_share(movement=started)
    assert (share.activity_total, share.activity_by_others) == (5, 0)  # started + 4 updates
    assert share.others_activity_share == 0
    assert share.label == selectors.SOLO


def test_work_spread_across_others_makes_a_shared_project(started, founder):
    trainer, evangelist = started.roles.order_by("name")
    people = [join_at(started, START + timedelta(days=d)).person for d in (1, 2, 3)]
    with time_machine.travel(START + timedelta(days=4), tick=False):
        services.role_claim(role=evangelist, person=people[0])
        services.role_claim(role=trainer, person=people[1])
        share = selectors.ownership_share(movement=started)
    # founder: started (1); others: 3 joins + 2 claims = 5 of 6
    assert (share.activity_total, share.activity_by_others) == (6, 5)
    assert (share.seats_filled, share.seats_by_others) == (2, 2)
    assert share.label == selectors.SHARED and share.active_leads == 1


def test_founder_holding_most_seats_keeps_it_solo_even_with_busy_followers(started, founder):
    trainer, evangelist = started.roles.order_by("name")
    person = join_at(started, START + timedelta(days=1)).person
    with time_machine.travel(START + timedelta(days=2), tick=False):
        services.role_claim(role=trainer, person=founder)
        services.role_claim(role=evangelist, person=founder)
        services.role_claim(role=trainer, person=person)
        for _ in range(5):
            services.update_post(movement=started, author=person, body="Busy")
        share = selectors.ownership_share(movement=started)
    assert share.others_activity_share > 0.5
    assert share.seats_by_others == 1 and share.seats_filled == 3
    assert share.label == selectors.SOLO


def test_activity_older_than_the_window_does_not_count(started, founder):
    join_at(started, START + timedelta(days=1))
    with time_machine.travel(START + timedelta(days=40), tick=False):
        services.update_post(movement=started, author=founder, body="Back again")
        share = selectors.ownership_share(movement=started)
    assert (share.activity_total, share.activity_by_others) == (1, 0)


def test_needs_a_lead_when_the_only_lead_left_the_company(started, founder):
    assert selectors.movement_needs_lead(movement=started) is False
    founder.is_active = False
    founder.save()
    assert selectors.movement_needs_lead(movement=started) is True
    flagged = Movement.objects.filter(pk=started.pk).with_needs_lead().get()
    assert flagged.needs_lead is True
    assert list(Movement.objects.visible_to(UserFactory(is_staff=True)).needing_a_lead()) == [started]


def test_invitation_chain_shows_who_brought_whom(started, founder):
    first = join_at(started, START + timedelta(days=1)).person
    third = join_at(started, START + timedelta(days=2), person=UserFactory()).person
    Membership.objects.filter(movement=started, person=third).update(recruited_by=first)
    chain, more = selectors.chain_bounded(movement=started)
    assert [n.membership.person for n in chain] == [founder] and more == 0
    assert [n.membership.person for n in chain[0].children] == [first]
    assert [n.membership.person for n in chain[0].children[0].children] == [third]
    assert chain[0].more == chain[0].children[0].more == 0


def test_the_chain_shows_a_few_recruits_per_person_and_counts_the_rest(started, founder):
    joined = [join_at(started, START + timedelta(hours=n + 1), person=UserFactory()).person for n in range(8)]
    chain, _more = selectors.chain_bounded(movement=started, per_node=5)
    assert [n.membership.person for n in chain[0].children] == joined[:5]
    assert chain[0].more == 3


def test_the_chain_stops_at_its_depth_and_says_how_many_are_below(started, founder):
    people = [join_at(started, START + timedelta(hours=n + 1), person=UserFactory()).person for n in range(4)]
    for recruiter, recruit in zip(people, people[1:], strict=False):
        Membership.objects.filter(movement=started, person=recruit).update(recruited_by=recruiter)
    chain, _more = selectors.chain_bounded(movement=started, depth=3)
    third_level = chain[0].children[0].children[0].children[0]
    assert third_level.membership.person == people[2]
    assert third_level.children == [] and third_level.more == 1


def test_the_chain_is_read_from_the_cache_until_the_members_change(started, founder, django_assert_num_queries):
    first = join_at(started, START + timedelta(days=1)).person
    started.refresh_from_db()
    selectors.chain_bounded(movement=started)
    with django_assert_num_queries(1):  # only the members (+ people): the tree comes from the cache
        chain, _more = selectors.chain_bounded(movement=started)
    assert [n.membership.person for n in chain[0].children] == [first]
    # Every change to the members bumps people_version in its transaction, so the next page sees it.
    second = services.membership_join(movement=started, person=UserFactory()).person
    started.refresh_from_db()
    assert [n.membership.person for n in selectors.chain_bounded(movement=started)[0][0].children] == [first, second]
    services.membership_leave(movement=started, person=first)
    started.refresh_from_db()
    assert [n.membership.person for n in selectors.chain_bounded(movement=started)[0][0].children] == [second]


def test_people_who_left_are_not_in_the_chain_and_their_recruits_hang_under_the_founder(started, founder):
    first = join_at(started, START + timedelta(days=1)).person
    second = join_at(started, START + timedelta(days=2), person=UserFactory()).person
    Membership.objects.filter(movement=started, person=second).update(recruited_by=first)
    services.membership_leave(movement=started, person=first)
    chain, _more = selectors.chain_bounded(movement=started)
    assert [n.membership.person for n in chain[0].children] == [second]


def test_browse_filters_by_words_stage_department_and_tool(started, founder, department):
    other = services.movement_start(
        founder=founder, title="Wiki notes", pitch="Write it down", tool="Wiki", department=department
    )
    outsider = UserFactory()
    result = selectors.movement_browse(user=founder, words="wiki")
    assert list(result.page.object_list) == [other]
    assert list(selectors.movement_browse(user=founder, tool="wiki").page.object_list) == [other]
    assert list(selectors.movement_browse(user=founder, department_id=department.pk).page.object_list) == [other]
    assert list(selectors.movement_browse(user=founder, stage="piloting").page.object_list) == []
    assert list(selectors.movement_browse(user=outsider).page.object_list) == [started]
