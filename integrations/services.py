"""Every write of the integrations app: endpoints and channels, the delivery outbox (written in the
event's transaction, relayed to Celery after commit), sending each delivery exactly once (claim, send
outside any transaction, mark), retries with backoff, disabling what keeps failing, feed links."""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import json
import logging
import secrets
import socket
import ssl
import time
import uuid
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from activity.models import Activity
from movements.models import Membership, Movement
from nudges import services as nudge_services
from nudges.messages import absolute, action_path
from nudges.messages import headline as nudge_headline
from nudges.models import Kind as NudgeKind
from socialbiz.celery import app as celery_app

from . import messages, policy, signing
from .models import Attempt, ChatChannel, ChatKind, Delivery, EventType, FeedToken, WebhookEndpoint

log = logging.getLogger(__name__)
USER_AGENT = "socialbiz-webhooks/1"
# Slack incoming webhooks and Teams Workflows (Power Automate) webhook hosts.
CHAT_HOSTS = {
    ChatKind.SLACK: ("hooks.slack.com",),
    ChatKind.TEAMS: (".logic.azure.com", ".powerplatform.com", ".powerautomate.com"),
}


class Outcome:
    DELIVERED = "delivered"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"


# --- Endpoints and channels -----------------------------------------------------------------------


def _check_url(url: str, field: str = "url") -> None:
    try:
        policy.check_url(url)
    except policy.Refused as refused:
        raise ValidationError({field: str(refused)}) from None


@transaction.atomic
def endpoint_create(*, url: str, event_types: list[str], created_by, description: str = "") -> WebhookEndpoint:
    _check_url(url)
    event_types = _check_event_types(event_types)
    return WebhookEndpoint.objects.create(
        url=url,
        description=description,
        event_types=event_types,
        secret=signing.new_secret(),
        created_by=created_by,
    )


def _check_event_types(event_types: list[str]) -> list[str]:
    unknown = set(event_types) - set(EventType.values)
    if unknown or not event_types:
        raise ValidationError({"event_types": _("Choose at least one event.")})
    return sorted(set(event_types))


@transaction.atomic
def endpoint_update(
    *, endpoint: WebhookEndpoint, url: str, event_types: list[str], description: str, active: bool, actor
) -> WebhookEndpoint:
    """Staff change an endpoint: the same checks as adding one (host policy, known events). Turning it off
    keeps writing its deliveries (they wait); turning it on sends what waited. Deliveries already written keep
    going to the endpoint, so to its new URL once changed."""
    _check_url(url)
    event_types = _check_event_types(event_types)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)  # on/off as it is now, not as loaded
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=url, event_types=event_types, description=description)
    if active and not endpoint.is_active:
        return endpoint_enable(endpoint=endpoint)
    if not active and endpoint.is_active:
        return endpoint_disable(endpoint=endpoint, reason=_("Turned off by %(name)s.") % {"name": actor.name})
    endpoint.refresh_from_db()
    return endpoint


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new signing secret, signing every send from now on (retries of older deliveries too). The old one
    adds a second signature for WEBHOOK_SECRET_OVERLAP_HOURS (0: it stops at once, e.g. after a leak), so
    receivers can switch over without dropping a message. Rotating again within that time drops the oldest."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    overlap = dt.timedelta(hours=settings.WEBHOOK_SECRET_OVERLAP_HOURS)
    endpoint.previous_secret = endpoint.secret if overlap else ""
    endpoint.previous_secret_until = timezone.now() + overlap if overlap else None
    endpoint.secret = signing.new_secret()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
    return endpoint


@transaction.atomic
def endpoint_enable(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Turn a disabled endpoint on again; its waiting deliveries go out with the next relay."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(disabled_at=None, disabled_reason="", consecutive_failures=0)
    transaction.on_commit(_relay_after_commit)
    endpoint.refresh_from_db()
    return endpoint


@transaction.atomic
def endpoint_disable(*, endpoint: WebhookEndpoint, reason: str) -> WebhookEndpoint:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(disabled_at=timezone.now(), disabled_reason=reason[:300])
    endpoint.refresh_from_db()
    return endpoint


def chat_url_check(*, kind: str, url: str) -> None:
    """A Slack incoming webhook (https://hooks.slack.com/...) or a Teams Workflows URL, unless the host
    is listed by name in WEBHOOK_ALLOWED_HOSTS (an on-premises relay)."""
    if kind not in ChatKind.values:
        raise ValidationError({"kind": _("Choose Slack or Microsoft Teams.")})
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    listed = host in {h.strip().lower() for h in settings.WEBHOOK_ALLOWED_HOSTS}
    expected = CHAT_HOSTS[kind]
    if not listed:
        if parts.scheme != "https" or not any(host == h or (h.startswith(".") and host.endswith(h)) for h in expected):
            example = (
                "https://hooks.slack.com/services/…"
                if kind == ChatKind.SLACK
                else "https://….logic.azure.com/workflows/…"
            )
            raise ValidationError(
                {
                    "url": _("That is not a %(kind)s webhook URL (%(example)s).")
                    % {"kind": ChatKind(kind).label, "example": example}
                }
            )
    _check_url(url)


@transaction.atomic
def chat_channel_set(
    *, kind: str, url: str, actor, person=None, movement=None, instead_of_email: bool = False
) -> ChatChannel:
    """Connect (or replace) the chat channel of a person or of a movement; a person's may replace their email."""
    chat_url_check(kind=kind, url=url)
    owner = {"person": person} if person is not None else {"movement": movement}
    channel, _created = ChatChannel.objects.update_or_create(
        **owner,
        defaults={
            "kind": kind,
            "url": url,
            "connected_by": actor,
            "disabled_at": None,
            "consecutive_failures": 0,
            "instead_of_email": bool(instead_of_email and person is not None),
        },
    )
    return channel


@transaction.atomic
def chat_channel_remove(*, channel: ChatChannel) -> None:
    channel.delete()


# --- Writing the outbox -----------------------------------------------------------------------------


def _message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def deliveries_for_event(*, event: Activity) -> list[str]:
    """The event's deliveries to every endpoint that subscribed to its type, and to its movement's chat
    channel, written in the event's transaction (the caller's). Sent after commit."""
    event_type = messages.EVENT_TYPES.get(event.verb)
    if event_type is None:
        return []
    rows = []
    # An endpoint turned off (by staff, or after WEBHOOK_MAX_FAILURES) still gets its deliveries written: they
    # wait (the relay skips it) and go out in order once it is turned on again.
    endpoints = [e for e in WebhookEndpoint.objects.all() if str(event_type) in e.event_types]
    if endpoints:
        payload = messages.webhook_payload(event)
        rows += [
            Delivery(endpoint=e, event=event, message_id=_message_id(), event_type=str(event_type), payload=payload)
            for e in endpoints
        ]
    if event.verb in messages.MOVEMENT_CHANNEL_VERBS and event.movement_id:
        # A chat channel that is off gets nothing written, unlike an endpoint: people read it, and the news of
        # while it was off would arrive stale and all at once when it is connected again.
        channel = ChatChannel.objects.filter(movement_id=event.movement_id, disabled_at__isnull=True).first()
        if channel is not None:
            headline, detail, link = messages.event_text(event)
            rows.append(
                Delivery(
                    channel=channel,
                    event=event,
                    message_id=_message_id(),
                    event_type=str(event_type),
                    payload=messages.chat_message(channel.kind, headline=headline, detail=detail, link=link),
                )
            )
    return _write(rows)


def chat_replaces_email(*, nudge) -> bool:
    """The person asked for their nudges in chat instead of email, and that channel is working."""
    return ChatChannel.objects.filter(
        person_id=nudge.recipient_id, instead_of_email=True, disabled_at__isnull=True
    ).exists()


def deliveries_for_nudge(*, nudge) -> list[str]:
    """A copy of a nudge the person receives to their own chat channel (when they connected one)."""
    channel = ChatChannel.objects.filter(person_id=nudge.recipient_id, disabled_at__isnull=True).first()
    if channel is None:
        return []
    payload = messages.chat_message(
        channel.kind, headline=nudge_headline(nudge), detail="", link=absolute(action_path(nudge))
    )
    return _write(
        [
            Delivery(
                channel=channel,
                nudge=nudge,
                message_id=_message_id(),
                event_type=f"nudge.{nudge.kind}",
                payload=payload,
            )
        ]
    )


def _write(rows: list[Delivery]) -> list[str]:
    if not rows:
        return []
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    ids = [row.message_id for row in rows]
    transaction.on_commit(partial(_relay_after_commit, ids))
    return ids


def _relay_after_commit(message_ids: list[str] | None = None) -> None:
    try:
        deliveries_relay(message_ids=message_ids)
    except Exception:  # the rows are committed; the beat relay sends them later
        log.warning("integrations: could not queue deliveries now; the relay will", exc_info=True)


def _pending() -> Q:
    target_on = Q(endpoint__disabled_at__isnull=True, channel__isnull=True) | Q(
        channel__disabled_at__isnull=True, endpoint__isnull=True
    )
    return Q(delivered_at__isnull=True, failed_at__isnull=True) & target_on


def deliveries_relay(*, message_ids: list[str] | None = None, limit: int = 500) -> int:
    """Queue due, unsent deliveries (SKIP LOCKED: two relays hand out disjoint sets; a row queued long ago
    and never claimed is queued again). Returns how many were queued."""
    now = timezone.now()
    stale = now - dt.timedelta(seconds=settings.WEBHOOK_REQUEUE_AFTER_SECONDS)
    with transaction.atomic():
        due = Delivery.objects.filter(_pending(), claimed_at__isnull=True, due_at__lte=now).filter(
            Q(queued_at__isnull=True) | Q(queued_at__lt=stale)
        )
        if message_ids is not None:
            due = due.filter(message_id__in=message_ids)
        ids = list(
            due.order_by("due_at")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)[:limit]
        )
        _publish(ids)
        Delivery.objects.filter(pk__in=ids).update(queued_at=now)
    return len(ids)


def deliveries_requeue_stuck(*, older_than_seconds: int | None = None) -> int:
    """Release claims held longer than the limit (a worker died mid-send) and queue those deliveries again."""
    limit = settings.WEBHOOK_STUCK_CLAIM_SECONDS if older_than_seconds is None else older_than_seconds
    now = timezone.now()
    with transaction.atomic():
        stuck = Delivery.objects.filter(
            delivered_at__isnull=True, failed_at__isnull=True, claimed_at__lt=now - dt.timedelta(seconds=limit)
        )
        ids = list(stuck.select_for_update(skip_locked=True).values_list("pk", flat=True))
        Delivery.objects.filter(pk__in=ids).update(claimed_at=None, queued_at=now)
        for delivery_id in ids:
            log.warning("integrations: claim on delivery %s was stuck; queueing it again", delivery_id)
        _publish(ids)
    return len(ids)


def _publish(ids: list[int], countdown: float | None = None) -> None:
    if not ids:
        return
    deliver = celery_app.tasks["integrations.tasks.deliver"]
    if celery_app.conf.task_always_eager:  # the one-machine demo: send inline (retries wait for the relay)
        if countdown is None:
            for delivery_id in ids:
                deliver.apply_async(kwargs={"delivery_id": delivery_id})
        return
    with celery_app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=2)
        for delivery_id in ids:
            deliver.apply_async(
                kwargs={"delivery_id": delivery_id}, retry=False, connection=connection, countdown=countdown
            )


# --- Sending ----------------------------------------------------------------------------------------


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address the policy checked, whatever the host name resolves to now; the Host header
    still names the host."""

    def __init__(self, pinned: policy.Pinned, timeout: float):
        super().__init__(pinned.host, pinned.port, timeout=timeout)
        self.pinned_address = pinned.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.pinned_address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As above over TLS: the certificate is checked against the host name (SNI too), the socket goes to the
    checked address."""

    def __init__(self, pinned: policy.Pinned, timeout: float):
        super().__init__(pinned.host, pinned.port, timeout=timeout, context=ssl.create_default_context())
        self.pinned_address = pinned.address

    def connect(self) -> None:
        sock = socket.create_connection((self.pinned_address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _post(pinned: policy.Pinned, body: bytes, headers: dict[str, str]) -> tuple[int | None, str, str]:
    """POST to the pinned address and return (status or None, response excerpt, error). Redirects are not
    followed (one could point anywhere, a metadata address): a 3xx counts as the receiver's answer."""
    kind = _PinnedHTTPSConnection if pinned.scheme == "https" else _PinnedHTTPConnection
    connection = kind(pinned, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    try:
        connection.request("POST", pinned.target, body=body, headers={**headers, "User-Agent": USER_AGENT})
        response = connection.getresponse()
        return response.status, response.read(500).decode(errors="replace"), ""
    except Exception as error:  # timeouts, refused connections, TLS errors: all worth a retry
        return None, "", f"{error.__class__.__name__}: {error}"[:500]
    finally:
        connection.close()


def _retry_delay(attempts: int) -> int:
    return min(settings.WEBHOOK_RETRY_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), 6 * 3600)


def _request_for(delivery: Delivery) -> tuple[str, bytes, dict[str, str]]:
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json"}
    if delivery.endpoint_id:
        headers |= signing.headers(
            secrets=delivery.endpoint.signing_secrets(),
            message_id=delivery.message_id,
            timestamp=int(time.time()),
            body=body,
        )
        return delivery.endpoint.url, body, headers
    return delivery.channel.url, body, headers


def delivery_send(*, delivery_id: int) -> str:
    """Send one delivery exactly once: claim it with a conditional UPDATE, POST outside any transaction,
    then record the attempt and mark it delivered, to retry (5xx, 408, 429, timeouts, network errors,
    with exponential backoff) or failed (other 4xx, redirects, refused by policy, out of attempts)."""
    now = timezone.now()
    stuck_before = now - dt.timedelta(seconds=settings.WEBHOOK_STUCK_CLAIM_SECONDS)
    claimed = Delivery.objects.filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=stuck_before),
        pk=delivery_id,
        delivered_at__isnull=True,
        failed_at__isnull=True,
        due_at__lte=now,
    ).update(claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return Outcome.SKIPPED
    delivery = Delivery.objects.select_related("endpoint", "channel").get(pk=delivery_id)
    target = delivery.endpoint or delivery.channel
    if target.disabled_at is not None:  # waits for the target to be turned on again
        Delivery.objects.filter(pk=delivery_id).update(claimed_at=None, queued_at=None, attempts=F("attempts") - 1)
        return Outcome.SKIPPED
    url, body, headers = _request_for(delivery)
    started = time.monotonic()
    try:
        pinned = policy.pin(url)  # resolved once: the connection goes to this checked address
    except policy.Refused as refused:
        status, excerpt, error = None, "", f"refused by policy: {refused}"[:500]
        permanent = True
    else:
        status, excerpt, error = _post(pinned, body, headers)
        permanent = status is not None and (300 <= status < 500) and status not in (408, 429)
    duration = int((time.monotonic() - started) * 1000)
    return _record_attempt(
        delivery, target, status=status, excerpt=excerpt, error=error, permanent=permanent, duration=duration
    )


def _record_attempt(delivery, target, *, status, excerpt, error, permanent, duration) -> str:
    now = timezone.now()
    ok = status is not None and 200 <= status < 300
    with transaction.atomic():
        Attempt.objects.create(
            delivery=delivery,
            started_at=delivery_started(delivery),
            duration_ms=duration,
            status_code=status,
            error=error,
            response_excerpt=excerpt[:500],
        )
        target_model = type(target)
        if ok:
            Delivery.objects.filter(pk=delivery.pk).update(delivered_at=now, last_status=status, last_error="")
            target_model.objects.filter(pk=target.pk).update(consecutive_failures=0)
            return Outcome.DELIVERED
        last_error = error or f"HTTP {status}"
        give_up = permanent or delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS
        if give_up:
            Delivery.objects.filter(pk=delivery.pk).update(failed_at=now, last_status=status, last_error=last_error)
        else:
            delay = _retry_delay(delivery.attempts)
            Delivery.objects.filter(pk=delivery.pk).update(
                claimed_at=None,
                queued_at=now,
                due_at=now + dt.timedelta(seconds=delay),
                last_status=status,
                last_error=last_error,
            )
            transaction.on_commit(partial(_retry_later, delivery.pk, delay))
        target_model.objects.filter(pk=target.pk).update(consecutive_failures=F("consecutive_failures") + 1)
        failures = target_model.objects.filter(pk=target.pk).values_list("consecutive_failures", flat=True).get()
        if failures >= settings.WEBHOOK_MAX_FAILURES and target.disabled_at is None:
            _disable(target, failures=failures, last_error=last_error)
    return Outcome.FAILED if give_up else Outcome.RETRY


def delivery_started(delivery: Delivery) -> dt.datetime:
    return Delivery.objects.filter(pk=delivery.pk).values_list("claimed_at", flat=True).get() or timezone.now()


def _retry_later(delivery_id: int, delay: int) -> None:
    try:
        _publish([delivery_id], countdown=delay)
    except Exception:
        log.warning("integrations: could not schedule a retry now; the relay will", exc_info=True)


def _disable(target, *, failures: int, last_error: str) -> None:
    reason = _("Turned off after %(n)d failed attempts in a row (last: %(error)s).") % {
        "n": failures,
        "error": last_error,
    }
    type(target).objects.filter(pk=target.pk, disabled_at__isnull=True).update(
        disabled_at=timezone.now(), **({"disabled_reason": reason[:300]} if isinstance(target, WebhookEndpoint) else {})
    )
    log.warning("integrations: %s %s disabled after %d failures", type(target).__name__, target.pk, failures)
    staff = list(get_user_model().objects.filter(is_staff=True, is_active=True).values_list("pk", flat=True))
    stamp = int(time.time())
    if isinstance(target, WebhookEndpoint):
        context = {
            "target": target.url[:200],
            "failures": failures,
            "path": reverse("integrations:endpoint", kwargs={"pk": target.pk}),
        }
        drafts = [
            (person_id, f"integration_disabled:e{target.pk}:{stamp}:u{person_id}", context) for person_id in staff
        ]
    else:
        # A chat URL is a secret (anyone holding it can post): the nudge names whose channel it is, never the URL.
        # Staff hear of it, and so do the people who can connect it again: its person, or its movement's leads.
        if target.person_id:
            owner = get_user_model().objects.get(pk=target.person_id)
            label = _("The %(kind)s channel of %(name)s") % {"kind": ChatKind(target.kind).label, "name": owner.name}
            owners = [target.person_id]
            owner_path = reverse("integrations:feeds")
        else:
            movement = Movement.objects.get(pk=target.movement_id)
            label = _("The %(kind)s channel of “%(title)s”") % {
                "kind": ChatKind(target.kind).label,
                "title": movement.title,
            }
            owners = list(
                Membership.objects.active_leads().filter(movement=movement).values_list("person_id", flat=True)
            )
            owner_path = reverse("integrations:movement_chat", kwargs={"slug": movement.slug})
        staff_path = reverse("admin:integrations_chatchannel_change", args=[target.pk])
        drafts = [
            (
                person_id,
                f"integration_disabled:c{target.pk}:{stamp}:u{person_id}",
                {"label": label, "failures": failures, "path": owner_path if person_id in owners else staff_path},
            )
            for person_id in dict.fromkeys([*owners, *staff])
        ]
    nudge_services.nudges_write(
        drafts=[
            nudge_services.Draft(
                kind=NudgeKind.INTEGRATION_DISABLED, recipient_id=person_id, dedupe_key=key, context=context
            )
            for person_id, key, context in drafts
        ]
    )


@transaction.atomic
def delivery_resend(*, delivery: Delivery) -> Delivery:
    """Send a delivery again on purpose (staff): same message id, so a receiver that has it can drop it."""
    Delivery.objects.filter(pk=delivery.pk).update(
        delivered_at=None,
        failed_at=None,
        claimed_at=None,
        queued_at=None,
        due_at=timezone.now(),
        attempts=0,
        last_error="",
    )
    transaction.on_commit(partial(_relay_after_commit, [delivery.message_id]))
    delivery.refresh_from_db()
    return delivery


# --- Feeds ------------------------------------------------------------------------------------------


def feed_token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def feed_token_create(*, person) -> str:
    """A new secret for the person's feed links (the old links stop working). Returned once, kept hashed."""
    raw = secrets.token_urlsafe(24)
    FeedToken.objects.update_or_create(
        person=person, defaults={"token_hash": feed_token_hash(raw), "created_at": timezone.now()}
    )
    return raw


@transaction.atomic
def feed_token_revoke(*, person) -> None:
    FeedToken.objects.filter(person=person).delete()


def person_links_forget(*, person_id: int) -> None:
    """In the caller's transaction: the person's chat channel (and its waiting copies) and feed links go."""
    ChatChannel.objects.filter(person_id=person_id).delete()
    FeedToken.objects.filter(person_id=person_id).delete()
