"""A small hand-built world for the hardening tests, and a fingerprint of every row our apps keep."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone
from PIL import Image

from api import services as token_services
from conversation import services as conversation_services
from feedback import services as feedback_services
from feedback.models import Kind, Tag
from integrations import services as integration_services
from integrations.models import Delivery, WebhookEndpoint
from integrations.signing import new_secret
from movements import services as movement_services
from movements.models import Invitation, Membership, Movement, Role, Update
from movements.services import RoleSpec
from movements.views import recruit_link
from nudges.models import Kind as NudgeKind
from nudges.models import Nudge
from nudges.services import unsubscribe_token
from people.models import Avatar, User
from sponsors import services as sponsor_services
from tests.factories import DepartmentFactory, UserFactory

OUR_APPS = (
    "people",
    "activity",
    "movements",
    "feedback",
    "sponsors",
    "conversation",
    "nudges",
    "pilots",
    "dashboards",
    "api",
    "integrations",
)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _our_tables() -> list[str]:
    return sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.app_label in OUR_APPS and model._meta.managed
        }
    )


def db_fingerprint() -> dict[str, str]:
    """Row count and an md5 over every row (as text, sorted) of each table of our apps, in one query."""
    quote = connection.ops.quote_name
    parts = [
        f"SELECT '{table}', count(*) || ':' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {quote(table)} t"
        for table in _our_tables()
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        return dict(cursor.fetchall())


def fingerprint_diff(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


@dataclass
class World:
    dept_a: object
    dept_b: object
    lead: User
    member: User
    outsider: User
    moderator: User
    admin: User
    invitee: User
    movement: Movement
    role: Role
    membership: Membership
    invitation: Invitation
    update: Update
    post: object
    comment: object
    nudge: Nudge
    sponsor: User
    manager: User
    other_manager: User
    sponsorship_asked: object
    support: object
    api_token: object
    feed_token: str
    endpoint: object
    delivery: object
    reply: object = None  # a reply to the update, by the member (conversation app)
    topic: object = None  # a topic the member proposed, on the post, waiting for a moderator

    def person(self, who: str) -> User | None:
        return None if who == "anonymous" else getattr(self, who)

    def kwargs_for(self, name: str) -> dict:
        """Real ids for each URL name's parameters."""
        slug = self.movement.slug
        by_name = {
            "movements:invitation": {"token": self.invitation.token},
            "movements:invitation_resend": {"slug": slug, "pk": self.invitation.pk},
            "movements:invitation_cancel": {"slug": slug, "pk": self.invitation.pk},
            "movements:recruit": _recruit_kwargs(self),
            "movements:role_edit": {"slug": slug, "pk": self.role.pk},
            "movements:role_delete": {"slug": slug, "pk": self.role.pk},
            "movements:role_claim": {"slug": slug, "pk": self.role.pk},
            "movements:role_release": {"slug": slug, "pk": self.role.pk},
            "movements:role_assign": {"slug": slug, "pk": self.role.pk},
            "movements:lead_add": {"slug": slug, "membership_id": self.membership.pk},
            "movements:update_edit": {"slug": slug, "pk": self.update.pk},
            "movements:update_history": {"slug": slug, "pk": self.update.pk},
            "feedback:comment_edit": {"pk": self.comment.pk},
            "feedback:comment_delete": {"pk": self.comment.pk},
            "feedback:comment_report": {"pk": self.comment.pk},
            "feedback:comment_moderate": {"pk": self.comment.pk},
            "nudges:read": {"pk": self.nudge.pk},
            "conversation:watch_feedback": {"pk": self.post.pk},
            "conversation:reply_add": {"slug": slug, "pk": self.reply.update_id},
            "conversation:reply_delete": {"pk": self.reply.pk},
            "conversation:reply_moderate": {"pk": self.reply.pk},
            "nudges:unsubscribe": {"token": unsubscribe_token(person=self.member, kind=NudgeKind.WEEKLY_DIGEST)},
            "sponsors:answer": {"pk": self.sponsorship_asked.pk},
            "sponsors:support_answer": {"pk": self.support.pk},
            "organisation_of": {"person_id": self.manager.pk},
            "people:avatar": {"pk": self.member.pk, "version": 1},
            "person": {"person_id": self.member.pk},
            "api_tokens:revoke": {"pk": self.api_token.pk},
            "integrations:endpoint": {"pk": self.endpoint.pk},
            "integrations:endpoint_toggle": {"pk": self.endpoint.pk},
            "integrations:endpoint_edit": {"pk": self.endpoint.pk},
            "integrations:endpoint_rotate": {"pk": self.endpoint.pk},
            "integrations:delivery_resend": {"pk": self.delivery.pk},
            "integrations:feed_movement": {"token": self.feed_token, "slug": slug},
            "integrations:feed_feedback": {"token": self.feed_token},
            "integrations:feed_pilots": {"token": self.feed_token},
        }
        if name in by_name:
            return by_name[name]
        if name.startswith("feedback:topic_"):
            return {"pk": self.topic.pk}
        if name.startswith("feedback:"):
            return {"pk": self.post.pk}
        if name in ("api:post", "api:feedback_post", "api:vote", "api:unvote", "api:comment"):
            return {"pk": self.post.pk}
        if name == "api:read":
            return {"pk": self.nudge.pk}
        return {"slug": slug}


def _give_a_picture(person) -> None:
    """The member has a picture: pages show it in its circle, and its URL is in the matrix."""
    jpeg = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 120, 40)).save(jpeg, format="JPEG")
    Avatar.objects.create(person=person, image=jpeg.getvalue())
    type(person).objects.filter(pk=person.pk).update(avatar_version=1)
    person.avatar_version = 1


def _recruit_kwargs(world: World) -> dict:
    from django.urls import resolve

    match = resolve(recruit_link(movement=world.movement, person=world.lead))
    return match.kwargs


@pytest.fixture
def world(db) -> World:
    """A movement limited to department A: founder/lead, a member with a seat-free role, an invitation,
    an update; a feedback post on it with a comment; a delivered notification for the member. A sponsor
    (department A, not a member) with an open request for help; the manager of the lead and the member
    (department A, asked to sponsor, not answered yet); the manager of the outsider (department B)."""
    dept_a = DepartmentFactory(name="Department A")
    dept_b = DepartmentFactory(name="Department B")
    lead = UserFactory(display_name="Lena Lead", department=dept_a)
    member = UserFactory(display_name="Max Member", department=dept_a)
    _give_a_picture(member)
    invitee = UserFactory(display_name="Ivo Invitee", department=dept_a)
    outsider = UserFactory(display_name="Olga Outsider", department=dept_b)
    moderator = UserFactory(display_name="Mona Moderator", department=dept_a, is_moderator=True)
    admin = UserFactory(display_name="Adam Admin", department=dept_b, is_staff=True)
    movement = movement_services.movement_start(
        founder=lead,
        title="Working out loud",
        pitch="Share work early.",
        problem="Work stays invisible.",
        department=dept_a,
        roles=[RoleSpec(name="Evangelist", seats=2, description="Tell people.")],
    )
    membership = movement_services.membership_join(movement=movement, person=member)
    invitation = movement_services.invitation_create(movement=movement, inviter=member, invitee=invitee, note="Join us")
    update = movement_services.update_post(movement=movement, author=member, body="We met today.")
    post = feedback_services.feedback_post(
        person=member, kind=Kind.DOESNT, title="Meetings run long", body="Too long.", anonymous=False, movement=movement
    )
    comment = feedback_services.comment_add(feedback=post, author=lead, body="Agreed.")
    topic = Tag.objects.create(name="long meetings", slug="long-meetings", created_by=member, approved_at=None)
    post.tags.add(topic)
    nudge = Nudge.objects.create(
        kind=NudgeKind.WEEKLY_DIGEST,
        recipient=member,
        movement=movement,
        dedupe_key=f"hardening:{member.pk}",
        sent_at=timezone.now(),
        in_app=True,
    )
    parts = sponsors_and_integrations(movement=movement, lead=lead, member=member, outsider=outsider)
    reply = conversation_services.reply_add(update=update, author=member, body="Thanks for the notes.")
    return World(
        dept_a=dept_a,
        dept_b=dept_b,
        lead=lead,
        member=member,
        outsider=outsider,
        moderator=moderator,
        admin=admin,
        invitee=invitee,
        movement=movement,
        role=movement.roles.get(),
        membership=membership,
        invitation=invitation,
        update=update,
        post=post,
        comment=comment,
        nudge=nudge,
        reply=reply,
        topic=topic,
        **parts,
    )


def sponsors_and_integrations(*, movement, lead, member, outsider) -> dict:
    """The world's sponsor, managers, open requests, API token, feed link and webhook (shared with the
    browser layout test, which builds the rest of its world with long content)."""
    dept_a, dept_b = lead.department, outsider.department
    sponsor = UserFactory(display_name="Sam Sponsor", department=dept_a)
    manager = UserFactory(display_name="Mia Manager", department=dept_a)
    other_manager = UserFactory(display_name="Otto Othermanager", department=dept_b)
    User.objects.filter(pk__in=[lead.pk, member.pk]).update(manager=manager)
    User.objects.filter(pk=outsider.pk).update(manager=other_manager)
    accepted = sponsor_services.sponsorship_request(movement=movement, lead=lead, sponsor=sponsor)
    sponsor_services.sponsorship_answer(sponsorship=accepted, person=sponsor, accept=True, note="Backing it.")
    sponsorship_asked = sponsor_services.sponsorship_request(movement=movement, lead=lead, sponsor=manager)
    support = sponsor_services.support_request_create(
        movement=movement,
        lead=lead,
        kind="time",
        what="Two hours a week",
        needed_by=timezone.localdate(),
        why="To run the pilot",
    )
    api_token, _raw = token_services.token_create(person=member, name="hardening", scope="read", expires_in_days=30)
    endpoint = WebhookEndpoint.objects.create(
        url="https://hooks.example.com/in", secret=new_secret(), event_types=["feedback.posted"]
    )
    delivery = Delivery.objects.create(
        endpoint=endpoint, message_id="msg_hardening", event_type="feedback.posted", delivered_at=timezone.now()
    )
    return {
        "sponsor": sponsor,
        "manager": manager,
        "other_manager": other_manager,
        "sponsorship_asked": sponsorship_asked,
        "support": support,
        "api_token": api_token,
        "feed_token": integration_services.feed_token_create(person=member),
        "endpoint": endpoint,
        "delivery": delivery,
    }
