"""Chat channels under the faults webhooks meet (tests/integrations/test_faults.py, test_delivery.py): the
Slack or Teams endpoint down, slow, answering 5xx or redirecting; a channel that keeps failing is turned off
and staff and its owners are told, without its secret URL. And every outgoing request is pinned: the host is
resolved once, checked, and the connection goes to that address (no DNS rebinding between check and send)."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations import services
from integrations.models import Attempt, ChatChannel, Delivery
from movements import services as movement_services
from nudges.messages import headline, message_for
from nudges.models import Kind as NudgeKind
from nudges.models import Nudge
from people.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead():
    return UserFactory(display_name="Lena Lead")


@pytest.fixture
def movement(lead):
    return movement_services.movement_start(founder=lead, title="Working out loud", pitch="p")


def _channel_update(movement, lead, url: str) -> Delivery:
    services.chat_channel_set(kind="slack", url=url, actor=lead, movement=movement)
    movement_services.update_post(movement=movement, author=lead, body="We met today.")
    return Delivery.objects.get(channel__movement=movement)


def active_staff() -> set[int]:
    return set(User.objects.filter(is_staff=True, is_active=True).values_list("pk", flat=True))


def _due_now(delivery: Delivery) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(due_at=timezone.now())


def test_a_chat_endpoint_that_is_down_is_retried_and_accepted_once_when_it_is_back(movement, lead, receiver):
    port = int(receiver.url.rsplit(":", 1)[1].split("/")[0])
    with socket.socket() as closed:  # a port nobody listens on: connection refused
        closed.bind(("127.0.0.1", 0))
        down_url = f"http://127.0.0.1:{closed.getsockname()[1]}/hook"
    delivery = _channel_update(movement, lead, down_url)
    assert services.delivery_send(delivery_id=delivery.pk) == services.Outcome.RETRY
    assert Attempt.objects.get(delivery=delivery).error.startswith("ConnectionRefusedError")
    ChatChannel.objects.filter(pk=delivery.channel_id).update(url=receiver.url)  # back, at its address
    _due_now(delivery)
    assert services.delivery_send(delivery_id=delivery.pk) == services.Outcome.DELIVERED
    assert services.delivery_send(delivery_id=delivery.pk) == services.Outcome.SKIPPED
    assert len(receiver.accepted) == 1 and port


def test_a_5xx_from_slack_is_retried_with_backoff_then_delivered_once(movement, lead, receiver):
    receiver.answers = [502]
    delivery = _channel_update(movement, lead, receiver.url)
    before = timezone.now()
    assert services.delivery_send(delivery_id=delivery.pk) == services.Outcome.RETRY
    delivery.refresh_from_db()
    assert delivery.due_at > before and delivery.last_status == 502
    assert services.delivery_send(delivery_id=delivery.pk) == services.Outcome.SKIPPED  # not due yet
    _due_now(delivery)
    assert services.delivery_send(delivery_id=delivery.pk) == services.Outcome.DELIVERED
    assert len(receiver.accepted) == 1 and sum(receiver.attempts.values()) == 2


class _Scripted:
    """A loopback server whose answer is a function of nothing: slow, or a redirect."""

    def __init__(self, *, delay: float = 0, status: int = 200, location: str = ""):
        self.hits = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                outer.hits += 1
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                time.sleep(delay)
                try:
                    self.send_response(status)
                    if location:
                        self.send_header("Location", location)
                    self.end_headers()
                except OSError:  # the client gave up waiting
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()


def test_a_slow_chat_endpoint_times_out_and_is_retried(movement, lead, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    slow = _Scripted(delay=2)
    try:
        delivery = _channel_update(movement, lead, slow.url)
        started = time.monotonic()
        assert services.delivery_send(delivery_id=delivery.pk) == services.Outcome.RETRY
        assert time.monotonic() - started < 1.8
        assert "timed out" in Attempt.objects.get(delivery=delivery).error
    finally:
        slow.stop()


def test_a_redirecting_chat_endpoint_is_not_followed_and_fails_for_good(movement, lead, receiver):
    redirecting = _Scripted(status=302, location="http://169.254.169.254/latest/meta-data/")
    try:
        delivery = _channel_update(movement, lead, redirecting.url)
        assert services.delivery_send(delivery_id=delivery.pk) == services.Outcome.FAILED
        delivery.refresh_from_db()
        assert delivery.failed_at is not None and delivery.last_status == 302
        assert redirecting.hits == 1 and receiver.attempts == {}
    finally:
        redirecting.stop()


def test_a_failing_movement_channel_is_turned_off_and_staff_and_leads_are_told_without_its_url(
    movement, lead, receiver, settings
):
    settings.WEBHOOK_MAX_FAILURES = 2
    staff = UserFactory(is_staff=True)
    receiver.answers = [500] * 10
    services.chat_channel_set(kind="slack", url=receiver.url, actor=lead, movement=movement)
    for body in ("one", "two"):
        movement_services.update_post(movement=movement, author=lead, body=body)
    for delivery in Delivery.objects.filter(channel__movement=movement):
        services.delivery_send(delivery_id=delivery.pk)
    channel = ChatChannel.objects.get(movement=movement)
    assert channel.disabled_at is not None
    nudges = {n.recipient_id: n for n in Nudge.objects.filter(kind=NudgeKind.INTEGRATION_DISABLED)}
    assert set(nudges) == {lead.pk, *active_staff()} and staff.pk in nudges
    assert nudges[lead.pk].context["path"] == reverse("integrations:movement_chat", args=[movement.slug])
    assert nudges[staff.pk].context["path"] == reverse("admin:integrations_chatchannel_change", args=[channel.pk])
    nudge = Nudge.objects.select_related("recipient").get(pk=nudges[lead.pk].pk)
    text = headline(nudge) + " ".join(message_for(nudge).paragraphs)
    assert "Slack" in text and "Working out loud" in text and "failed 2 times" in text
    assert receiver.url not in json.dumps(nudge.context) + text


def test_a_failing_personal_channel_tells_its_owner_and_staff(receiver, settings):
    settings.WEBHOOK_MAX_FAILURES = 1
    staff, person = UserFactory(is_staff=True), UserFactory(display_name="Max Member")
    channel = services.chat_channel_set(kind="teams", url=receiver.url, actor=person, person=person)
    receiver.answers = [503]
    delivery = Delivery.objects.create(channel=channel, message_id="msg_personal", event_type="nudge.x", payload={})
    services.delivery_send(delivery_id=delivery.pk)
    nudges = {n.recipient_id: n for n in Nudge.objects.filter(kind=NudgeKind.INTEGRATION_DISABLED)}
    assert set(nudges) == {person.pk, *active_staff()} and staff.pk in nudges
    assert "Max Member" in nudges[person.pk].context["label"]
    assert nudges[person.pk].context["path"] == reverse("integrations:feeds")


# --- DNS pinning ---------------------------------------------------------------------------------------


@pytest.fixture
def rebinding_dns(monkeypatch):
    """`rebind.test` answers 127.0.0.1 to the first `honest` lookups, then 10.255.255.1 (an attacker's
    rebinding to an inside address); other names resolve as usual. Counts the lookups of rebind.test."""
    real = socket.getaddrinfo
    state = {"lookups": 0, "honest": 2}

    def getaddrinfo(host, port, *args, **kwargs):
        if host == "rebind.test":
            state["lookups"] += 1
            address = "127.0.0.1" if state["lookups"] <= state["honest"] else "10.255.255.1"
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return state


def test_the_connection_goes_to_the_address_that_was_checked_not_a_second_lookup(
    movement, lead, receiver, settings, rebinding_dns
):
    settings.WEBHOOK_ALLOWED_HOSTS = ["rebind.test", "127.0.0.1"]
    port = receiver.url.rsplit(":", 1)[1].split("/")[0]
    url = f"http://rebind.test:{port}/hook"
    delivery = _channel_update(movement, lead, url)  # lookup 1: the check when the URL is saved
    assert services.delivery_send(delivery_id=delivery.pk) == services.Outcome.DELIVERED  # lookup 2: pinned
    # No third lookup: a sender that resolved again would have been sent to 10.255.255.1.
    assert rebinding_dns["lookups"] == 2
    assert len(receiver.accepted) == 1
    assert receiver.accepted[0]["headers"]["Host"] == f"rebind.test:{port}"


def test_a_name_rebound_to_an_inside_address_before_the_send_is_refused_and_never_called(
    movement, lead, receiver, settings, rebinding_dns
):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]  # the loopback receiver by address only, not the name
    rebinding_dns["honest"] = 0  # saved long ago; by now the name points inside
    port = receiver.url.rsplit(":", 1)[1].split("/")[0]
    ChatChannel.objects.create(kind="slack", url=f"http://rebind.test:{port}/hook", movement=movement)
    movement_services.update_post(movement=movement, author=lead, body="We met today.")
    delivery = Delivery.objects.get(channel__movement=movement)
    assert services.delivery_send(delivery_id=delivery.pk) == services.Outcome.FAILED
    assert "refused by policy" in Attempt.objects.get(delivery=delivery).error
    assert rebinding_dns["lookups"] == 1 and receiver.attempts == {}


def test_loopback_is_refused_without_the_explicit_allow_setting(movement, lead, receiver, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["*"]  # any public address: loopback and private ranges stay out
    delivery = Delivery.objects.create(
        channel=ChatChannel.objects.create(kind="slack", url=receiver.url, movement=movement),
        message_id="msg_loopback",
        event_type="x",
        payload={},
    )
    assert services.delivery_send(delivery_id=delivery.pk) == services.Outcome.FAILED
    assert receiver.attempts == {}
