"""The words of each nudge: warm, short, naming the movement and the person, with one clear action.

`headline` needs only the nudge's own select_related objects (the notifications page renders it in a
loop without extra queries); `message_for` may read more (the weekly digest) and runs in the worker.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from movements.templatetags.movements_tags import timedelta_days
from sponsors.selectors import monthly_summary, movement_figures

from .digest import weekly_digest_for
from .models import Kind, Nudge


@dataclass
class Message:
    subject: str
    greeting: str
    paragraphs: list[str]
    action_label: str
    action_path: str
    items: list[str] = field(default_factory=list)

    @property
    def action_url(self) -> str:
        return absolute(self.action_path)


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _movement_path(nudge: Nudge, anchor: str = "") -> str:
    return (nudge.movement.get_absolute_url() + anchor) if nudge.movement_id else reverse("home")


def action_path(nudge: Nudge) -> str:
    if nudge.kind in (Kind.FEEDBACK_ANSWERED, Kind.FEEDBACK_MERGED) and nudge.feedback_id:
        return nudge.feedback.get_absolute_url()
    if nudge.kind in (Kind.WATCHED_ACTIVITY, Kind.MENTIONED):
        return str(nudge.context.get("path") or "") or _item_path(nudge)
    if nudge.kind == Kind.FOLLOWER_JOINED and nudge.movement_id:
        return reverse("movements:welcome", kwargs={"slug": nudge.movement.slug})
    if nudge.kind == Kind.WEEKLY_DIGEST:
        return reverse("home")
    if nudge.kind == Kind.INTEGRATION_DISABLED:
        return str(nudge.context.get("path") or reverse("home"))
    if nudge.kind == Kind.REPORT_RECEIVED:
        return reverse("feedback:moderation")
    if nudge.kind == Kind.OPEN_ROLES:
        return _movement_path(nudge, "#roles")
    if nudge.kind == Kind.SPONSOR_REQUEST and nudge.context.get("sponsorship_id"):
        return reverse("sponsors:answer", kwargs={"pk": nudge.context["sponsorship_id"]})
    if nudge.kind == Kind.SUPPORT_REQUESTED and nudge.context.get("support_request_id"):
        return reverse("sponsors:support_answer", kwargs={"pk": nudge.context["support_request_id"]})
    if (
        nudge.kind in (Kind.PROPOSAL_OPENED, Kind.OBJECTION_RAISED, Kind.PROPOSAL_CLOSING, Kind.DECISION_DUE)
        and nudge.movement_id
    ):
        return reverse("pilots:proposal", kwargs={"slug": nudge.movement.slug})
    if nudge.kind == Kind.PULSE_DUE and nudge.movement_id:
        return reverse("pilots:pulse_answer", kwargs={"slug": nudge.movement.slug})
    if nudge.kind == Kind.MEASURE_STALE and nudge.movement_id:
        return reverse("pilots:measure_record", kwargs={"slug": nudge.movement.slug})
    if nudge.kind in (Kind.SPONSOR_MONTHLY, Kind.FIND_A_SPONSOR):
        return _movement_path(nudge, "#sponsors")
    return _movement_path(nudge)


def _item_path(nudge: Nudge) -> str:
    if nudge.feedback_id:
        return nudge.feedback.get_absolute_url()
    return _movement_path(nudge)


def _item_title(nudge: Nudge) -> str:
    return nudge.feedback.title if nudge.feedback_id else (nudge.movement.title if nudge.movement_id else "")


def watch_summary(counts: dict) -> str:
    """ "3 new comments", "1 new comment and 2 updates": what a batch of watch news holds."""
    parts = []
    for what in ("comment", "reply", "answer", "update", "stage"):  # a fixed order: JSON keys come back sorted
        n = int(counts.get(what, 0))
        if not n:
            continue
        if what == "comment":
            parts.append(ngettext("%(n)s new comment", "%(n)s new comments", n) % {"n": n})
        elif what == "answer":
            parts.append(ngettext("%(n)s official answer", "%(n)s official answers", n) % {"n": n})
        elif what == "update":
            parts.append(ngettext("%(n)s new update", "%(n)s new updates", n) % {"n": n})
        elif what == "stage":
            parts.append(ngettext("%(n)s stage change", "%(n)s stage changes", n) % {"n": n})
        elif what == "reply":
            parts.append(ngettext("%(n)s reply to an update", "%(n)s replies to updates", n) % {"n": n})
    if not parts:
        return _("News")
    if len(parts) == 1:
        return parts[0]
    return _("%(first)s and %(last)s") % {"first": ", ".join(parts[:-1]), "last": parts[-1]}


def _mentioner(nudge: Nudge) -> str:
    """Who mentioned the person: never anything that identifies the author of an anonymous post."""
    if nudge.context.get("anonymous"):
        return _("An anonymous colleague")
    return nudge.subject_person.name if nudge.subject_person_id else _("A colleague")


def headline(nudge: Nudge) -> str:
    """One line for the bell and the notifications page."""
    movement = nudge.movement.title if nudge.movement_id else ""
    other = nudge.subject_person.name if nudge.subject_person_id else _("A colleague")
    match nudge.kind:
        case Kind.FIRST_FOLLOWER_WELCOME:
            return _("You are one of the first followers of “%(movement)s”. Take a role or bring one colleague.") % {
                "movement": movement
            }
        case Kind.WELCOME_YOUR_FOLLOWER:
            return _("%(person)s joined “%(movement)s” early. Welcome them in public.") % {
                "person": other,
                "movement": movement,
            }
        case Kind.FIRST_FOLLOWER_CHECKIN:
            return _("How is “%(movement)s” going for you? One small step keeps it moving.") % {"movement": movement}
        case Kind.FIND_FIRST_FOLLOWER:
            return _("“%(movement)s” is waiting for its first follower. Invite one colleague.") % {"movement": movement}
        case Kind.OPEN_ROLES:
            return _("“%(movement)s” has open roles you could take.") % {"movement": movement}
        case Kind.DECISION_DUE:
            return _("The pilot of “%(movement)s” has ended: adopt, extend or retire?") % {"movement": movement}
        case Kind.INVITATION:
            return _("%(person)s invited you to join “%(movement)s”.") % {"person": other, "movement": movement}
        case Kind.FEEDBACK_ANSWERED:
            title = nudge.feedback.title if nudge.feedback_id else ""
            return _("“%(title)s” has an official answer.") % {"title": title}
        case Kind.FEEDBACK_MERGED:
            return _("“%(source)s” was merged into “%(title)s”: the conversation continues there.") % {
                "source": nudge.context.get("source_title", ""),
                "title": nudge.feedback.title if nudge.feedback_id else "",
            }
        case Kind.WEEKLY_DIGEST:
            return _("Your week in %(site)s: movements, open roles and new feedback.") % {"site": settings.SITE_NAME}
        case Kind.SPONSOR_REQUEST:
            return _("%(person)s asks you to sponsor “%(movement)s”.") % {"person": other, "movement": movement}
        case Kind.SUPPORT_REQUESTED:
            return _("“%(movement)s”, which you sponsor, asks for help: %(what)s") % {
                "movement": movement,
                "what": nudge.context.get("what", ""),
            }
        case Kind.SPONSOR_MONTHLY:
            return _("This month in “%(movement)s”, which you sponsor.") % {"movement": movement}
        case Kind.FIND_A_SPONSOR:
            return _("The pilot of “%(movement)s” has no sponsor yet. Ask a manager to back it.") % {
                "movement": movement
            }
        case Kind.WATCHED_ACTIVITY:
            return _("%(news)s on “%(title)s”") % {
                "news": watch_summary(nudge.context.get("counts", {})),
                "title": _item_title(nudge),
            }
        case Kind.FOLLOWER_JOINED:
            return _("%(person)s just joined “%(movement)s” as a first follower. Welcome them now.") % {
                "person": other,
                "movement": movement,
            }
        case Kind.MENTIONED if nudge.context.get("limit"):
            return _("You mentioned more than %(limit)s people in “%(title)s”: only the first %(limit)s were told.") % {
                "limit": nudge.context["limit"],
                "title": _item_title(nudge),
            }
        case Kind.MENTIONED:
            return _("%(person)s mentioned you in “%(title)s”.") % {
                "person": _mentioner(nudge),
                "title": _item_title(nudge),
            }
        case Kind.PROPOSAL_OPENED:
            return _("The leads of “%(movement)s” propose a decision: consent, abstain or object.") % {
                "movement": movement
            }
        case Kind.OBJECTION_RAISED:
            return _("%(person)s objects to the proposal in “%(movement)s”: answer it.") % {
                "person": other,
                "movement": movement,
            }
        case Kind.PROPOSAL_CLOSING:
            return _("The proposal in “%(movement)s” closes in 24 hours: respond if you want a say.") % {
                "movement": movement
            }
        case Kind.PULSE_DUE:
            return _("How is the pilot of “%(movement)s” going? A few questions, answered anonymously.") % {
                "movement": movement
            }
        case Kind.MEASURE_STALE:
            return _("“%(measure)s” in “%(movement)s” has not been updated for two weeks: record a value.") % {
                "measure": nudge.context.get("measure", ""),
                "movement": movement,
            }
        case Kind.INTEGRATION_DISABLED:
            if nudge.context.get("label"):  # a chat channel: named by whose it is (its URL is a secret)
                return _("%(label)s failed %(count)s times in a row and was turned off.") % {
                    "label": nudge.context["label"],
                    "count": nudge.context.get("failures", ""),
                }
            return _("The webhook %(target)s failed %(count)s times in a row and was turned off.") % {
                "target": nudge.context.get("target", ""),
                "count": nudge.context.get("failures", ""),
            }
        case Kind.REPORT_RECEIVED:
            title = nudge.feedback.title if nudge.feedback_id else ""
            if nudge.context.get("on_comment"):
                return _("A comment on “%(title)s” was reported.") % {"title": title}
            return _("“%(title)s” was reported.") % {"title": title}
    return str(nudge.get_kind_display())


def message_for(nudge: Nudge) -> Message:
    """The full email for a nudge."""
    name = nudge.recipient.name
    greeting = _("Hi %(name)s,") % {"name": name}
    movement = nudge.movement.title if nudge.movement_id else ""
    other = nudge.subject_person.name if nudge.subject_person_id else _("A colleague")
    path = action_path(nudge)
    values = {"movement": movement, "person": other, "site": settings.SITE_NAME}
    match nudge.kind:
        case Kind.FIRST_FOLLOWER_WELCOME:
            return Message(
                _("Welcome to “%(movement)s”, you are one of its first followers") % values,
                greeting,
                [
                    _(
                        "Thank you for following “%(movement)s”. The first followers are what turn one person's idea "
                        "into a movement, and you are one of them."
                    )
                    % values,
                    _("Two things help most now: take one of its roles, and bring one colleague along."),
                ],
                _("Take a role in “%(movement)s”") % values,
                path,
            )
        case Kind.WELCOME_YOUR_FOLLOWER:
            return Message(
                _("%(person)s joined “%(movement)s”: welcome them") % values,
                greeting,
                [
                    _(
                        "%(person)s is one of the first followers of “%(movement)s”. A short public welcome shows "
                        "everyone that followers are equals, and makes the next person more likely to join."
                    )
                    % values
                ],
                _("Welcome %(person)s") % values,
                path,
            )
        case Kind.FIRST_FOLLOWER_CHECKIN:
            return Message(
                _("How is “%(movement)s” going?") % values,
                greeting,
                [
                    _(
                        "You joined “%(movement)s” a few days ago. Is there one small thing you could do this week? "
                        "Claim a role, post an update, or invite a colleague."
                    )
                    % values
                ],
                _("Open “%(movement)s”") % values,
                path,
            )
        case Kind.FIND_FIRST_FOLLOWER:
            return Message(
                _("Find the first follower for “%(movement)s”") % values,
                greeting,
                [
                    _(
                        "“%(movement)s” has been waiting a week for its first follower. Ask one colleague personally: "
                        "one person joining is what makes an idea a movement."
                    )
                    % values
                ],
                _("Invite a colleague to “%(movement)s”") % values,
                path,
            )
        case Kind.OPEN_ROLES:
            return Message(
                _("“%(movement)s” has a role for you") % values,
                greeting,
                [
                    _(
                        "“%(movement)s” has roles with free seats. Taking one is how it becomes everybody's project, "
                        "not one person's."
                    )
                    % values
                ],
                _("See the open roles") % values,
                path,
            )
        case Kind.DECISION_DUE:
            return Message(
                _("Time to decide about “%(movement)s”") % values,
                greeting,
                [
                    _(
                        "The pilot of “%(movement)s” has reached its end date. Propose the decision to the members: "
                        "adopt it, extend it with a new end date, or retire it, with a short rationale; they have a "
                        "few days to consent or object, then you record it."
                    )
                    % values
                ],
                _("Propose the decision"),
                path,
            )
        case Kind.INVITATION:
            note = str(nudge.context.get("note", ""))
            paragraphs = [_("%(person)s invited you to join “%(movement)s”.") % values]
            if note:
                paragraphs.append(_("Their note: “%(note)s”") % {"note": note})
            return Message(
                _("%(person)s invited you to “%(movement)s”") % values,
                greeting,
                paragraphs,
                _("Have a look at “%(movement)s”") % values,
                path,
            )
        case Kind.FEEDBACK_ANSWERED:
            title = nudge.feedback.title if nudge.feedback_id else ""
            status = str(nudge.context.get("status_label", ""))
            response = str(nudge.context.get("response", ""))
            paragraphs = [_("“%(title)s” has an official answer: %(status)s.") % {"title": title, "status": status}]
            if response:
                paragraphs.append(response)
            return Message(
                _("Your feedback “%(title)s” was answered") % {"title": title},
                greeting,
                paragraphs,
                _("Read the answer"),
                path,
            )
        case Kind.FEEDBACK_MERGED:
            values = {
                "source": nudge.context.get("source_title", ""),
                "title": nudge.feedback.title if nudge.feedback_id else "",
            }
            return Message(
                _("“%(source)s” was merged into another post") % values,
                greeting,
                [
                    _(
                        "“%(source)s” said the same as “%(title)s”, so the two were merged: the “me too” votes are "
                        "counted once on “%(title)s” and the comments moved there, with their times."
                    )
                    % values
                ],
                _("Open “%(title)s”") % values,
                path,
            )
        case Kind.WEEKLY_DIGEST:
            digest = weekly_digest_for(person=nudge.recipient)
            items = [
                ngettext("%(movement)s: %(count)s new update", "%(movement)s: %(count)s new updates", m.recent_updates)
                % {"movement": m.title, "count": m.recent_updates}
                for m in digest["movements"]
            ]
            items += [
                _("Open role: %(role)s in %(movement)s") % {"role": r.name, "movement": r.movement.title}
                for r in digest["open_roles"]
            ]
            return Message(
                _("Your week in %(site)s") % values,
                greeting,
                [
                    ngettext(
                        "Here is what moved this week. %(count)s new feedback post was shared.",
                        "Here is what moved this week. %(count)s new feedback posts were shared.",
                        digest["new_feedback"],
                    )
                    % {"count": digest["new_feedback"]}
                ],
                _("Open %(site)s") % values,
                path,
                items,
            )
        case Kind.SPONSOR_REQUEST:
            return _sponsor_request_message(nudge, greeting, values, path)
        case Kind.SUPPORT_REQUESTED:
            return Message(
                _("“%(movement)s” asks its sponsors for help") % values,
                greeting,
                [
                    _("%(person)s, a lead of “%(movement)s”, asks the sponsors for help.") % values,
                    f"{nudge.context.get('kind', '')}: {nudge.context.get('what', '')}",
                    _(
                        "Answer with granted, not now or declined, and a short note: the leads need to know what happens next."
                    ),
                ],
                _("Answer the request"),
                path,
            )
        case Kind.SPONSOR_MONTHLY:
            summary = monthly_summary(movement=nudge.movement, since=nudge.due_at - dt.timedelta(days=31))
            items = [
                _("Stage: %(stage)s") % {"stage": nudge.movement.get_stage_display()},
                _("Followers: %(count)s (%(new)s joined in the last month)")
                % {"count": summary.followers, "new": summary.joined_this_month},
                _("Things people did in it in the last month: %(count)s") % {"count": summary.activity_this_month},
                _("Requests for help waiting for an answer: %(count)s") % {"count": summary.open_requests},
            ]
            if summary.sanctioned:
                items.append(_("It is officially sanctioned."))
            return Message(
                _("This month in “%(movement)s”") % values,
                greeting,
                [_("A short summary of “%(movement)s”, which you sponsor.") % values],
                _("Open “%(movement)s”") % values,
                path,
                items,
            )
        case Kind.FIND_A_SPONSOR:
            return Message(
                _("Find a sponsor for the pilot of “%(movement)s”") % values,
                greeting,
                [
                    _(
                        "The pilot of “%(movement)s” has been running for %(days)s days without a sponsor. A manager "
                        "or executive who backs it can answer your requests for help and give it the permission to "
                        "officially explore."
                    )
                    % {**values, "days": settings.SPONSOR_NUDGE_AFTER_DAYS},
                ],
                _("Ask someone to sponsor it"),
                path,
            )
        case Kind.WATCHED_ACTIVITY:
            return Message(
                headline(nudge),
                greeting,
                [
                    _("There is news on “%(title)s”, which you watch: %(news)s.")
                    % {"title": _item_title(nudge), "news": watch_summary(nudge.context.get("counts", {}))},
                    _("You can stop watching it with the Watch button on its page."),
                ],
                _("Open “%(title)s”") % {"title": _item_title(nudge)},
                path,
            )
        case Kind.FOLLOWER_JOINED:
            return Message(
                headline(nudge),
                greeting,
                [_("A short public welcome now shows everyone that followers are equals.")],
                _("Welcome %(person)s") % values,
                path,
            )
        case Kind.MENTIONED:
            return Message(
                headline(nudge),
                greeting,
                [headline(nudge)],
                _("Read it"),
                path,
            )
        case Kind.PROPOSAL_OPENED | Kind.OBJECTION_RAISED | Kind.PROPOSAL_CLOSING:
            return Message(headline(nudge), greeting, [headline(nudge)], _("Open the proposal"), path)
        case Kind.PULSE_DUE:
            return Message(
                _("How is the pilot of “%(movement)s” going?") % values,
                greeting,
                [
                    _(
                        "The pilot of “%(movement)s” asks its members a few questions. Your answer is anonymous: "
                        "it is stored without your name, and results are shown only once at least 5 people answered."
                    )
                    % values,
                ],
                _("Answer the pulse"),
                path,
            )
        case Kind.MEASURE_STALE:
            return Message(
                _("“%(measure)s” needs a new value") % {"measure": nudge.context.get("measure", "")},
                greeting,
                [
                    headline(nudge),
                    _(
                        "The pilot is judged on its measures: without recent values nobody can tell whether it is "
                        "on track when the members decide."
                    ),
                ],
                _("Record a value"),
                path,
            )
        case Kind.INTEGRATION_DISABLED:
            return Message(
                _("A chat channel was turned off") if nudge.context.get("label") else _("A webhook was turned off"),
                greeting,
                [
                    headline(nudge),
                    _("Check the channel's webhook URL and connect it again; messages wait until then.")
                    if nudge.context.get("label")
                    else _("Check the receiver, then turn the endpoint on again; failed deliveries can be sent again."),
                ],
                _("Check the channel") if nudge.context.get("label") else _("See the endpoint's attempts"),
                path,
            )
        case Kind.REPORT_RECEIVED:
            # The reason the reporter gave, never the author: an anonymous post has none to give.
            reason = str(nudge.context.get("reason", ""))
            paragraphs = [headline(nudge)]
            if reason:
                paragraphs.append(_("The reason given: “%(reason)s”") % {"reason": reason})
            paragraphs.append(_("Hide it or dismiss the report from the moderation queue."))
            return Message(_("Something was reported"), greeting, paragraphs, _("Open the moderation queue"), path)
    raise ValueError(f"unknown nudge kind {nudge.kind}")


def _sponsor_request_message(nudge: Nudge, greeting: str, values: dict, path: str) -> Message:
    """The pitch and the figures: followers, tipping point, ownership share, the pilot's measures."""
    movement = nudge.movement
    figures = movement_figures(movement=movement)
    never = _("not yet")
    items = [
        _("Followers: %(count)s") % {"count": figures.followers},
        _("Time to first follower: %(time)s") % {"time": timedelta_days(figures.tipping.first_follower_after) or never},
        _("Time to third follower: %(time)s") % {"time": timedelta_days(figures.tipping.third_follower_after) or never},
    ]
    share = figures.ownership.others_activity_share
    items.append(
        _("Activity by others than the founder (last %(days)s days): %(share)s")
        % {"days": figures.ownership.window_days, "share": f"{share:.0%}" if share is not None else _("none")}
    )
    if movement.hypothesis:
        items.append(_("Pilot hypothesis: %(text)s") % {"text": movement.hypothesis})
        items.append(_("Success measure: %(text)s") % {"text": movement.success_measure})
    paragraphs = [_("%(person)s asks you to sponsor “%(movement)s”.") % values, movement.pitch]
    note = str(nudge.context.get("note", ""))
    if note:
        paragraphs.append(_("Their note: “%(note)s”") % {"note": note})
    paragraphs.append(_("A sponsor backs a movement and answers its requests for help; they do not lead it."))
    return Message(_("Will you sponsor “%(movement)s”?") % values, greeting, paragraphs, _("Answer"), path, items)
