"""`seed_demo --scale large`: a 20,000-person organisation on PostgreSQL, loaded with COPY.

Realistic skew: movement sizes, post votes and activity follow a Zipf-like law, so a few movements
and posts are very popular and most are small. Rows are generated in Python and streamed with
COPY (no save() per row); denormalised counters are computed while generating so they match the rows.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from activity.models import Activity, Verb
from feedback.models import Feedback, Kind, Status, Vote
from movements.models import Membership, Movement, Role, RoleAssignment, Stage
from nudges.models import Kind as NudgeKind
from nudges.models import Nudge
from people.models import Department, User


@dataclass(frozen=True)
class Scale:
    people: int = 20_000
    departments: int = 300
    movements: int = 2_000
    memberships: int = 200_000
    roles: int = 10_000
    feedback: int = 100_000
    votes: int = 1_000_000
    activity: int = 2_000_000
    nudges: int = 500_000

    def scaled(self, factor: float) -> Scale:
        return Scale(**{name: max(int(value * factor), 10) for name, value in self.__dict__.items()})


LARGE = Scale()


def zipf_sizes(
    total: int, buckets: int, rng: random.Random, *, minimum: int = 0, cap: int | None = None, exponent: float = 1.1
) -> list[int]:
    """Split `total` over `buckets` with a Zipf-like skew (shuffled), each at least `minimum` and at most `cap`."""
    weights = [1 / (rank**exponent) for rank in range(1, buckets + 1)]
    spread = total - minimum * buckets
    scale = spread / sum(weights)
    sizes = [minimum + int(w * scale) for w in weights]
    if cap is not None:
        sizes = [min(size, cap) for size in sizes]
    # Hand out what rounding and capping left over, one by one, to the smaller buckets.
    leftover = total - sum(sizes)
    index = buckets - 1
    while leftover > 0 and index >= 0:
        room = (cap - sizes[index]) if cap is not None else leftover
        add = min(room, leftover, max(1, leftover // max(index, 1)))
        sizes[index] += add
        leftover -= add
        index = index - 1 if index > 0 else buckets - 1
        if cap is not None and all(size >= cap for size in sizes):
            break
    rng.shuffle(sizes)
    return sizes


def copy_rows(model: type[models.Model], columns: list[str], rows: Iterable[tuple]) -> int:
    """Stream rows into the model's table with PostgreSQL COPY; returns the number of rows."""
    count = 0
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f'COPY "{model._meta.db_table}" ({", ".join(columns)}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1


def reset_sequence(model: type[models.Model]) -> None:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), COALESCE((SELECT MAX(id) FROM \"{table}\"), 1))"
        )


class Progress:
    def __init__(self, write: Callable[[str], None]):
        self.write = write
        self.started = time.monotonic()

    def step(self, label: str, count: int, began: float) -> None:
        self.write(
            f"  {label:<14} {count:>10,} rows  {time.monotonic() - began:6.1f}s  (total {time.monotonic() - self.started:6.1f}s)"
        )


def seed_large(*, write: Callable[[str], None], scale: Scale = LARGE, seed: int = 7) -> dict[str, int]:
    if connection.vendor != "postgresql":
        raise RuntimeError("--scale large needs PostgreSQL (set DATABASE_URL=postgres://...).")
    rng = random.Random(seed)
    now = timezone.now()
    progress = Progress(write)
    counts: dict[str, int] = {}
    if User.objects.filter(email__startswith="large.").exists():
        if Nudge.objects.filter(recipient__email__startswith="large.").exists():
            write("The large organisation is already seeded; nothing to do.")
            return {}
        # Seeded before the nudges were part of it: add them only.
        with transaction.atomic():
            counts["nudges"] = _seed_nudges(rng=rng, now=now, scale=scale, progress=progress)
            reset_sequence(Nudge)
    else:
        with transaction.atomic():
            counts.update(_seed(rng=rng, now=now, scale=scale, progress=progress))
            counts["nudges"] = _seed_nudges(rng=rng, now=now, scale=scale, progress=progress)
            for model in (
                Department,
                User,
                Movement,
                Membership,
                Role,
                RoleAssignment,
                Feedback,
                Vote,
                Activity,
                Nudge,
            ):
                reset_sequence(model)
    began = time.monotonic()
    with connection.cursor() as cursor:
        # VACUUM too, as autovacuum would do soon after: it marks the pages all-visible, so the counts
        # (feedback tabs, members) are answered from their indexes alone.
        # (Inside a transaction, as in the tests, VACUUM cannot run: ANALYZE only.)
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    progress.step("vacuum analyze", 0, began)
    return counts


def _seed(*, rng: random.Random, now, scale: Scale, progress: Progress) -> dict[str, int]:
    counts: dict[str, int] = {}
    year = timedelta(days=365)

    def random_time(within: timedelta = year, after=None):
        start = after or (now - within)
        span = (now - start).total_seconds()
        return start + timedelta(seconds=rng.random() * max(span, 1))

    # Departments: 20 roots, the rest spread under them (a two- and three-level tree).
    began = time.monotonic()
    first_department = next_id(Department)
    department_rows, paths = [], {}
    for offset in range(scale.departments):
        pk = first_department + offset
        parent = None if offset < 20 else first_department + rng.randrange(0, min(offset, 120))
        paths[pk] = f"{paths[parent] if parent else '/'}{pk}/"
        department_rows.append((pk, f"Large department {offset + 1}", parent, paths[pk], ""))
    counts["departments"] = copy_rows(Department, ["id", "name", "parent_id", "path", "external_key"], department_rows)
    department_ids = list(paths)
    progress.step("departments", counts["departments"], began)

    # People: one shared password hash (hashing 20,000 passwords would take minutes).
    began = time.monotonic()
    password = make_password("socialbiz-demo")
    first_person = next_id(User)
    person_ids = list(range(first_person, first_person + scale.people))
    person_department = {pk: rng.choice(department_ids) for pk in person_ids}
    user_fields = (
        "id",
        "password",
        "is_superuser",
        "email",
        "display_name",
        "job_title",
        "department_id",
        "manager_id",
        "location",
        "time_zone",
        "employee_id",
        "is_moderator",
        "is_staff",
        "is_active",
        "date_joined",
    )

    def people_rows() -> Iterator[tuple]:
        for index, pk in enumerate(person_ids):
            manager = person_ids[index // 8] if index >= 8 else None
            yield (
                pk,
                password,
                False,
                f"large.{index}@example.com",
                f"Person {index}",
                "Employee",
                person_department[pk],
                None if manager == pk else manager,
                "HQ",
                "UTC",
                f"L{index}",
                False,
                False,
                True,
                now - timedelta(days=400),
            )

    counts["people"] = copy_rows(User, list(user_fields), people_rows())
    progress.step("people", counts["people"], began)

    # Movements at all stages; sizes skewed.
    began = time.monotonic()
    first_movement = next_id(Movement)
    movement_ids = list(range(first_movement, first_movement + scale.movements))
    sizes = zipf_sizes(scale.memberships, scale.movements, rng, minimum=1, cap=scale.people // 2)
    stages = [Stage.RECRUITING] * 50 + [Stage.PILOTING] * 25 + [Stage.ADOPTED] * 15 + [Stage.RETIRED] * 10
    movement_meta: dict[int, dict] = {}
    for pk, size in zip(movement_ids, sizes, strict=True):
        movement_meta[pk] = {
            "founder": rng.choice(person_ids),
            "size": size,
            "stage": rng.choice(stages),
            "created_at": random_time(),
            "department": rng.choice(department_ids) if rng.random() < 0.1 else None,
        }

    # Memberships: founder at 1, then distinct people in join order; a few have left.
    membership_rows = []
    first_membership = next_id(Membership)
    members_of: dict[int, list[int]] = {}
    for pk in movement_ids:
        meta = movement_meta[pk]
        others = rng.sample(person_ids, min(meta["size"] + 1, len(person_ids)))
        people = [meta["founder"]] + [p for p in others if p != meta["founder"]][: meta["size"] - 1]
        members_of[pk] = people
        joined = meta["created_at"]
        active_others = 0
        for position, person in enumerate(people, start=1):
            if position > 1:
                joined = joined + timedelta(seconds=rng.random() * max((now - joined).total_seconds(), 1) / 6)
            left = None
            is_lead = position == 1 or (position == 2 and meta["size"] > 20)
            if not is_lead and rng.random() < 0.05:
                left = joined + (now - joined) / 2
            else:
                active_others += position > 1
            membership_rows.append(
                (
                    first_membership + len(membership_rows),
                    pk,
                    person,
                    position,
                    joined,
                    people[rng.randrange(position - 1)] if position > 1 else None,
                    left,
                    is_lead,
                    None,
                )
            )
        meta["followers"] = active_others
        meta["last_activity_at"] = joined

    # Roles and seats: 5 per movement on average, popular movements' roles mostly filled.
    role_rows, assignment_rows = [], []
    first_role, first_assignment = next_id(Role), next_id(RoleAssignment)
    role_names = [
        "Co-lead",
        "Pilot tester",
        "Evangelist",
        "Trainer",
        "Feedback collector",
        "Team liaison",
        "Note-taker",
    ]
    roles_per_movement = zipf_sizes(scale.roles, scale.movements, rng, minimum=1, cap=len(role_names), exponent=0.3)
    for pk, role_count in zip(movement_ids, roles_per_movement, strict=True):
        meta = movement_meta[pk]
        members = members_of[pk]
        open_seats = 0
        for name in role_names[:role_count]:
            seats = rng.randint(1, 6)
            holders = rng.sample(members, min(seats, len(members), rng.randint(0, seats)))
            role_id = first_role + len(role_rows)
            role_rows.append((role_id, pk, name, f"Help as {name.lower()}.", seats, len(holders), meta["created_at"]))
            for holder in holders:
                assignment_rows.append(
                    (first_assignment + len(assignment_rows), role_id, holder, None, meta["created_at"])
                )
            open_seats += seats - len(holders)
        meta["open_seats"] = open_seats

    movement_columns = [
        "id",
        "title",
        "slug",
        "pitch",
        "problem",
        "use_cases",
        "tool",
        "founder_id",
        "department_id",
        "stage",
        "hypothesis",
        "success_measure",
        "pilot_start",
        "pilot_end",
        "follower_count",
        "open_seats",
        "created_at",
        "last_activity_at",
    ]
    tools = ["", "", "Wiki", "Team channels", "Video", "Kanban board", "Podcast"]

    def movement_rows() -> Iterator[tuple]:
        for index, pk in enumerate(movement_ids):
            meta = movement_meta[pk]
            piloted = meta["stage"] != Stage.RECRUITING
            start = (meta["created_at"] + timedelta(days=14)).date() if piloted else None
            end = (start + timedelta(days=rng.randint(20, 120))) if piloted else None
            yield (
                pk,
                f"Large movement {index + 1}: working better together",
                f"large-movement-{index + 1}",
                "Why it matters: it saves everyone time.",
                "The problem today.",
                "",
                rng.choice(tools),
                meta["founder"],
                meta["department"],
                meta["stage"],
                "A hypothesis." if piloted else "",
                "A measure." if piloted else "",
                start,
                end,
                meta["followers"],
                meta["open_seats"],
                meta["created_at"],
                meta["last_activity_at"],
            )

    counts["movements"] = copy_rows(Movement, movement_columns, movement_rows())
    progress.step("movements", counts["movements"], began)
    began = time.monotonic()
    counts["memberships"] = copy_rows(
        Membership,
        [
            "id",
            "movement_id",
            "person_id",
            "position",
            "joined_at",
            "recruited_by_id",
            "left_at",
            "is_lead",
            "welcomed_at",
        ],
        membership_rows,
    )
    progress.step("memberships", counts["memberships"], began)
    began = time.monotonic()
    counts["roles"] = copy_rows(
        Role, ["id", "movement_id", "name", "description", "seats", "seats_filled", "created_at"], role_rows
    )
    counts["role seats"] = copy_rows(
        RoleAssignment, ["id", "role_id", "person_id", "assigned_by_id", "created_at"], assignment_rows
    )
    progress.step("roles", counts["roles"] + counts["role seats"], began)
    del membership_rows, role_rows, assignment_rows

    # Feedback with skewed votes; 15% anonymous (no author, time rounded to the day).
    began = time.monotonic()
    first_feedback = next_id(Feedback)
    feedback_ids = list(range(first_feedback, first_feedback + scale.feedback))
    vote_sizes = zipf_sizes(scale.votes, scale.feedback, rng, minimum=0, cap=scale.people // 2, exponent=1.0)
    statuses = [Status.NEW] * 6 + [
        Status.ACKNOWLEDGED,
        Status.PLANNED,
        Status.IN_PROGRESS,
        Status.RESOLVED,
        Status.WONT_FIX,
    ]
    feedback_created: dict[int, object] = {}

    def feedback_rows() -> Iterator[tuple]:
        for index, pk in enumerate(feedback_ids):
            anonymous = rng.random() < 0.15
            created = random_time()
            if anonymous:
                created = created.replace(hour=0, minute=0, second=0, microsecond=0)
            feedback_created[pk] = created
            status = rng.choice(statuses)
            answered = created + timedelta(days=rng.randint(1, 20)) if status != Status.NEW else None
            yield (
                pk,
                Kind.WORKS if rng.random() < 0.5 else Kind.DOESNT,
                f"Feedback {index + 1} about how we work",
                "Body of the post.",
                "<p>Body of the post.</p>",
                None if anonymous else rng.choice(person_ids),
                anonymous,
                rng.choice(movement_ids) if rng.random() < 0.3 else None,
                None,
                status,
                vote_sizes[index],
                0,
                created,
                answered,
                None,
            )

    counts["feedback"] = copy_rows(
        Feedback,
        [
            "id",
            "kind",
            "title",
            "body",
            "body_html",
            "author_id",
            "is_anonymous",
            "movement_id",
            "resulting_movement_id",
            "status",
            "vote_count",
            "comment_count",
            "created_at",
            "first_answered_at",
            "hidden_at",
        ],
        feedback_rows(),
    )
    progress.step("feedback", counts["feedback"], began)

    began = time.monotonic()
    first_vote = next_id(Vote)
    vote_id = itertools.count(first_vote)

    def vote_rows() -> Iterator[tuple]:
        for pk, size in zip(feedback_ids, vote_sizes, strict=True):
            if size:
                for voter in rng.sample(person_ids, size):
                    yield (next(vote_id), pk, voter, random_time(after=feedback_created[pk]))

    counts["votes"] = copy_rows(Vote, ["id", "feedback_id", "person_id", "created_at"], vote_rows())
    progress.step("votes", counts["votes"], began)

    # Activity: skewed towards popular movements and active people, spread over the last year.
    began = time.monotonic()
    first_activity = next_id(Activity)
    movement_weights = [movement_meta[pk]["size"] for pk in movement_ids]
    movement_choices = rng.choices(movement_ids, weights=movement_weights, k=scale.activity)
    verbs = [
        Verb.JOINED,
        Verb.CLAIMED_ROLE,
        Verb.POSTED_UPDATE,
        Verb.INVITED,
        Verb.VOTED,
        Verb.COMMENTED,
        Verb.POSTED_FEEDBACK,
    ]

    def activity_rows() -> Iterator[tuple]:
        for offset, movement in enumerate(movement_choices):
            members = members_of[movement]
            actor = members[0] if rng.random() < 0.3 else members[int(len(members) * rng.random() ** 2)]
            yield (first_activity + offset, actor, rng.choice(verbs), movement, None, None, random_time())

    counts["activity"] = copy_rows(
        Activity,
        ["id", "actor_id", "verb", "movement_id", "feedback_id", "subject_person_id", "created_at"],
        activity_rows(),
    )
    progress.step("activity", counts["activity"], began)
    return counts


NUDGE_COLUMNS = [
    "id",
    "kind",
    "recipient_id",
    "movement_id",
    "feedback_id",
    "subject_person_id",
    "context",
    "dedupe_key",
    "email",
    "in_app",
    "created_at",
    "due_at",
    "queued_at",
    "claimed_at",
    "sent_at",
    "emailed_at",
    "cancelled_at",
    "read_at",
    "acted_on_at",
    "attempts",
    "last_error",
]
# Share of each kind in a year of nudges: digests and open roles dominate; event nudges follow the events.
NUDGE_MIX = [
    (NudgeKind.WEEKLY_DIGEST, 0.42),
    (NudgeKind.OPEN_ROLES, 0.22),
    (NudgeKind.INVITATION, 0.10),
    (NudgeKind.FEEDBACK_ANSWERED, 0.12),
    (NudgeKind.FIRST_FOLLOWER_WELCOME, 0.03),
    (NudgeKind.WELCOME_YOUR_FOLLOWER, 0.03),
    (NudgeKind.FIRST_FOLLOWER_CHECKIN, 0.03),
    (NudgeKind.FIND_FIRST_FOLLOWER, 0.02),
    (NudgeKind.DECISION_DUE, 0.03),
]
ACTIONABLE = {
    NudgeKind.INVITATION,
    NudgeKind.OPEN_ROLES,
    NudgeKind.WELCOME_YOUR_FOLLOWER,
    NudgeKind.FIRST_FOLLOWER_WELCOME,
    NudgeKind.FIND_FIRST_FOLLOWER,
    NudgeKind.DECISION_DUE,
    NudgeKind.FIRST_FOLLOWER_CHECKIN,
}


def _seed_nudges(*, rng: random.Random, now, scale: Scale, progress: Progress) -> int:
    """A year of nudges for the large organisation, with the dedupe keys the real code writes (so a live
    sweep finds them): mostly sent, some read and acted on, a few cancelled or still waiting.
    Reads the seeded rows back, so it can also top up an organisation seeded before nudges existed."""
    began = time.monotonic()
    people = list(User.objects.filter(email__startswith="large.").values_list("pk", flat=True))
    movements = {
        pk: (founder, stage, pilot_end, created)
        for pk, founder, stage, pilot_end, created in Movement.objects.filter(
            slug__startswith="large-movement-"
        ).values_list("pk", "founder_id", "stage", "pilot_end", "created_at")
    }
    members = list(
        Membership.objects.filter(movement_id__in=list(movements)).values_list(
            "movement_id", "person_id", "position", "is_lead", "joined_at", "recruited_by_id"
        )
    )
    first_followers = [m for m in members if 2 <= m[2] <= 4]
    leads: dict[int, list[int]] = {}
    for movement_id, person, _position, is_lead, _joined, _by in members:
        if is_lead:
            leads.setdefault(movement_id, []).append(person)
    answered = list(
        Feedback.objects.filter(first_answered_at__isnull=False, title__startswith="Feedback ").values_list(
            "pk", "author_id", "first_answered_at"
        )[:200_000]
    )
    lonely = [pk for pk, meta in movements.items() if meta[1] == Stage.RECRUITING]
    piloting = [pk for pk, meta in movements.items() if meta[2] is not None]
    year = timedelta(days=365)
    seen: set[str] = set()
    first = next_id(Nudge)

    def when(after=None):
        start = after if after is not None and after > now - year else now - year
        return start + (now - start) * rng.random()

    def draft(kind):
        """(recipient, movement, feedback, subject, key, created) for one nudge of this kind, or None."""
        if kind == NudgeKind.WEEKLY_DIGEST:
            created = when()
            iso_year, week, _day = created.isocalendar()
            person = rng.choice(people)
            return person, None, None, None, f"weekly_digest:u{person}:w{iso_year}-{week:02d}", created
        if kind == NudgeKind.OPEN_ROLES:
            movement_id, person, _p, _l, joined, _by = rng.choice(members)
            created = when(joined)
            period = created.date().toordinal() // 7
            return person, movement_id, None, None, f"open_roles:m{movement_id}:u{person}:p{period}", created
        if kind == NudgeKind.INVITATION:
            movement_id, person, _p, _l, joined, inviter = rng.choice(members)
            if inviter is None:
                return None
            created = joined - timedelta(hours=rng.randint(1, 72))
            return person, movement_id, None, inviter, f"invitation:m{movement_id}:u{person}:from{inviter}", created
        if kind == NudgeKind.FEEDBACK_ANSWERED:
            feedback_id, author, answered_at = rng.choice(answered)
            person = author if author and rng.random() < 0.3 else rng.choice(people)
            return (
                person,
                None,
                feedback_id,
                None,
                f"feedback_answered:f{feedback_id}:u{person}:r{answered_at:%Y%m%d}",
                answered_at,
            )
        if kind in (
            NudgeKind.FIRST_FOLLOWER_WELCOME,
            NudgeKind.FIRST_FOLLOWER_CHECKIN,
            NudgeKind.WELCOME_YOUR_FOLLOWER,
        ):
            movement_id, person, _p, _l, joined, _by = rng.choice(first_followers)
            if kind == NudgeKind.FIRST_FOLLOWER_WELCOME:
                return person, movement_id, None, None, f"first_follower_welcome:m{movement_id}:u{person}", joined
            if kind == NudgeKind.FIRST_FOLLOWER_CHECKIN:
                return (
                    person,
                    movement_id,
                    None,
                    None,
                    f"first_follower_checkin:m{movement_id}:u{person}",
                    joined + timedelta(days=3),
                )
            lead = rng.choice(leads.get(movement_id) or [movements[movement_id][0]])
            return lead, movement_id, None, person, f"welcome_your_follower:m{movement_id}:u{person}:to{lead}", joined
        if kind == NudgeKind.FIND_FIRST_FOLLOWER:
            movement_id = rng.choice(lonely)
            founder, _stage, _end, created = movements[movement_id]
            return founder, movement_id, None, None, f"find_first_follower:m{movement_id}", created + timedelta(days=7)
        movement_id = rng.choice(piloting)  # decision due
        pilot_end = movements[movement_id][2]
        lead = rng.choice(leads.get(movement_id) or [movements[movement_id][0]])
        return (
            lead,
            movement_id,
            None,
            None,
            f"decision_due:m{movement_id}:e{pilot_end:%Y%m%d}:u{lead}",
            now - timedelta(days=rng.randint(1, 60)),
        )

    kinds = [kind for kind, _share in NUDGE_MIX]
    shares = [share for _kind, share in NUDGE_MIX]

    def nudge_rows() -> Iterator[tuple]:
        made = misses = 0
        while made < scale.nudges and misses < scale.nudges * 5:
            kind = rng.choices(kinds, weights=shares)[0]
            try:
                found = draft(kind)
            except IndexError:  # nothing to draw from at a tiny factor (no lonely movement, no answered post)
                found = None
            if found is None or found[4] in seen:
                misses += 1
                continue
            recipient, movement_id, feedback_id, subject, key, created = found
            seen.add(key)
            created = min(created, now)
            email = rng.random() < 0.8
            state = rng.random()
            queued = claimed = sent = emailed = cancelled = read = acted = None
            attempts, due = 0, created
            if state < 0.93:  # sent
                queued, claimed = created + timedelta(seconds=2), created + timedelta(seconds=3)
                sent = created + timedelta(seconds=4 + rng.random() * 60)
                emailed = sent if email else None
                attempts = 1
                if rng.random() < 0.45:
                    read = sent + timedelta(hours=rng.random() * 72)
                if kind in ACTIONABLE and rng.random() < 0.18:
                    acted = sent + timedelta(days=rng.random() * 7)
            elif state < 0.97:  # cancelled: the preference changed or the cap was reached
                cancelled = created + timedelta(seconds=1)
            else:  # still waiting: due later today (quiet hours, the daily cap)
                due = now + timedelta(hours=rng.random() * 12)
            yield (
                first + made,
                kind,
                recipient,
                movement_id,
                feedback_id,
                subject,
                "{}",
                key,
                email,
                True,
                created,
                due,
                queued,
                claimed,
                sent,
                emailed,
                cancelled,
                read,
                acted,
                attempts,
                "",
            )
            made += 1

    count = copy_rows(Nudge, NUDGE_COLUMNS, nudge_rows())
    progress.step("nudges", count, began)
    return count
