"""The feedback sections of a person's data export (people/privacy.py). Anonymous posts are not theirs."""

from people.privacy import export_section, iso

from .models import Comment, Feedback, Vote


@export_section("feedback", order=20)
def named_posts(person) -> list[dict]:
    return [
        {"title": f.title, "kind": f.kind, "body": f.body, "status": f.status, "created_at": iso(f.created_at)}
        for f in Feedback.objects.filter(author=person, is_anonymous=False).order_by("created_at", "pk")
    ]


@export_section("votes", order=21)
def votes(person) -> list[dict]:
    return [
        {"feedback": v.feedback.title, "created_at": iso(v.created_at)}
        for v in Vote.objects.filter(person=person).select_related("feedback").order_by("created_at", "pk")
    ]


@export_section("comments", order=22)
def comments(person) -> list[dict]:
    return [
        {"feedback": c.feedback.title, "body": c.body, "created_at": iso(c.created_at)}
        for c in Comment.objects.filter(author=person).select_related("feedback").order_by("created_at", "pk")
    ]
