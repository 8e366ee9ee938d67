"""A movement superseded by a better one: its members are invited there (movements/superseding.py)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from activity.models import Activity, Verb
from movements import services
from movements.models import Invitation, Membership, Movement
from movements.superseding import movement_supersede
from nudges.models import Kind as NudgeKind
from nudges.models import Nudge
from tests.factories import DepartmentFactory, MovementFactory, UserFactory


@pytest.fixture
def old(db):
    return MovementFactory(title="Paper agendas")


@pytest.fixture
def better(db):
    return MovementFactory(title="Shared agendas")


def test_superseding_invites_the_members_and_the_lead_follows_the_other(old, better):
    members = [UserFactory() for _ in range(3)]
    for person in members:
        services.membership_join(movement=old, person=person)
    services.membership_join(movement=better, person=members[0])  # follows it already
    invitations = movement_supersede(movement=old, by=better, actor=old.founder)
    old.refresh_from_db()
    assert old.superseded_by == better
    assert Membership.objects.current().filter(movement=better, person=old.founder).exists()
    assert sorted(i.invitee_id for i in invitations) == sorted(p.pk for p in members[1:])
    assert Nudge.objects.filter(kind=NudgeKind.INVITATION, movement=better).count() == 2
    assert Activity.objects.filter(verb=Verb.SUPERSEDED_MOVEMENT, movement=old).count() == 1


def test_a_member_who_cannot_see_a_limited_movement_is_not_invited(old):
    sales = DepartmentFactory(name="Sales")
    lead = old.founder
    lead.department = sales
    lead.save()
    limited = MovementFactory(title="Sales agendas", department=sales, founder=UserFactory(department=sales))
    outsider = UserFactory()
    services.membership_join(movement=old, person=outsider)
    assert movement_supersede(movement=old, by=limited, actor=lead) == []
    assert not Invitation.objects.filter(invitee=outsider).exists()


def test_only_a_lead_may_and_not_into_itself_or_a_chain(old, better):
    member = UserFactory()
    services.membership_join(movement=old, person=member)
    with pytest.raises(PermissionDenied):
        movement_supersede(movement=old, by=better, actor=member)
    with pytest.raises(ValidationError):
        movement_supersede(movement=old, by=old, actor=old.founder)
    Movement.objects.filter(pk=better.pk).update(superseded_by=MovementFactory())
    better.refresh_from_db()
    with pytest.raises(ValidationError):
        movement_supersede(movement=old, by=better, actor=old.founder)
    assert Movement.objects.get(pk=old.pk).superseded_by_id is None


def test_the_page_asks_once_more_then_shows_the_banner(client, old, better):
    client.force_login(old.founder)
    url = reverse("movements:supersede", kwargs={"slug": old.slug})
    assert client.get(url).status_code == 200
    response = client.post(url, {"by": better.get_absolute_url()})
    assert response.status_code == 200 and "Carry it on there" in response.content.decode()
    assert Movement.objects.get(pk=old.pk).superseded_by_id is None
    response = client.post(url, {"by": better.slug, "confirmed": "yes"})
    assert response.status_code == 302
    html = client.get(old.get_absolute_url()).content.decode()
    assert "This movement continues in “Shared agendas”" in html


def test_an_unknown_or_invisible_movement_comes_back_with_a_message(client, old):
    sales = DepartmentFactory(name="Sales")
    hidden = MovementFactory(title="Hidden", department=sales, founder=UserFactory(department=sales))
    client.force_login(old.founder)
    url = reverse("movements:supersede", kwargs={"slug": old.slug})
    for by in ("", "no-such-movement", hidden.slug, "%%%"):
        response = client.post(url, {"by": by, "confirmed": "yes"})
        assert response.status_code == 400
    assert Movement.objects.get(pk=old.pk).superseded_by_id is None


def test_an_outsider_gets_404_and_a_member_403(client, db):
    sales = DepartmentFactory(name="Sales")
    limited = MovementFactory(title="Limited", department=sales, founder=UserFactory(department=sales))
    url = reverse("movements:supersede", kwargs={"slug": limited.slug})
    client.force_login(UserFactory())
    assert client.post(url, {"by": "x", "confirmed": "yes"}).status_code == 404
    member = UserFactory(department=sales)
    services.membership_join(movement=limited, person=member)
    client.force_login(member)
    assert client.get(url).status_code == 403


def test_the_leads_see_the_way_to_it_among_their_tools(client, old):
    client.force_login(old.founder)
    assert (
        reverse("movements:supersede", kwargs={"slug": old.slug}) in client.get(old.get_absolute_url()).content.decode()
    )
