"""Topics under a moderator's control: proposing, approving, renaming, merging and retiring.

A topic an employee proposes is shown to them at once and to everybody else once a moderator approves it
(Tag.objects.visible_to). Moderators rename, merge (the posts of one topic get the other, never twice) and
retire topics; retired and merged topics stay on their posts as history but are shown to nobody.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from activity.events import event_record
from activity.models import Verb

from .models import Tag

NAME_MAX = 50
SLUG_MAX = 60


def topic_name_clean(raw: str) -> str:
    """One line, NFC (the same letters typed two ways are one name), lower case, at most 50 characters.
    Letters of every script are kept; control characters go."""
    text = unicodedata.normalize("NFC", str(raw))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cc")
    return " ".join(text.split())[:NAME_MAX].lower()


def _slug_base(name: str) -> str:
    base = slugify(name, allow_unicode=True)
    if not base:
        # Only symbols ("🎉", "★★"): their Unicode names read well enough ("party-popper").
        base = slugify(" ".join(unicodedata.name(ch, "") for ch in name if not ch.isspace()))
    return base[: SLUG_MAX - 6].strip("-") or "topic"


def topic_slug(name: str, *, exclude_pk: int | None = None) -> str:
    """A readable slug, unique among topics, never empty: "日本語", "remote-work", "remote-work-2"."""
    base = _slug_base(name)
    taken = set(Tag.objects.filter(slug__startswith=base).exclude(pk=exclude_pk).values_list("slug", flat=True))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _follow_merges(tag: Tag) -> Tag:
    seen = set()
    while tag.merged_into_id and tag.pk not in seen:
        seen.add(tag.pk)
        tag = tag.merged_into
    return tag


def tags_get_or_create(*, names: list[str], person=None) -> list[Tag]:
    """Existing topics by name (case-insensitive; a merged one gives the topic it went into; retired ones are
    left out), new ones created. A new topic from a moderator is approved at once; from anyone else (or from
    an anonymous post, person=None) it waits for a moderator, shown only to the person who proposed it."""
    tags: list[Tag] = []
    for raw in names:
        name = topic_name_clean(raw)
        if not name:
            continue
        tag = Tag.objects.select_related("merged_into").filter(name__iexact=name).first()
        if tag is None:
            tag = _topic_propose(name=name, person=person)
        tag = _follow_merges(tag)
        if person is None and tag.approved_at is None and tag.created_by_id is not None:
            # An anonymous post never carries someone's still-pending topic: moderators see who proposed it.
            continue
        if tag.retired_at is None and tag not in tags:
            tags.append(tag)
    return tags


def _topic_propose(*, name: str, person) -> Tag:
    moderator = person is not None and person.can_moderate
    for attempt in range(3):
        try:
            with transaction.atomic():
                tag = Tag.objects.create(
                    name=name,
                    slug=topic_slug(name),
                    created_by=person,
                    approved_at=timezone.now() if moderator else None,
                )
                event_record(
                    verb=Verb.PROPOSED_TOPIC,
                    actor=person,
                    payload={"tag_id": tag.pk, "name": tag.name, "approved": moderator},
                )
            return tag
        except IntegrityError:  # someone created it at the same moment, or took the slug: then try the next one
            tag = Tag.objects.filter(name__iexact=name).first()
            if tag is not None:
                return tag
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _require_moderator(person) -> None:
    if not person.can_moderate:
        raise ValidationError(_("Only moderators look after topics."))


def _locked(tag: Tag) -> Tag:
    return Tag.objects.select_for_update().get(pk=tag.pk)


@transaction.atomic
def topic_approve(*, moderator, tag: Tag) -> Tag:
    _require_moderator(moderator)
    tag = _locked(tag)
    if tag.retired_at is not None:
        raise ValidationError(_("This topic is retired."))
    if tag.approved_at is None:
        tag.approved_at = timezone.now()
        tag.save(update_fields=["approved_at"])
        event_record(verb=Verb.APPROVED_TOPIC, actor=moderator, payload={"tag_id": tag.pk, "name": tag.name})
    return tag


@transaction.atomic
def topic_rename(*, moderator, tag: Tag, name: str) -> Tag:
    _require_moderator(moderator)
    tag = _locked(tag)
    new_name = topic_name_clean(name)
    if not new_name:
        raise ValidationError({"name": _("Give the topic a name.")})
    if tag.retired_at is not None:
        raise ValidationError(_("This topic is retired."))
    if Tag.objects.filter(name__iexact=new_name).exclude(pk=tag.pk).exists():
        raise ValidationError({"name": _("Another topic has this name: merge the two instead.")})
    if new_name == tag.name:
        return tag
    old_name = tag.name
    tag.name, tag.slug = new_name, topic_slug(new_name, exclude_pk=tag.pk)
    try:
        with transaction.atomic():
            tag.save(update_fields=["name", "slug"])
    except IntegrityError:  # the same name or slug taken at the same moment
        raise ValidationError({"name": _("Another topic has this name: merge the two instead.")}) from None
    event_record(verb=Verb.RENAMED_TOPIC, actor=moderator, payload={"tag_id": tag.pk, "from": old_name, "to": tag.name})
    return tag


@transaction.atomic
def topic_merge(*, moderator, source: Tag, target: Tag) -> Tag:
    """Every post of `source` gets `target` (once: a post that had both keeps one), and `source` is retired,
    pointing to `target` so the name typed again gives `target`. Returns the target."""
    _require_moderator(moderator)
    if source.pk == target.pk:
        raise ValidationError({"target": _("Choose another topic to merge into.")})
    # Lock both in id order: two merges of the same pair, either way round, cannot deadlock.
    locked = {t.pk: t for t in Tag.objects.select_for_update().filter(pk__in=[source.pk, target.pk]).order_by("pk")}
    source, target = locked[source.pk], locked[target.pk]
    if source.retired_at is not None:
        raise ValidationError(_("This topic is retired."))
    if target.retired_at is not None:
        raise ValidationError({"target": _("Choose a topic that is not retired.")})
    through = Tag.feedback.through
    post_ids = list(through.objects.filter(tag=source).values_list("feedback_id", flat=True))
    already = set(through.objects.filter(tag=target, feedback_id__in=post_ids).values_list("feedback_id", flat=True))
    through.objects.bulk_create(
        [through(tag=target, feedback_id=pk) for pk in post_ids if pk not in already], ignore_conflicts=True
    )
    through.objects.filter(tag=source).delete()
    now = timezone.now()
    source.retired_at, source.merged_into = now, target
    source.save(update_fields=["retired_at", "merged_into"])
    if target.approved_at is None:  # a moderator chose it: it is approved now
        target.approved_at = now
        target.save(update_fields=["approved_at"])
    event_record(
        verb=Verb.MERGED_TOPIC,
        actor=moderator,
        payload={
            "tag_id": source.pk,
            "name": source.name,
            "into_tag_id": target.pk,
            "into": target.name,
            "posts": len(post_ids),
        },
    )
    return target


@transaction.atomic
def topic_retire(*, moderator, tag: Tag) -> Tag:
    """Nobody sees the topic any more (list filter, cards, posts, API, feeds); its rows stay on the posts."""
    _require_moderator(moderator)
    tag = _locked(tag)
    if tag.retired_at is None:
        tag.retired_at = timezone.now()
        tag.save(update_fields=["retired_at"])
        event_record(verb=Verb.RETIRED_TOPIC, actor=moderator, payload={"tag_id": tag.pk, "name": tag.name})
    return tag
