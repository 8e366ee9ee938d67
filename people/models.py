from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    """A unit of the organisation. Departments form a tree; `path` makes subtree queries one filter."""

    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    # Materialised path of ids, e.g. "/1/5/12/": a subtree is `path__startswith`, ancestors are its ids.
    path = models.CharField(max_length=1000, editable=False, db_index=True, default="")
    external_key = models.CharField(
        max_length=500, blank=True, default="", help_text=_("Full department path in the directory.")
    )

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="department_unique_name_per_parent"),
            models.UniqueConstraint(
                fields=["name"], condition=models.Q(parent__isnull=True), name="department_unique_root_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        new_path = f"{self.parent.path if self.parent else '/'}{self.pk}/"
        if new_path != self.path:
            self.path = new_path
            Department.objects.filter(pk=self.pk).update(path=new_path)

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids of this department and all above it, nearest last."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def subtree(self) -> models.QuerySet[Department]:
        return Department.objects.filter(path__startswith=self.path)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email: str) -> User:
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """A person in the company. Email is the login."""

    email = models.EmailField(_("email address"), max_length=254, unique=True)
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
        verbose_name=_("department"),
    )
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports", verbose_name=_("manager")
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    # Empty: the browser's Accept-Language decides, else LANGUAGE_CODE (people/middleware.py).
    language = models.CharField(
        _("language"), max_length=8, blank=True, default="", db_default="", choices=settings.LANGUAGES
    )
    employee_id = models.CharField(_("employee id"), max_length=64, null=True, blank=True, unique=True)
    is_moderator = models.BooleanField(_("moderator"), default=False)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # 0: no picture (initials are shown). Bumped on every upload: the picture's URL carries it, so it is cached for good.
    avatar_version = models.PositiveIntegerField(default=0, db_default=0, editable=False)  # db_default: COPY seeders

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["display_name", "email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_unique_email_ci")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.display_name or self.email.split("@")[0]

    @property
    def initials(self) -> str:
        parts = [p for p in self.name.replace(".", " ").split() if p]
        return "".join(p[0] for p in parts[:2]).upper() or "?"

    @property
    def zoneinfo(self) -> zoneinfo.ZoneInfo:
        from .locale import zone  # one rule for a bad or empty name (UTC), shared with mail to the person

        return zone(self.time_zone)

    @property
    def language_code(self) -> str:
        """The language everything addressed to this person is written in (pages, email, chat)."""
        return self.language or settings.LANGUAGE_CODE

    @property
    def can_moderate(self) -> bool:
        return self.is_moderator or self.is_staff


class AuditAction(models.TextChoices):
    SIGNED_IN = "signed_in", _("signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("sign-in failed")
    SIGN_IN_REFUSED = "sign_in_refused", _("sign-in refused")
    SIGNED_OUT = "signed_out", _("signed out")
    SESSION_EXPIRED = "session_expired", _("session expired")
    ROLE_CHANGED = "role_changed", _("role changed")
    LEAD_CHANGED = "lead_changed", _("lead changed")
    MODERATED = "moderated", _("moderated")
    ADMIN_ACTION = "admin_action", _("admin action")
    DEACTIVATED = "deactivated", _("deactivated")
    DIRECTORY_IMPORT = "directory_import", _("directory import")
    ERASURE_REQUESTED = "erasure_requested", _("erasure requested")
    ERASED = "erased", _("erased")
    DATA_EXPORTED = "data_exported", _("data exported")


class AuditEvent(models.Model):
    """Who did what, when, to what. Append-only; never names the author of an anonymous post."""

    actor = models.ForeignKey(
        "people.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("who")
    )
    action = models.CharField(_("what"), max_length=32, choices=AuditAction.choices, db_index=True)
    target_type = models.CharField(_("target type"), max_length=100, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_repr = models.CharField(_("target"), max_length=300, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"


class ErasureRequest(models.Model):
    """A person asked for their data to be erased; an admin carries it out (erase_person or the admin action)."""

    person = models.ForeignKey("people.User", on_delete=models.CASCADE, related_name="erasure_requests")
    reason = models.TextField(_("reason"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(completed_at__isnull=True), name="erasure_one_open_request"
            ),
        ]

    def __str__(self) -> str:
        return f"erasure of #{self.person_id}"


class Avatar(models.Model):
    """A person's picture, re-encoded by people.avatars (a square JPEG, no metadata), kept in the database so
    every web node serves it without shared files."""

    person = models.OneToOneField(User, primary_key=True, on_delete=models.CASCADE, related_name="avatar")
    image = models.BinaryField()
    updated_at = models.DateTimeField(default=timezone.now)
    # Set by the directory import (people.directory), which never replaces a picture the person uploaded;
    # the digest of the directory's file lets a second run with the same picture change nothing.
    from_directory = models.BooleanField(default=False, db_default=False)
    directory_digest = models.CharField(max_length=64, blank=True, default="", db_default="")


class ContentVersion(models.Model):
    """A counter bumped by database triggers in the same transaction as every write to the rows it covers.

    Cached page parts are keyed by it (key-based expiry, socialbiz/versions.py): a service, an admin
    save, a plain UPDATE or a COPY all bump it alike, so nothing cached under an old value is ever read
    again. Which tables and columns bump which name: the migrations people/0005 and feedback/0012.
    """

    name = models.CharField(primary_key=True, max_length=40)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class Session(AbstractBaseSession):
    """Django's session table (`django_session`) seen with one more column: whose session it is.

    The session engine (people/sessions.py) reads the session and its person in one query by joining on
    `user`, which the engine fills in on every save. The table stays Django's (migration 0006 adds the
    column in place), so sessions written before the column existed stay valid: their person is read
    with a query of its own until the session is next saved. Unmanaged: django.contrib.sessions owns
    the table; deleting a person deletes their sessions (ON DELETE CASCADE in the database).
    """

    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        managed = False
        db_table = "django_session"
