"""The hooks other apps' services call, inside their own transaction, when something nudge-worthy happens.

They write outbox rows (nudges.Nudge) in the caller's transaction, so a nudge is never lost when
the broker is down, and never sent for an event that rolled back. The Nudges issue fills them in;
until then they do nothing.
"""

from __future__ import annotations


def member_joined(*, membership) -> None:
    """A person followed a movement (first-follower welcome, welcome-your-follower)."""


def invitation_created(*, invitation) -> None:
    """A member invited a colleague."""


def feedback_answered(*, status_change) -> None:
    """A champion or moderator changed a post's status with an official response."""


def person_acted(*, person, verb: str, movement=None) -> None:
    """A person did something a nudge may have suggested (acted-on tracking)."""


def movement_needs_lead(*, movement) -> None:
    """A movement's last active lead was deactivated or left: tell its members it needs a lead."""
