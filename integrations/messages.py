"""What goes out: the webhook payload of an event, and the chat message (Slack Block Kit, Teams Adaptive
Card) for an event or a nudge. Built in the event's transaction, so it describes the moment it happened.

An event with no actor (an anonymous post, recorded later in a shuffled batch) yields a payload with no
actor and nothing derived from one: only the post's id, kind, title, link and its day."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from activity.models import Activity, Verb
from nudges.messages import absolute

from .models import EventType

EVENT_TYPES = {
    Verb.STARTED_MOVEMENT: EventType.MOVEMENT_STARTED,
    Verb.JOINED: EventType.MEMBER_JOINED,
    Verb.LEFT: EventType.MEMBER_LEFT,
    Verb.POSTED_UPDATE: EventType.UPDATE_POSTED,
    Verb.WELCOMED: EventType.FOLLOWERS_WELCOMED,
    Verb.CHANGED_STAGE: EventType.STAGE_CHANGED,
    Verb.RECORDED_DECISION: EventType.DECISION_RECORDED,
    Verb.POSTED_FEEDBACK: EventType.FEEDBACK_POSTED,
    Verb.ANSWERED_FEEDBACK: EventType.FEEDBACK_ANSWERED,
    Verb.COMMENTED: EventType.FEEDBACK_COMMENTED,
}
# What a movement's chat channel hears: its updates, welcomes, stage changes and decisions.
MOVEMENT_CHANNEL_VERBS = {Verb.POSTED_UPDATE, Verb.WELCOMED, Verb.CHANGED_STAGE, Verb.RECORDED_DECISION}
# Ids and states from the event's payload that may leave the site (never a name, address or free text).
PAYLOAD_KEYS = ("membership_id", "status_change_id", "from_status", "to_status", "was_lead")


def webhook_payload(event: Activity) -> dict:
    data: dict = {"event_id": event.pk}
    if event.movement_id:
        movement = event.movement
        data["movement"] = {
            "id": movement.pk,
            "slug": movement.slug,
            "title": movement.title,
            "stage": movement.stage,
            "url": absolute(movement.get_absolute_url()),
        }
    if event.feedback_id:
        post = event.feedback
        data["feedback"] = {
            "id": post.pk,
            "kind": post.kind,
            "title": post.title,
            "status": post.status,
            "anonymous": post.is_anonymous,
            "url": absolute(post.get_absolute_url()),
        }
    if event.actor_id is not None:
        data["actor"] = {"id": event.actor_id, "name": event.actor.name}
    data.update({key: event.payload[key] for key in PAYLOAD_KEYS if key in (event.payload or {})})
    return {"type": str(EVENT_TYPES[event.verb]), "timestamp": event.created_at.isoformat(), "data": data}


def event_text(event: Activity) -> tuple[str, str, str]:
    """(headline, detail, link) for a movement's chat channel."""
    movement = event.movement
    who = event.actor.name if event.actor_id else _("Someone")
    values = {"who": who, "movement": movement.title, "stage": movement.get_stage_display()}
    headline = {
        Verb.POSTED_UPDATE: _("%(who)s posted an update in “%(movement)s”"),
        Verb.WELCOMED: _("%(who)s welcomed new followers to “%(movement)s”"),
        Verb.CHANGED_STAGE: _("“%(movement)s” is now %(stage)s"),
        Verb.RECORDED_DECISION: _("A decision was recorded for “%(movement)s”: %(stage)s"),
    }[event.verb] % values
    detail = ""
    if event.verb in (Verb.POSTED_UPDATE, Verb.WELCOMED):
        update = movement.updates.order_by("-created_at", "-pk").first()
        detail = update.body[:500] if update else ""
    return headline, detail, absolute(movement.get_absolute_url())


def slack_message(*, headline: str, detail: str, link: str) -> dict:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": f"*{_escape_slack(headline)}*"}}]
    if detail:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _escape_slack(detail)}})
    blocks.append(
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": _("Open in %(site)s") % {"site": settings.SITE_NAME}},
                    "url": link,
                }
            ],
        }
    )
    return {"text": headline, "blocks": blocks}


def _escape_slack(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def teams_message(*, headline: str, detail: str, link: str) -> dict:
    body = [{"type": "TextBlock", "text": headline, "weight": "Bolder", "wrap": True}]
    if detail:
        body.append({"type": "TextBlock", "text": detail, "wrap": True})
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
        "actions": [
            {"type": "Action.OpenUrl", "title": _("Open in %(site)s") % {"site": settings.SITE_NAME}, "url": link}
        ],
    }
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


def chat_message(kind: str, *, headline: str, detail: str, link: str) -> dict:
    return (slack_message if kind == "slack" else teams_message)(headline=headline, detail=detail, link=link)
