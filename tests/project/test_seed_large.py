"""The large seed (run here at a small factor) keeps every denormalised counter equal to its rows."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F

from activity.models import Activity
from demo.large import zipf_sizes
from feedback.models import Feedback
from movements.models import Membership, Movement, Role
from nudges.models import Kind as NudgeKind
from nudges.models import Nudge
from people.models import Department, User


@pytest.fixture
def large_seed(db):
    out = StringIO()
    call_command("seed_demo", "--scale", "large", "--factor", "0.01", stdout=out)
    return out.getvalue()


def test_it_reports_progress_and_the_totals(large_seed):
    assert "people" in large_seed and "activity" in large_seed
    assert "Large organisation ready: 10 departments, 200 people, 20 movements, 2,000 memberships" in large_seed


def test_counters_match_the_rows(large_seed):
    for movement in Movement.objects.all():
        active_others = movement.memberships.filter(left_at__isnull=True).exclude(person_id=movement.founder_id).count()
        assert movement.follower_count == active_others
        assert movement.open_seats == sum(role.seats - role.seats_filled for role in movement.roles.all())
    for role in Role.objects.annotate(real=Count("assignments")):
        assert role.seats_filled == role.real <= role.seats
    assert not Feedback.objects.annotate(real=Count("votes")).exclude(vote_count=F("real")).exists()


def test_join_order_is_gap_free_with_the_founder_first(large_seed):
    for movement in Movement.objects.all():
        positions = list(movement.memberships.order_by("position").values_list("position", "person_id"))
        assert [p for p, _ in positions] == list(range(1, len(positions) + 1))
        assert positions[0][1] == movement.founder_id


def test_anonymous_posts_have_no_author_and_a_day_rounded_time(large_seed):
    anonymous = Feedback.objects.filter(is_anonymous=True)
    assert anonymous.exists()
    assert not anonymous.filter(author__isnull=False).exists()
    assert all(post.created_at.hour == 0 and post.created_at.minute == 0 for post in anonymous)


def test_it_adds_a_year_of_nudges_mostly_sent_some_read_and_acted_on(large_seed):
    assert "nudges" in large_seed
    assert Nudge.objects.count() == 5_000
    assert Nudge.objects.values("dedupe_key").distinct().count() == 5_000  # the database enforces it too
    kinds = dict(Nudge.objects.values_list("kind").annotate(n=Count("pk")))
    assert kinds[NudgeKind.WEEKLY_DIGEST] > kinds[NudgeKind.INVITATION] > 0 and len(kinds) >= 7
    sent = Nudge.objects.filter(sent_at__isnull=False)
    assert sent.count() > 0.85 * 5_000
    assert 0 < sent.filter(read_at__isnull=False).count() < sent.count()
    assert 0 < sent.filter(acted_on_at__isnull=False).count() < sent.filter(read_at__isnull=False).count() * 2
    assert Nudge.objects.filter(cancelled_at__isnull=False, sent_at__isnull=True).exists()
    assert not Nudge.objects.filter(emailed_at__isnull=False, sent_at__isnull=True).exists()
    # Keys have the shape the real code writes, so a live sweep finds them and sends nothing twice.
    assert (
        Nudge.objects.filter(
            kind=NudgeKind.WEEKLY_DIGEST, dedupe_key__regex=r"^weekly_digest:u\d+:w\d{4}-\d{2}$"
        ).count()
        == kinds[NudgeKind.WEEKLY_DIGEST]
    )
    assert not Nudge.objects.exclude(recipient__email__startswith="large.").exists()


def test_an_organisation_seeded_before_nudges_gets_only_the_nudges(large_seed):
    Nudge.objects.all().delete()
    before = (User.objects.count(), Membership.objects.count(), Activity.objects.count())
    out = StringIO()
    call_command("seed_demo", "--scale", "large", "--factor", "0.01", stdout=out)
    assert Nudge.objects.count() == 5_000
    assert (User.objects.count(), Membership.objects.count(), Activity.objects.count()) == before


def test_running_it_twice_adds_nothing(large_seed):
    before = (
        User.objects.count(),
        Department.objects.count(),
        Membership.objects.count(),
        Activity.objects.count(),
        Nudge.objects.count(),
    )
    out = StringIO()
    call_command("seed_demo", "--scale", "large", "--factor", "0.01", stdout=out)
    assert "already seeded" in out.getvalue()
    assert (
        User.objects.count(),
        Department.objects.count(),
        Membership.objects.count(),
        Activity.objects.count(),
        Nudge.objects.count(),
    ) == before


def test_sequences_continue_after_the_copied_ids(large_seed):
    person = User.objects.create_user("after.seed@example.com", "x")
    assert person.pk > User.objects.exclude(pk=person.pk).order_by("-pk").first().pk


def test_zipf_sizes_sum_to_the_total_and_are_skewed():
    import random

    sizes = zipf_sizes(200_000, 2_000, random.Random(1), minimum=1, cap=10_000)
    assert sum(sizes) == 200_000 and min(sizes) >= 1 and max(sizes) <= 10_000
    ordered = sorted(sizes, reverse=True)
    assert sum(ordered[:20]) > sum(ordered[-1000:])  # the top 1% outweighs the bottom half
