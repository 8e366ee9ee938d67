from io import StringIO

import pytest
from django.core.management import call_command

from feedback.models import Comment, Feedback, Vote
from movements.models import Membership, Movement, Role, Stage
from people.models import Department, User


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (User, Department, Movement, Membership, Role, Feedback, Vote, Comment)
    }


@pytest.mark.django_db
def test_seed_demo_builds_a_believable_organisation_and_prints_the_logins():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert 55 <= User.objects.count() <= 70
    assert Department.objects.filter(parent__isnull=True).count() == 6
    assert User.objects.filter(manager__isnull=False).count() >= 40
    assert set(Movement.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert Feedback.objects.count() >= 24
    assert Feedback.objects.filter(is_anonymous=True, author__isnull=True).exists()
    assert Vote.objects.exists() and Comment.objects.exists()
    for email in ("admin@example.com", "champion@example.com", "employee@example.com"):
        assert email in out.getvalue()
    assert User.objects.get(email="admin@example.com").is_staff


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo", stdout=StringIO())
    first = counts()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == first


@pytest.mark.django_db
def test_denormalised_counts_match_the_rows():
    call_command("seed_demo", stdout=StringIO())
    for post in Feedback.objects.all():
        assert post.vote_count == post.votes.count()
    for movement in Movement.objects.all():
        active_others = movement.memberships.filter(left_at__isnull=True).exclude(person=movement.founder).count()
        assert movement.follower_count == active_others
    for role in Role.objects.all():
        assert role.seats_filled == role.assignments.count() <= role.seats
