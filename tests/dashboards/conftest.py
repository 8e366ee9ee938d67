"""A small hand-built organisation whose right answers are written in the tests.

Now is Wednesday 2026-03-18 12:00 UTC.
Departments and active people (16):    Eng: e1 e2 e3 directly, Platform (child of Eng): p1..p5 + admin;
                                        Sales: s1..s5 (+ one deactivated person); Legal: l1 l2.
Movements: M1 "Async stand-ups"  founder p1, started 30 days ago, piloting, pilot ended yesterday;
                                  p2 joined +2 days, p3 +3 days, e1 +6 days (left 1 day ago).
           M2 "Peer thanks"      founder s1, started 10 days ago, recruiting; s2 joined +1 day.
           M3 "Quiet Fridays"    founder e2, started 5 days ago, retired straight from recruiting.
           M4 "Wiki notes"       founder p4, started 200 days ago, adopted.
Activity rows (actor, movement, days ago): p1 M1 0, p1 M1 3, p1 M1 10, p2 M1 20, s1 M2 40,
           e1 - 0, anonymous - 0, deactivated person - 0.
Seats: M1 "Tester" (2 seats) held by p1 (founder) and p2; M4 "Editor" (1 seat) held by p5.
Feedback: F1 works by p1 on 03-16 answered after 1 day; F2 doesn't by s1 on 03-10, new, 7 votes;
          F3 doesn't ANONYMOUS on 03-12 answered after 3 days, acknowledged, 9 votes;
          F4 doesn't by e1 on 02-10 (before the 28 days), planned, 3 votes;
          F5 works by p2 on 03-02, hidden; F6 doesn't by s2 on 02-25 answered after 2 days, resolved, 20 votes.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine

from activity.models import Activity, Verb
from feedback.models import Kind, Status
from movements.models import Movement, Role, RoleAssignment, Stage, StageChange
from tests.factories import DepartmentFactory, FeedbackFactory, MembershipFactory, MovementFactory, UserFactory

NOW = dt.datetime(2026, 3, 18, 12, 0, tzinfo=dt.UTC)


def days_ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The factories set a password for every person; the default hasher makes that seconds per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def org(db, frozen_now):
    eng = DepartmentFactory(name="Eng")
    platform = DepartmentFactory(name="Platform", parent=eng)
    sales = DepartmentFactory(name="Sales")
    legal = DepartmentFactory(name="Legal")

    def people(prefix, department, count):
        return [
            UserFactory(display_name=f"{prefix}{n}", email=f"{prefix}{n}@example.com", department=department)
            for n in range(1, count + 1)
        ]

    e1, e2, e3 = people("e", eng, 3)
    p1, p2, p3, p4, p5 = people("p", platform, 5)
    admin = UserFactory(display_name="Admin", email="admin@example.com", department=platform, is_staff=True)
    s1, s2, s3, s4, s5 = people("s", sales, 5)
    deactivated = UserFactory(display_name="Gone", email="gone@example.com", department=sales, is_active=False)
    l1, l2 = people("l", legal, 2)

    m1 = MovementFactory(
        title="Async stand-ups",
        founder=p1,
        created_at=days_ago(30),
        stage=Stage.PILOTING,
        pilot_start=(NOW - dt.timedelta(days=20)).date(),
        pilot_end=(NOW - dt.timedelta(days=1)).date(),
    )
    StageChange.objects.create(
        movement=m1, from_stage=Stage.RECRUITING, to_stage=Stage.PILOTING, changed_by=p1, created_at=days_ago(20)
    )
    MembershipFactory(movement=m1, person=p2, joined_at=days_ago(28), recruited_by=p1)
    MembershipFactory(movement=m1, person=p3, joined_at=days_ago(27), recruited_by=p2)
    MembershipFactory(movement=m1, person=e1, joined_at=days_ago(24), left_at=days_ago(1))
    m2 = MovementFactory(title="Peer thanks", founder=s1, created_at=days_ago(10))
    MembershipFactory(movement=m2, person=s2, joined_at=days_ago(9))
    m3 = MovementFactory(title="Quiet Fridays", founder=e2, created_at=days_ago(5), stage=Stage.RETIRED)
    StageChange.objects.create(
        movement=m3,
        from_stage=Stage.RECRUITING,
        to_stage=Stage.RETIRED,
        changed_by=e2,
        decision="retire",
        rationale="Nobody came.",
        created_at=days_ago(1),
    )
    m4 = MovementFactory(title="Wiki notes", founder=p4, created_at=days_ago(200), stage=Stage.ADOPTED)

    tester = Role.objects.create(movement=m1, name="Tester", seats=2, seats_filled=2)
    RoleAssignment.objects.create(role=tester, person=p1)
    RoleAssignment.objects.create(role=tester, person=p2)
    editor = Role.objects.create(movement=m4, name="Editor", seats=1, seats_filled=1)
    RoleAssignment.objects.create(role=editor, person=p5)

    for actor, movement, ago, verb in [
        (p1, m1, 0, Verb.POSTED_UPDATE),
        (p1, m1, 3, Verb.POSTED_UPDATE),
        (p1, m1, 10, Verb.WELCOMED),
        (p2, m1, 20, Verb.CLAIMED_ROLE),
        (s1, m2, 40, Verb.STARTED_MOVEMENT),
        (e1, None, 0, Verb.VOTED),
        (None, None, 0, Verb.POSTED_FEEDBACK),
        (deactivated, None, 0, Verb.VOTED),
    ]:
        Activity.objects.create(actor=actor, movement=movement, verb=verb, created_at=days_ago(ago))

    def post(kind, author, created, *, answered_after=None, status=Status.NEW, votes=0, hidden=False):
        return FeedbackFactory(
            kind=kind,
            author=author,
            is_anonymous=author is None,
            created_at=created,
            status=status,
            vote_count=votes,
            first_answered_at=created + dt.timedelta(days=answered_after) if answered_after is not None else None,
            hidden_at=created if hidden else None,
        )

    day = lambda m, d: dt.datetime(2026, m, d, 10, 0, tzinfo=dt.UTC)  # noqa: E731
    f1 = post(Kind.WORKS, p1, day(3, 16), answered_after=1, status=Status.ACKNOWLEDGED)
    f2 = post(Kind.DOESNT, s1, day(3, 10), votes=7)
    f3 = post(
        Kind.DOESNT,
        None,
        dt.datetime(2026, 3, 12, tzinfo=dt.UTC),
        answered_after=3,
        status=Status.ACKNOWLEDGED,
        votes=9,
    )
    f4 = post(Kind.DOESNT, e1, day(2, 10), status=Status.PLANNED, votes=3)
    f5 = post(Kind.WORKS, p2, day(3, 2), hidden=True)
    f6 = post(Kind.DOESNT, s2, day(2, 25), answered_after=2, status=Status.RESOLVED, votes=20)

    return SimpleNamespace(**locals())


@pytest.fixture
def more_of_everything(org):
    """Grow the organisation (more people, movements, members, activity, feedback, nudges) to check query counts."""

    def grow(times: int = 10):
        for n in range(times):
            person = UserFactory(department=org.platform)
            movement = MovementFactory(title=f"Extra {n}", founder=person, created_at=days_ago(n + 1))
            member = UserFactory(department=org.sales)
            MembershipFactory(movement=movement, person=member, joined_at=days_ago(n), recruited_by=person)
            role = Role.objects.create(movement=movement, name="Helper", seats=2, seats_filled=1)
            RoleAssignment.objects.create(role=role, person=member)
            for ago in range(3):
                Activity.objects.create(
                    actor=person, movement=movement, verb=Verb.POSTED_UPDATE, created_at=days_ago(ago)
                )
            Activity.objects.create(actor=member, movement=org.m1, verb=Verb.COMMENTED, created_at=days_ago(n))
            FeedbackFactory(kind=Kind.DOESNT, author=member, movement=org.m1, created_at=days_ago(n), vote_count=n)
            nudge("open_roles", member, sent_days_ago=n, movement=org.m1, read=n % 2 == 0, acted=n % 3 == 0)
            nudge("weekly_digest", person, sent_days_ago=n, read=True)
            grow_pilot(movement, person, member, n)

    return grow


def grow_pilot(movement, lead, member, n):
    """A pilot with a hand-recorded and a computed measure, a value, a recorded proposal and a pulse."""
    from decimal import Decimal

    from pilots.models import Measure, MeasureValue, Proposal, ProposalStatus, Pulse, Source

    start = (NOW - dt.timedelta(days=20 + n)).date()
    Movement.objects.filter(pk=movement.pk).update(
        stage=Stage.PILOTING, pilot_start=start, pilot_end=start + dt.timedelta(days=30)
    )
    by_hand = Measure.objects.create(
        movement=movement, name="Hours", unit="hours", direction="down", baseline=10, target=5, source=Source.BY_HAND
    )
    Measure.objects.create(
        movement=movement,
        name="Followers",
        unit="people",
        direction="up",
        baseline=1,
        target=3,
        source=Source.FOLLOWERS,
        is_count=True,
    )
    MeasureValue.objects.create(measure=by_hand, measured_on=start, value=Decimal(9 - n % 5), recorded_by=lead)
    Proposal.objects.create(
        movement=movement,
        proposed_by=lead,
        decision="extend",
        new_end=start + dt.timedelta(days=60),
        rationale="More time",
        status=ProposalStatus.RECORDED,
        opened_at=days_ago(3),
        closes_at=days_ago(1),
        recorded_at=days_ago(1),
        recorded_by=lead,
        record={"counts": {"consent": 1}, "member_count": 2},
    )
    Pulse.objects.create(
        movement=movement, number=1, opens_on=start, closes_on=start + dt.timedelta(days=7), published_count=5 * (n % 2)
    )


def nudge(kind, recipient, *, sent_days_ago=None, read=False, acted=False, movement=None, cancelled=False):
    """One Nudge row; read / acted on an hour after it was sent."""
    from nudges.models import Nudge

    sent_at = days_ago(sent_days_ago) if sent_days_ago is not None else None
    later = sent_at + dt.timedelta(hours=1) if sent_at else None
    return Nudge.objects.create(
        kind=kind,
        recipient=recipient,
        movement=movement,
        dedupe_key=f"test:{kind}:{recipient.pk}:{sent_days_ago}:{movement.pk if movement else '-'}:{cancelled}",
        created_at=sent_at or NOW,
        due_at=sent_at or NOW + dt.timedelta(days=1),
        sent_at=sent_at,
        read_at=later if read else None,
        acted_on_at=later if acted else None,
        cancelled_at=NOW if cancelled else None,
    )


@pytest.fixture
def nudges(org):
    """Nudges on top of `org`; the right answers are worked out in tests/dashboards/test_nudges.py.

    open roles (about M1, except s1's about M2): p1 p2 p3 p4 p5 2 days ago, e1 e2 3 days ago, s1 5 days ago;
        read by p1 p2 p3 e1, acted on by p1 e1; plus p1 30 days ago (about M1, not read).
    weekly digest 1 day ago: e1 e2 e3 p1..p5 admin (Eng, 9), s1..s5, l1 l2 (16);
        read by p1 p2 e3 s1, acted on by p1 s2.
    decision due (M1) to p1 1 day ago, read. Welcome your follower (M1) to p1 27 days ago.
    invitation to l1 40 days ago. Not sent: find first follower to e2 (due tomorrow), a cancelled check-in to p3.
    """
    from nudges.models import Kind as NudgeKind

    o = org
    for person, ago in [(o.p1, 2), (o.p2, 2), (o.p3, 2), (o.p4, 2), (o.p5, 2), (o.e1, 3), (o.e2, 3)]:
        nudge(
            NudgeKind.OPEN_ROLES,
            person,
            sent_days_ago=ago,
            movement=o.m1,
            read=person in (o.p1, o.p2, o.p3, o.e1),
            acted=person in (o.p1, o.e1),
        )
    nudge(NudgeKind.OPEN_ROLES, o.s1, sent_days_ago=5, movement=o.m2)
    nudge(NudgeKind.OPEN_ROLES, o.p1, sent_days_ago=30, movement=o.m1)
    for person in [o.e1, o.e2, o.e3, o.p1, o.p2, o.p3, o.p4, o.p5, o.admin, o.s1, o.s2, o.s3, o.s4, o.s5, o.l1, o.l2]:
        nudge(
            NudgeKind.WEEKLY_DIGEST,
            person,
            sent_days_ago=1,
            read=person in (o.p1, o.p2, o.e3, o.s1),
            acted=person in (o.p1, o.s2),
        )
    nudge(NudgeKind.DECISION_DUE, o.p1, sent_days_ago=1, movement=o.m1, read=True)
    nudge(NudgeKind.WELCOME_YOUR_FOLLOWER, o.p1, sent_days_ago=27, movement=o.m1)
    nudge(NudgeKind.INVITATION, o.l1, sent_days_ago=40)
    nudge(NudgeKind.FIND_FIRST_FOLLOWER, o.e2, movement=o.m3)
    nudge(NudgeKind.FIRST_FOLLOWER_CHECKIN, o.p3, movement=o.m1, cancelled=True)
    return o
