"""The movement page's per-view queries compiled once per process (socialbiz/statements.py): the movement
for its address, the viewer's membership, the colleagues who follow. Kept statements must answer each person
and each movement for themselves, whoever asked before."""

import pytest
from django.utils import timezone

from movements.models import Movement
from movements.selectors import department_colleagues, movement_for_page, viewer_membership
from socialbiz import statements
from tests.factories import DepartmentFactory, MembershipFactory, MovementFactory, UserFactory


@pytest.fixture
def sales(db):
    return DepartmentFactory(name="Sales")


def test_the_movement_for_its_address_is_each_viewers_own_answer(sales):
    insider, outsider, staff = UserFactory(department=sales), UserFactory(), UserFactory(is_staff=True)
    limited = MovementFactory(title="Sales only", department=sales, founder=insider)
    open_one = MovementFactory(title="Open to all")
    for _ in range(2):  # compiled on the first round, kept on the second
        assert movement_for_page(user=insider, slug=limited.slug) == limited
        with pytest.raises(Movement.DoesNotExist):
            movement_for_page(user=outsider, slug=limited.slug)
        assert movement_for_page(user=staff, slug=limited.slug) == limited
        assert movement_for_page(user=outsider, slug=open_one.slug).department is None
        with pytest.raises(Movement.DoesNotExist):
            movement_for_page(user=outsider, slug="no-such-movement")


def test_the_needs_a_lead_flag_and_the_founder_come_with_the_kept_query(sales):
    from movements.models import Membership

    movement = MovementFactory(title="Needs a lead")
    MembershipFactory(movement=movement, person=UserFactory(), is_lead=True)
    viewer = UserFactory()
    found = movement_for_page(user=viewer, slug=movement.slug)
    assert found.needs_lead is False and found.founder == movement.founder
    Membership.objects.filter(movement=movement).update(is_lead=False)
    assert movement_for_page(user=viewer, slug=movement.slug).needs_lead is True


def test_the_viewers_membership_is_their_own_on_this_movement(db):
    first, second = MovementFactory(), MovementFactory()
    person, other = UserFactory(), UserFactory()
    mine = MembershipFactory(movement=first, person=person)
    MembershipFactory(movement=second, person=other)
    assert viewer_membership(movement=first, viewer=person) == mine
    assert viewer_membership(movement=second, viewer=person) is None
    assert viewer_membership(movement=first, viewer=other) is None
    mine.left_at = timezone.now()
    mine.save()
    assert viewer_membership(movement=first, viewer=person) is None


def test_colleagues_are_counted_for_each_movement_and_department(sales):
    finance = DepartmentFactory(name="Finance")
    first, second = MovementFactory(), MovementFactory()
    sellers = [UserFactory(department=sales, display_name=f"Seller {n}") for n in range(3)]
    accountant = UserFactory(department=finance)
    for person in sellers:
        MembershipFactory(movement=first, person=person)
    MembershipFactory(movement=second, person=accountant)
    seen_by_seller = department_colleagues(movement=first, viewer=sellers[0])
    assert seen_by_seller.count == 2 and seen_by_seller.named == sellers[1:]
    assert department_colleagues(movement=second, viewer=sellers[0]).count == 0
    assert department_colleagues(movement=first, viewer=UserFactory(department=finance)).count == 0
    assert department_colleagues(movement=second, viewer=UserFactory(department=finance)).named == [accountant]


def test_a_query_with_a_moment_in_it_is_refused_for_keeping(db):
    from movements.models import Membership

    with pytest.raises(ValueError, match="date or time"):
        statements.Statement(Membership.objects.filter(joined_at__lte=timezone.now()), {})
