"""Demo feedback: a few dozen What Works / What Doesn't posts with votes, comments and answers. Idempotent (keyed on title)."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from activity.models import Activity, Verb
from feedback.models import Comment, Feedback, Kind, Report, Status, StatusChange, Tag, Vote
from feedback.rendering import render_markdown
from movements.models import Movement

TAGS = ["meetings", "documentation", "onboarding", "remote work", "tools", "recognition"]
POSTS = [
    (Kind.WORKS, "Decision log at the top of meeting notes", "meetings"),
    (Kind.DOESNT, "Recurring meetings nobody owns", "meetings"),
    (Kind.WORKS, "Buddy for every new joiner", "onboarding"),
    (Kind.DOESNT, "Onboarding checklist is out of date", "onboarding"),
    (Kind.WORKS, "Async stand-up thread across time zones", "remote work"),
    (Kind.DOESNT, "Cameras-on rule in large calls", "remote work"),
    (Kind.WORKS, "Thank-you messages in the team channel", "recognition"),
    (Kind.DOESNT, "Finding the right document takes ages", "documentation"),
    (Kind.WORKS, "Templates for project kick-offs", "documentation"),
    (Kind.DOESNT, "Too many tools for the same job", "tools"),
    (Kind.WORKS, "Office hours with the platform team", "tools"),
    (Kind.DOESNT, "Meeting invites without an agenda", "meetings"),
]
BODIES = {
    Kind.WORKS: "We tried this for a few weeks and it **saved time**. Others could:\n\n- start small\n- keep it short\n- share what they learn",
    Kind.DOESNT: "This slows us down every week. What would help:\n\n- a clear owner\n- a *simple* default\n- fewer steps",
}


@transaction.atomic
def seed_feedback(*, org: dict, rng: random.Random) -> int:
    now = timezone.now()
    people = org["people"] + [org["champion"], org["employee"]]
    tags = {name: Tag.objects.get_or_create(name=name, defaults={"slug": name.replace(" ", "-")})[0] for name in TAGS}
    movements = list(Movement.objects.order_by("pk")[:4])
    created = 0
    for round_index in range(3):
        for index, (kind, title, tag) in enumerate(POSTS):
            full_title = title if round_index == 0 else f"{title} ({['again', 'in Sales', 'in Finance'][round_index]})"
            if Feedback.objects.filter(title=full_title).exists():
                continue
            anonymous = (index + round_index) % 5 == 0
            author = None if anonymous else people[(index * 5 + round_index * 3) % len(people)]
            created_at = now - timedelta(days=rng.randint(1, 80), hours=rng.randint(0, 23))
            if anonymous:
                created_at = created_at.replace(hour=0, minute=0, second=0, microsecond=0)
            post = Feedback.objects.create(
                kind=kind,
                title=full_title,
                body=BODIES[kind],
                body_html=render_markdown(BODIES[kind]),
                author=author,
                is_anonymous=anonymous,
                movement=movements[index % len(movements)] if movements and index % 3 == 0 else None,
                created_at=created_at,
            )
            post.tags.add(tags[tag])
            Activity.objects.create(actor=author, verb=Verb.POSTED_FEEDBACK, feedback=post, created_at=created_at)
            created += 1
            # Skewed votes: a few posts are popular, most are small.
            voter_count = rng.choice([0, 1, 2, 3, 5, 8, 13, 21]) if index % 4 else rng.randint(0, 3)
            voters = rng.sample([p for p in people if p != author], voter_count)
            Vote.objects.bulk_create(
                [
                    Vote(feedback=post, person=voter, created_at=created_at + timedelta(hours=i + 1))
                    for i, voter in enumerate(voters)
                ]
            )
            comments = []
            for i, commenter in enumerate(voters[:2]):
                comments.append(
                    Comment(
                        feedback=post,
                        author=commenter,
                        body="Same here, thanks for writing it down.",
                        created_at=created_at + timedelta(hours=2 + i),
                    )
                )
            Comment.objects.bulk_create(comments)
            post.vote_count, post.comment_count = len(voters), len(comments)
            if voter_count >= 8:
                post.status = Status.PLANNED if kind == Kind.DOESNT else Status.ACKNOWLEDGED
                post.first_answered_at = created_at + timedelta(days=2)
                StatusChange.objects.create(
                    feedback=post,
                    from_status=Status.NEW,
                    to_status=post.status,
                    response="Thanks, we have heard this from several teams and will act on it.",
                    answered_by=org["admin"],
                    created_at=post.first_answered_at,
                )
            post.save()
    # One open report, so the moderation queue has something to show.
    reported = Comment.objects.order_by("pk").first()
    if reported and not Report.objects.exists():
        Report.objects.create(
            comment=reported, reporter=org["employee"], reason="Off-topic: this is about another team."
        )
    return created
