from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    RECRUITING = "recruiting", _("Recruiting")
    PILOTING = "piloting", _("Piloting")
    ADOPTED = "adopted", _("Adopted")
    RETIRED = "retired", _("Retired")


class Decision(models.TextChoices):
    ADOPT = "adopt", _("Adopt")
    EXTEND = "extend", _("Extend")
    RETIRE = "retire", _("Retire")


class MovementQuerySet(models.QuerySet):
    def visible_to(self, user) -> MovementQuerySet:
        """Movements open to everyone, plus those limited to the person's department or one above it."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        ancestor_ids = user.department.ancestor_ids if user.department_id and user.department else []
        return self.filter(Q(department__isnull=True) | Q(department_id__in=ancestor_ids))

    def with_needs_lead(self) -> MovementQuerySet:
        """Annotate `needs_lead`, the "needs a lead" rule: no current lead who is still an active person."""
        return self.annotate(needs_lead=~_has_an_active_lead())

    def needing_a_lead(self) -> MovementQuerySet:
        """The movements the "needs a lead" rule flags."""
        return self.exclude(_has_an_active_lead())


def _has_an_active_lead() -> models.Exists:
    return models.Exists(
        Membership.objects.active_leads().filter(movement=models.OuterRef("pk"), person__is_active=True)
    )


class Movement(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True, allow_unicode=True)
    pitch = models.TextField(_("why it matters"))
    problem = models.TextField(_("the problem"), blank=True)
    use_cases = models.TextField(_("use cases"), blank=True)
    tool = models.CharField(_("tool or practice"), max_length=120, blank=True, db_index=True)
    founder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="founded_movements")
    # Limited to one department (and its sub-departments); null means everyone can see it.
    department = models.ForeignKey(
        "people.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="movements"
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.RECRUITING)
    hypothesis = models.TextField(_("hypothesis"), blank=True)
    success_measure = models.TextField(_("success measure"), blank=True)
    pilot_start = models.DateField(_("pilot start"), null=True, blank=True)
    pilot_end = models.DateField(_("pilot end"), null=True, blank=True)
    # Denormalised, kept right by the services in the same transaction as the rows they count:
    # follower_count = active members other than the founder; open_seats = free seats over all roles.
    follower_count = models.PositiveIntegerField(default=0)
    open_seats = models.PositiveIntegerField(default=0)
    # Bumped, in the same transaction, by every service that changes the movement's members, leads or
    # seats (they all lock the movement row first: services._lock_movement). Keys cached page parts.
    people_version = models.PositiveBigIntegerField(default=0, db_default=0, editable=False)
    # Its leads dropped it for a better one (movements/superseding.py); its members were invited there.
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supersedes"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_activity_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = MovementQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pilot_end__isnull=True) | Q(pilot_start__isnull=True) | Q(pilot_end__gte=F("pilot_start")),
                name="movement_pilot_end_after_start",
            ),
            models.CheckConstraint(condition=~Q(superseded_by=F("pk")), name="movement_not_superseded_by_itself"),
        ]
        # "Most followers" (browse sort, home suggestions): read in order, stopped after a page.
        indexes = [models.Index(fields=["-follower_count", "-created_at", "-id"], name="movement_most_followers")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("movements:detail", kwargs={"slug": self.slug})


def following_now(through: str = "") -> Q:
    """The "current member" rule as a Q, for lookups through a relation: following_now("memberships__")."""
    return Q(**{f"{through}left_at__isnull": True})


class MembershipQuerySet(models.QuerySet):
    def current(self) -> MembershipQuerySet:
        """People who follow now (leaving keeps the row with `left_at` set)."""
        return self.filter(following_now())

    def active_leads(self) -> MembershipQuerySet:
        """The current leads (whether or not the person is still active: see Movement.objects.needing_a_lead)."""
        return self.current().filter(is_lead=True)


class Membership(models.Model):
    """Following a movement. Leaving sets `left_at` and keeps the row (and the join order)."""

    movement = models.ForeignKey(Movement, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    position = models.PositiveIntegerField(_("join order"))
    joined_at = models.DateTimeField(default=timezone.now)
    recruited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="recruits"
    )
    left_at = models.DateTimeField(null=True, blank=True)
    is_lead = models.BooleanField(default=False)
    welcomed_at = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["movement", "position"]
        constraints = [
            models.UniqueConstraint(fields=["movement", "person"], name="membership_one_per_person"),
            models.UniqueConstraint(fields=["movement", "position"], name="membership_unique_position"),
            models.CheckConstraint(condition=Q(position__gte=1), name="membership_position_positive"),
            models.CheckConstraint(
                condition=Q(left_at__isnull=True) | Q(is_lead=False), name="membership_left_not_lead"
            ),
        ]
        indexes = [
            models.Index(fields=["person", "left_at"], name="membership_person_active"),
            # "needs a lead", the leads on a movement page: the few active leads, not every member.
            models.Index(
                fields=["movement", "person"],
                name="membership_active_leads",
                condition=Q(is_lead=True, left_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} #{self.position} in {self.movement}"

    @property
    def is_active(self) -> bool:
        return self.left_at is None

    @property
    def is_first_follower(self) -> bool:
        return 2 <= self.position <= 1 + settings.FIRST_FOLLOWERS_COUNT


class RoleTemplate(models.TextChoices):
    CO_LEAD = "co-lead", _("Co-lead")
    PILOT_TESTER = "pilot tester", _("Pilot tester")
    EVANGELIST = "evangelist", _("Evangelist")
    TRAINER = "trainer", _("Trainer")
    FEEDBACK_COLLECTOR = "feedback collector", _("Feedback collector")
    TEAM_LIAISON = "team liaison", _("Team liaison")
    NOTE_TAKER = "note-taker", _("Note-taker")


class Role(models.Model):
    """An open role others can take. `seats_filled` is kept by the services; the database refuses over-filling."""

    movement = models.ForeignKey(Movement, on_delete=models.CASCADE, related_name="roles")
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("what it involves"), blank=True)
    seats = models.PositiveIntegerField(_("seats"), default=1)
    seats_filled = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["movement", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["movement", "name"], name="role_unique_name_per_movement"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="role_seats_positive"),
            models.CheckConstraint(condition=Q(seats_filled__lte=F("seats")), name="role_never_overfilled"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def free_seats(self) -> int:
        return max(self.seats - self.seats_filled, 0)


class RoleAssignment(models.Model):
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="assignments")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="role_assignments")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["role", "person"], name="role_assignment_once")]


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


class InvitationQuerySet(models.QuerySet):
    def open(self) -> InvitationQuerySet:
        """Pending and not expired: INVITATION_EXPIRY_DAYS after it was sent (or sent again)."""
        cutoff = timezone.now() - timedelta(days=settings.INVITATION_EXPIRY_DAYS)
        return self.filter(status=InvitationStatus.PENDING).filter(
            Q(resent_at__gt=cutoff) | Q(resent_at__isnull=True, created_at__gt=cutoff)
        )


class Invitation(models.Model):
    movement = models.ForeignKey(Movement, on_delete=models.CASCADE, related_name="invitations")
    inviter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invitations_sent")
    invitee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations_received"
    )
    email = models.EmailField(_("email"), blank=True)
    note = models.TextField(_("personal note"), blank=True, max_length=2000)
    token = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=16, choices=InvitationStatus.choices, default=InvitationStatus.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)
    # Sent a second time by the inviter (at most once); the expiry counts from here then.
    resent_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(invitee__isnull=False) | ~Q(email=""), name="invitation_has_recipient"),
        ]
        indexes = [models.Index(fields=["inviter", "movement", "-created_at"], name="invitation_sent_by")]

    @property
    def expires_at(self):
        return (self.resent_at or self.created_at) + timedelta(days=settings.INVITATION_EXPIRY_DAYS)

    @property
    def state(self) -> str:
        """pending, accepted, declined, cancelled, or expired (pending past its expiry)."""
        if self.status == InvitationStatus.PENDING and timezone.now() >= self.expires_at:
            return "expired"
        return self.status

    def get_state_display(self) -> str:
        return _("Expired") if self.state == "expired" else self.get_status_display()


class Update(models.Model):
    movement = models.ForeignKey(Movement, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="movement_updates")
    body = models.TextField(_("update"), max_length=5000)
    is_welcome = models.BooleanField(default=False)
    welcomed = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="welcomes")
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class UpdateRevision(models.Model):
    """An update's text before an edit, shown to everyone who sees the movement."""

    update = models.ForeignKey(Update, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField(max_length=5000)
    written_at = models.DateTimeField()
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-replaced_at", "-pk"]
        indexes = [models.Index(fields=["update", "-replaced_at"], name="update_revision_by_update")]


class StageChange(models.Model):
    """Every stage change and pilot decision: who, when, why."""

    movement = models.ForeignKey(Movement, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=16, choices=Stage.choices)
    decision = models.CharField(max_length=16, choices=Decision.choices, blank=True)
    new_pilot_end = models.DateField(null=True, blank=True)
    rationale = models.TextField(_("rationale"), blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="") | ~Q(rationale=""), name="stage_change_decision_has_rationale"
            ),
        ]
