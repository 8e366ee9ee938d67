"""A person's secret feed links: Atom feeds of a movement's updates and of feedback (with the person's
visibility) and an iCalendar feed of the pilots they belong to. No session: the secret is the proof."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import feedgenerator, timezone

from feedback import selectors as feedback_selectors
from feedback.selectors import ListFilters
from movements.models import Membership, Movement
from nudges.messages import absolute
from pilots import selectors as pilot_selectors

from . import services
from .models import FeedToken

ITEMS = 50


def person_for(token: str):
    """The active person whose feed secret this is, or 404."""
    found = (
        FeedToken.objects.select_related("person", "person__department")
        .filter(token_hash=services.feed_token_hash(token), person__is_active=True)
        .first()
    )
    if found is None:
        raise Http404
    return found.person


def _atom(feed: feedgenerator.Atom1Feed) -> HttpResponse:
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    feed.write(response, "utf-8")
    return response


def movement_updates(*, person, slug: str) -> HttpResponse:
    movement = Movement.objects.visible_to(person).filter(slug=slug).first()
    if movement is None:
        raise Http404
    link = absolute(movement.get_absolute_url())
    feed = feedgenerator.Atom1Feed(
        title=f"{movement.title} · {settings.SITE_NAME}",
        link=link,
        description=movement.pitch,
        feed_guid=f"{link}#updates",
    )
    for update in movement.updates.select_related("author").order_by("-created_at", "-pk")[:ITEMS]:
        feed.add_item(
            title=f"{update.author.name}: {update.body[:80]}",
            link=f"{link}#update-{update.pk}",
            description=update.body,
            author_name=update.author.name,
            pubdate=update.created_at,
            unique_id=f"{link}#update-{update.pk}",
        )
    return _atom(feed)


def feedback_posts(*, person) -> HttpResponse:
    posts = (
        feedback_selectors.ordered_posts(
            feedback_selectors.filtered_posts(person=person, filters=ListFilters()), "newest"
        )
        .select_related("author")
        .prefetch_related(feedback_selectors.shown_tags(person))[:ITEMS]
    )
    link = absolute("/feedback/")
    feed = feedgenerator.Atom1Feed(
        title=f"Feedback · {settings.SITE_NAME}", link=link, description="What Works and What Doesn't", feed_guid=link
    )
    for post in posts:
        url = absolute(post.get_absolute_url())
        feed.add_item(
            title=f"[{post.get_kind_display()}] {post.title}",
            link=url,
            description=post.body_html,
            author_name=None if post.is_anonymous or post.author is None else post.author.name,
            categories=[tag.name for tag in post.shown_tags],  # approved topics only (and the reader's own)
            pubdate=post.created_at,
            unique_id=url,
        )
    return _atom(feed)


def pilots_calendar(*, person) -> HttpResponse:
    """Each pilot of a movement the person follows: the pilot (start to end) and the members' decision window
    (pilots.selectors.decision_windows: planned from the end day, then the proposal's own times). UIDs are
    stable (one per pilot and one per decision window, whatever the proposal), so calendars move the events in
    place. Queries: the movements, the proposals."""
    host = urlsplit(settings.SITE_URL).hostname or "socialbiz"
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{settings.SITE_NAME}//pilots//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Pilots · {settings.SITE_NAME}")
    movement_ids = Membership.objects.current().filter(person=person).values("movement_id")
    movements = list(
        Movement.objects.visible_to(person)
        .filter(pk__in=movement_ids, pilot_start__isnull=False, pilot_end__isnull=False)
        .order_by("pilot_start", "pk")
    )
    windows = pilot_selectors.decision_windows(movements=movements)
    stamp = timezone.now()
    for movement in movements:
        link = absolute(movement.get_absolute_url())
        pilot = icalendar.Event()
        pilot.add("uid", f"pilot-{movement.pk}@{host}")
        pilot.add("dtstamp", stamp)
        pilot.add("summary", f"Pilot: {movement.title}")
        pilot.add("dtstart", movement.pilot_start)
        pilot.add("dtend", movement.pilot_end + dt.timedelta(days=1))
        pilot.add("description", movement.hypothesis or movement.pitch)
        pilot.add("url", link)
        calendar.add_component(pilot)
        window = windows[movement.pk]
        decision = icalendar.Event()
        decision.add("uid", f"decision-{movement.pk}@{host}")
        decision.add("dtstamp", stamp)
        decision.add("summary", f"Decision window: {movement.title}")
        decision.add("dtstart", window.start)
        decision.add("dtend", window.end)
        decision.add(
            "description",
            "Members consent, abstain or object to the leads' proposal: adopt, extend or retire."
            if window.proposal_id
            else "The leads propose to adopt, extend or retire; the members then consent, abstain or object.",
        )
        decision.add("url", link)
        calendar.add_component(decision)
    return HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
