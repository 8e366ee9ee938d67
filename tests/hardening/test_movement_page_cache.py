"""The movement page's people (founder and first followers, leads, roles, members, chain) and its lower half
(measures and pulses, updates and replies, timeline, sponsors, linked feedback) come from the cache
(movements/views.py, socialbiz/fragments.render_parts, movements/page_parts.py): every write that changes what
they show must show on the next view, whoever made it and however (service or plain UPDATE), and a copy
rendered for one viewer is never shown to another who would see something else."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conversation import services as conversation_services
from conversation.models import Reply
from feedback import services as feedback_services
from feedback.models import Feedback, Kind
from movements import services
from movements.models import StageChange, Update
from movements.services import RoleSpec
from people.models import User
from pilots import pulses
from pilots import services as pilot_services
from pilots.models import Measure, Pulse, Source
from sponsors import services as sponsor_services
from sponsors.models import SupportRequest
from tests.factories import DepartmentFactory, FeedbackFactory, UserFactory

pytestmark = pytest.mark.django_db


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def between(html: str, start: str, end: str) -> str:
    section = html.split(start, 1)[1]
    return section.split(end, 1)[0]


def roles_of(html: str) -> str:
    return between(html, 'id="roles-title"', "</section>")


def members_of(html: str) -> str:
    return between(html, '<table class="members">', "</table>")


def core_of(html: str) -> str:
    return between(html, 'id="core-title"', "</section>")


def chain_of(html: str) -> str:
    return between(html, 'id="chain-title"', "</section>")


def cached_parts() -> int:
    return len(cache.keys("part:movement-people:*"))


@pytest.fixture
def founder():
    return UserFactory(display_name="Fay Founder")


@pytest.fixture
def movement(founder):
    return services.movement_start(founder=founder, title="Bike to work", pitch="P", roles=[RoleSpec("Trainer", 2)])


@pytest.fixture
def viewer():
    return UserFactory(display_name="Vic Viewer")


def page(client: Client, movement) -> str:
    response = client.get(movement.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_the_second_view_reads_the_people_from_the_cache(movement, viewer):
    client = signed_in(viewer)
    first = page(client, movement)
    assert cached_parts() == 1
    second = page(client, movement)
    assert cached_parts() == 1
    assert core_of(first) == core_of(second) and members_of(first) == members_of(second)


def test_joining_and_leaving_show_in_the_members_the_count_and_the_chain(movement, viewer):
    client = signed_in(viewer)
    joiner = UserFactory(display_name="Jo Joiner")
    assert "Jo Joiner" not in page(client, movement)

    services.membership_join(movement=movement, person=joiner, recruited_by=movement.founder)
    html = page(client, movement)
    assert "Jo Joiner" in members_of(html) and "Jo Joiner" in chain_of(html) and "Jo Joiner" in core_of(html)
    assert "2 members" in html

    services.membership_leave(movement=movement, person=joiner)
    html = page(client, movement)
    assert "Jo Joiner" not in members_of(html) and "Jo Joiner" not in chain_of(html)
    assert "1 member<" in html


def test_a_new_lead_and_a_lead_stepping_down_show(movement, founder, viewer):
    member = services.membership_join(movement=movement, person=UserFactory(display_name="Lee Lead"))
    client = signed_in(viewer)
    assert "Lee Lead" not in between(page(client, movement), "<h3>Leads</h3>", "</ul>")

    services.lead_add(movement=movement, actor=founder, membership=member)
    html = page(client, movement)
    assert "Lee Lead" in between(html, "<h3>Leads</h3>", "</ul>")
    assert re.search(r"Lee Lead.*?<span class=\"badge\">lead</span>", members_of(html), re.S)

    services.lead_step_down(movement=movement, person=member.person)
    assert "Lee Lead" not in between(page(client, movement), "<h3>Leads</h3>", "</ul>")


def test_every_role_change_shows(movement, founder, viewer):
    client = signed_in(viewer)
    assert "Trainer" in roles_of(page(client, movement))

    role = services.role_create(movement=movement, actor=founder, name="Mapper", seats=1, description="Draws maps")
    html = roles_of(page(client, movement))
    assert "Mapper" in html and "Draws maps" in html

    role = services.role_update(role=role, actor=founder, name="Cartographer", seats=3, description="Draws maps")
    html = roles_of(page(client, movement))
    assert "Cartographer" in html and "Mapper" not in html and "0 of 3 seats taken" in html

    holder = services.membership_join(movement=movement, person=UserFactory(display_name="Hal Holder")).person
    services.role_claim(role=role, person=holder)
    html = page(client, movement)
    assert "1 of 3 seats taken: Hal Holder" in roles_of(html)
    assert re.search(r"Hal Holder.*?Cartographer", members_of(html), re.S)

    services.role_release(role=role, person=holder, actor=holder)
    assert "0 of 3 seats taken" in roles_of(page(client, movement))

    services.role_delete(role=role, actor=founder)
    assert "Cartographer" not in roles_of(page(client, movement))


def test_a_rename_a_new_picture_and_a_deactivation_show_without_any_movement_write(movement, founder, viewer):
    client = signed_in(viewer)
    assert "Fay Founder" in core_of(page(client, movement))

    # Plain UPDATEs: nothing tells the movement (the people shown are read fresh for the key).
    User.objects.filter(pk=founder.pk).update(display_name="Fay Renamed")
    html = page(client, movement)
    assert "Fay Renamed" in core_of(html) and "Fay Renamed" in members_of(html) and "Fay Founder" not in html

    User.objects.filter(pk=founder.pk).update(avatar_version=3)
    assert reverse("people:avatar", kwargs={"pk": founder.pk, "version": 3}) in core_of(page(client, movement))

    User.objects.filter(pk=founder.pk).update(is_active=False)
    assert "left the company" in members_of(page(client, movement))


def test_the_seat_holders_name_follows_a_rename(movement, founder, viewer):
    role = movement.roles.get()
    holder = services.membership_join(movement=movement, person=UserFactory(display_name="Hal Holder")).person
    services.role_claim(role=role, person=holder)
    client = signed_in(viewer)
    assert "Hal Holder" in roles_of(page(client, movement))
    User.objects.filter(pk=holder.pk).update(display_name="Hal Renamed")
    assert "Hal Renamed" in roles_of(page(client, movement))


def test_each_viewer_sees_their_own_buttons_from_a_shared_cache(movement, founder, viewer):
    role = movement.roles.get()
    member = services.membership_join(movement=movement, person=UserFactory()).person
    holder = services.membership_join(movement=movement, person=UserFactory()).person
    services.role_claim(role=role, person=holder)

    outsider_html = page(signed_in(viewer), movement)
    member_html = page(signed_in(member), movement)
    holder_html = page(signed_in(holder), movement)
    lead_html = page(signed_in(founder), movement)

    assert "Follow the movement to claim a seat." in roles_of(outsider_html) and "Claim" not in roles_of(outsider_html)
    assert "Claim Trainer" in roles_of(member_html) and "Release my seat" not in roles_of(member_html)
    assert "Release my seat as Trainer" in roles_of(holder_html)
    assert "co-lead" in members_of(lead_html) and "co-lead" not in members_of(member_html)
    # Each viewer's forms carry their own CSRF token, never the placeholder or someone else's.
    assert "csrf-token-of-the-viewer" not in member_html + lead_html
    # Seen again by the outsider after the others: still the outsider's page.
    assert "Claim" not in roles_of(page(signed_in(viewer), movement))


def test_the_empty_first_follower_seat_speaks_to_members_and_others_differently(founder, movement, viewer):
    assert "Follow to be the first follower" in core_of(page(signed_in(viewer), movement))
    assert "invite your first follower" in core_of(page(signed_in(founder), movement))


def test_language_and_time_zone_are_part_of_the_key(movement, viewer):
    services.membership_join(movement=movement, person=viewer)
    movement.memberships.filter(person=viewer).update(joined_at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
    services.movement_recount(movement=movement)  # a change outside the services: a new people_version
    client = signed_in(viewer)
    english = page(client, movement)
    assert "Trainer" in roles_of(english) and 'datetime="2026-03-01T23:30' in members_of(english)

    User.objects.filter(pk=viewer.pk).update(language="de", time_zone="Europe/Berlin")
    german = page(client, movement)
    assert "Founder and first followers" not in german  # the core section in German
    assert 'datetime="2026-03-02T00:30:00+0100"' in members_of(german)

    User.objects.filter(pk=viewer.pk).update(language="en", time_zone="UTC")
    assert core_of(page(client, movement)) == core_of(english)


def test_an_outsider_still_gets_404_for_a_department_movement_whose_page_is_cached():
    team = DepartmentFactory(name="Finance")
    founder = UserFactory(department=team)
    movement = services.movement_start(founder=founder, title="Finance only", pitch="P", department=team)
    colleague = UserFactory(department=team)
    assert signed_in(colleague).get(movement.get_absolute_url()).status_code == 200
    assert cached_parts() == 1
    assert signed_in(UserFactory()).get(movement.get_absolute_url()).status_code == 404


# --- the lower half (movements/page_parts.py) ------------------------------------------------------------


def without_tokens(html: str) -> str:
    """Django masks the CSRF token anew for every page."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def lower_parts_cached() -> int:
    return len(cache.keys("part:movement-lower:*"))


def updates_of(html: str) -> str:
    return between(html, 'id="updates-title"', '<section aria-labelledby="chain-title">')


def timeline_of(html: str) -> str:
    return between(html, '<ol class="timeline">', "</ol>")


def sponsors_of(html: str) -> str:
    return between(html, 'id="sponsors-title"', "</section>")


def linked_feedback_of(html: str) -> str:
    return between(html, 'id="feedback-title"', "</section>")


def pilot_of(html: str) -> str:
    return between(html, '</dl>\n      <p class="helptext">', 'id="updates-title"')


def test_the_second_view_reads_the_lower_half_from_the_cache(movement, founder, viewer):
    services.update_post(movement=movement, author=founder, body="First ride done")
    with time_machine.travel(timezone.now(), tick=False):
        client = signed_in(viewer)
        first = page(client, movement)
        assert lower_parts_cached() == 1
        second = page(client, movement)
        assert lower_parts_cached() == 1
    assert without_tokens(updates_of(first)) == without_tokens(updates_of(second))
    assert "First ride done" in updates_of(first)


def test_updates_show_when_posted_edited_changed_in_the_database_and_deleted(movement, founder, viewer):
    client = signed_in(viewer)
    assert "No updates yet." in updates_of(page(client, movement))

    update = services.update_post(movement=movement, author=founder, body="First ride done")
    assert "First ride done" in updates_of(page(client, movement))

    services.update_edit(update=update, person=founder, body="First ride: 12 km")
    html = updates_of(page(client, movement))
    assert "First ride: 12 km" in html and "edited" in html

    Update.objects.filter(pk=update.pk).update(body="Changed in the database")
    assert "Changed in the database" in updates_of(page(client, movement))

    Update.objects.filter(pk=update.pk).delete()
    assert "Changed in the database" not in page(client, movement)


def test_a_rename_shows_in_the_updates_without_any_movement_write(movement, founder, viewer):
    services.update_post(movement=movement, author=founder, body="Hello")
    client = signed_in(viewer)
    assert "Fay Founder" in updates_of(page(client, movement))
    User.objects.filter(pk=founder.pk).update(display_name="Fay Renamed")
    assert "Fay Renamed" in updates_of(page(client, movement))


def test_replies_show_and_a_hidden_one_only_to_moderators(movement, founder, viewer):
    update = services.update_post(movement=movement, author=founder, body="Hello")
    client = signed_in(viewer)
    page(client, movement)
    reply = conversation_services.reply_add(update=update, author=founder, body="Nice work")
    assert "Nice work" in updates_of(page(client, movement))

    Reply.objects.filter(pk=reply.pk).update(hidden_at=timezone.now())
    assert "Nice work" not in page(client, movement)
    moderator_html = updates_of(page(signed_in(UserFactory(is_moderator=True)), movement))
    assert "Nice work" in moderator_html and "Restore" in moderator_html

    Reply.objects.filter(pk=reply.pk).update(body="Said again", hidden_at=None)
    assert "Said again" in updates_of(page(client, movement))


def test_authors_alone_see_their_edit_and_delete_links_from_a_shared_copy(movement, founder, viewer):
    services.membership_join(movement=movement, person=viewer)
    other = services.membership_join(movement=movement, person=UserFactory()).person
    update = services.update_post(movement=movement, author=founder, body="Hello")
    conversation_services.reply_add(update=update, author=viewer, body="Hi back")
    with time_machine.travel(timezone.now(), tick=False):
        other_html = updates_of(page(signed_in(other), movement))
        founder_html = updates_of(page(signed_in(founder), movement))
        viewer_html = updates_of(page(signed_in(viewer), movement))
        outsider_html = updates_of(page(signed_in(UserFactory()), movement))
        again_html = updates_of(page(signed_in(other), movement))
    assert "your update" in founder_html and "your update" not in viewer_html + other_html + outsider_html
    assert "your reply" in viewer_html and "your reply" not in founder_html + other_html + outsider_html
    assert "Post update" in other_html and "Post update" not in outsider_html
    # The update form's one-time key is new with every view, and every form has the viewer's CSRF token.
    keys = re.findall(r'name="idempotency_key" value="([^"]+)"', other_html + again_html + founder_html)
    assert len(keys) == 3 and len(set(keys)) == 3
    assert "csrf-token-of-the-viewer" not in other_html + founder_html + viewer_html


def test_relative_times_stay_exact_with_nothing_written(movement, founder, viewer):
    posted = timezone.now()
    with time_machine.travel(posted, tick=False):
        services.update_post(movement=movement, author=founder, body="Hello")
    client = signed_in(viewer)
    with time_machine.travel(posted + timedelta(seconds=30), tick=False):
        assert "30\xa0seconds ago" in updates_of(page(client, movement))
    with time_machine.travel(posted + timedelta(seconds=50), tick=False):
        assert "50\xa0seconds ago" in updates_of(page(client, movement))
    with time_machine.travel(posted + timedelta(minutes=5, seconds=10), tick=False):
        assert "5\xa0minutes ago" in updates_of(page(client, movement))


def test_stage_changes_show_in_the_timeline(movement, founder, viewer):
    client = signed_in(viewer)
    assert "Started the movement." in timeline_of(page(client, movement))
    today = timezone.localdate()
    services.pilot_start(
        movement=movement,
        actor=founder,
        hypothesis="Fewer cars",
        success_measure="Bikes in the racks",
        start=today,
        end=today + timedelta(days=30),
        rationale="We are ready",
    )
    html = page(client, movement)
    assert "We are ready" in timeline_of(html) and "Fewer cars" in html

    StageChange.objects.filter(movement=movement, rationale="We are ready").update(rationale="Said in the database")
    assert "Said in the database" in timeline_of(page(client, movement))


def test_sponsors_sanctions_and_requests_for_help_show_to_each_as_they_should(movement, founder, viewer):
    boss = UserFactory(display_name="Bo Boss")
    client = signed_in(viewer)
    assert "No sponsor yet." in sponsors_of(page(client, movement))

    sponsorship = sponsor_services.sponsorship_request(movement=movement, lead=founder, sponsor=boss)
    assert "sponsor this movement: answer" in sponsors_of(page(signed_in(boss), movement))
    assert "Asked, no answer yet: Bo Boss" in sponsors_of(page(signed_in(founder), movement))
    viewer_html = sponsors_of(page(client, movement))
    assert "No sponsor yet." in viewer_html and "Bo Boss" not in viewer_html and "answer" not in viewer_html

    sponsor_services.sponsorship_answer(sponsorship=sponsorship, person=boss, accept=True, note="Worth it")
    assert "Worth it" in sponsors_of(page(client, movement))
    assert "Mark it officially sanctioned" in sponsors_of(page(signed_in(boss), movement))
    assert "Mark it officially sanctioned" not in sponsors_of(page(client, movement))

    sponsor_services.sanction_grant(movement=movement, sponsor=boss, note="Go ahead")
    assert "Officially sanctioned" in sponsors_of(page(client, movement))

    support = sponsor_services.support_request_create(
        movement=movement,
        lead=founder,
        kind=SupportRequest._meta.get_field("kind").choices[0][0],
        what="Bike racks",
        needed_by=timezone.localdate() + timedelta(days=10),
        why="Nowhere to park",
    )
    html = page(client, movement)
    assert "Bike racks" in sponsors_of(html) and "Bike racks" in timeline_of(html)
    SupportRequest.objects.filter(pk=support.pk).update(what="Bike sheds")
    html = page(client, movement)
    assert "Bike sheds" in sponsors_of(html) and "Bike racks" not in html

    # A TRUNCATE names no rows: every movement's lower half is rendered again.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's transaction: no foreign key check waits
        cursor.execute("TRUNCATE sponsors_supportrequest")
    assert "Bike sheds" not in page(client, movement)


def test_linked_feedback_shows_new_posts_votes_and_hiding(movement, viewer):
    client = signed_in(viewer)
    assert "Racks help" not in linked_feedback_of(page(client, movement))
    post = FeedbackFactory(movement=movement, kind=Kind.WORKS, title="Racks help")
    assert "Racks help" in linked_feedback_of(page(client, movement))

    feedback_services.vote_set(feedback=post, person=UserFactory(), voted=True)
    assert "1 me too" in linked_feedback_of(page(client, movement))
    Feedback.objects.filter(pk=post.pk).update(vote_count=7)
    assert "7 me too" in linked_feedback_of(page(client, movement))

    Feedback.objects.filter(pk=post.pk).update(hidden_at=timezone.now())
    assert "Racks help" not in linked_feedback_of(page(client, movement))
    assert "Racks help" in linked_feedback_of(page(signed_in(UserFactory(is_moderator=True)), movement))


def test_measures_and_their_values_show(movement, founder, viewer):
    today = timezone.localdate()
    services.pilot_start(
        movement=movement,
        actor=founder,
        hypothesis="Fewer cars",
        success_measure="Bikes in the racks",
        start=today - timedelta(days=3),
        end=today + timedelta(days=30),
        rationale="Go",
    )
    client = signed_in(viewer)
    page(client, movement)
    measure = pilot_services.measure_define(
        movement=movement,
        actor=founder,
        name="Bikes parked",
        direction=Measure._meta.get_field("direction").choices[0][0],
        baseline=Decimal(1),
        target=Decimal(50),
        source=Source.BY_HAND,
        unit="bikes",
    )
    html = page(client, movement)
    assert "Bikes parked" in html and "No value recorded yet." in html

    pilot_services.measure_value_record(measure=measure, actor=founder, measured_on=today, value=Decimal(17))
    assert "No value recorded yet." not in page(client, movement)

    Measure.objects.filter(pk=measure.pk).update(name="Bikes in racks")
    assert "Bikes in racks" in page(client, movement)


def test_the_open_pulse_reads_answered_only_for_who_answered(movement, founder, viewer):
    services.membership_join(movement=movement, person=viewer)
    other = services.membership_join(movement=movement, person=UserFactory()).person
    today = timezone.now().date()
    pulse = Pulse.objects.create(movement=movement, number=1, opens_on=today, closes_on=today + timedelta(days=7))
    Pulse.objects.filter(pk=pulse.pk).update(questions=["Easier?"])
    # The pulse box shows while the pilot runs.
    type(movement).objects.filter(pk=movement.pk).update(
        stage="piloting", pilot_start=today, pilot_end=today + timedelta(days=30), hypothesis="H"
    )
    assert "Answer the pulse" in page(signed_in(viewer), movement)
    pulses.pulse_answer(pulse=pulse, person=viewer, scores=[4])
    assert "You have answered it." in page(signed_in(viewer), movement)
    other_html = page(signed_in(other), movement)
    assert "Answer the pulse" in other_html and "You have answered it." not in other_html


def test_an_outsider_gets_404_for_a_department_movement_whose_lower_half_is_cached():
    team = DepartmentFactory(name="Finance")
    founder = UserFactory(department=team)
    movement = services.movement_start(founder=founder, title="Finance only", pitch="P", department=team)
    services.update_post(movement=movement, author=founder, body="Budget talk")
    colleague = UserFactory(department=team)
    assert "Budget talk" in page(signed_in(colleague), movement)
    assert lower_parts_cached() == 1
    outsider = UserFactory()
    response = signed_in(outsider).get(movement.get_absolute_url())
    assert response.status_code == 404 and b"Budget talk" not in response.content


def test_every_listed_table_bumps_the_movements_version(movement, founder):
    """The triggers of movements/migrations/0012: a write to a row of a movement's lower half, by any means,
    bumps that movement's version and no other's."""
    from socialbiz import versions

    other = services.movement_start(founder=founder, title="Other", pitch="P")
    names = (f"movement:{movement.pk}", f"movement:{other.pk}")

    def bumped(write) -> bool:
        before = versions.read(*names)
        write()
        after = versions.read(*names)
        assert after[names[1]] == before[names[1]], "another movement's version moved"
        return after[names[0]] > before[names[0]]

    update = services.update_post(movement=movement, author=founder, body="x")
    assert bumped(lambda: Update.objects.filter(pk=update.pk).update(body="y"))
    assert bumped(lambda: update.welcomed.add(UserFactory()))
    assert bumped(lambda: Reply.objects.create(update=update, author=founder, body="r"))
    assert bumped(lambda: FeedbackFactory(movement=movement))
    assert bumped(lambda: Feedback.objects.filter(movement=movement).update(movement=None))
    assert bumped(lambda: movement.roles.update(description="d"))
    assert bumped(lambda: Update.objects.filter(pk=update.pk).delete())
    assert not bumped(lambda: Update.objects.filter(movement=other).update(body="z"))
