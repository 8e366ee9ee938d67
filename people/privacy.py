"""A person's data export ("my data"), put together from what each app holds about them.

Each app registers its own sections in its AppConfig.ready() (`movements/privacy.py`, ...), so the
export covers every app without `people` importing the apps above it. Other people appear only as
what the person's own rows are about (a movement's title), never by name or email. Anonymous posts
hold no link to anyone, so they cannot be part of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .models import AuditEvent, ErasureRequest, User

Section = Callable[[User], object]


@dataclass(frozen=True)
class _Registered:
    order: int
    name: str
    rows: Section


_sections: dict[str, _Registered] = {}


def export_section(name: str, *, order: int) -> Callable[[Section], Section]:
    """Register `rows(person)` as the export's section `name`; sections appear by `order`."""

    def register(rows: Section) -> Section:
        _sections[name] = _Registered(order, name, rows)
        return rows

    return register


def iso(value) -> str | None:
    return value.isoformat() if value else None


def privacy_export_for(*, person: User) -> dict:
    """Everything the portal holds about `person`, and nothing about anyone else."""
    data: dict = {"profile": _profile(person)}
    for section in sorted(_sections.values(), key=lambda s: s.order):
        data[section.name] = section.rows(person)
    return data


def _profile(person: User) -> dict:
    return {
        "email": person.email,
        "display_name": person.display_name,
        "job_title": person.job_title,
        "department": person.department.name if person.department_id else None,
        "department_path": person.department.external_key if person.department_id else None,
        "manager": person.manager.name if person.manager_id else None,
        "location": person.location,
        "time_zone": person.time_zone,
        "employee_id": person.employee_id,
        "is_moderator": person.is_moderator,
        "is_staff": person.is_staff,
        "date_joined": iso(person.date_joined),
        "last_login": iso(person.last_login),
    }


@export_section("sign_ins_and_account_events", order=90)
def _account_events(person: User) -> list[dict]:
    return [
        {"what": e.action, "when": iso(e.created_at), "ip_address": e.ip_address}
        for e in AuditEvent.objects.filter(actor=person).order_by("created_at", "pk")[:1000]
    ]


@export_section("erasure_requests", order=91)
def _erasure_requests(person: User) -> list[dict]:
    return [
        {"reason": r.reason, "created_at": iso(r.created_at), "completed_at": iso(r.completed_at)}
        for r in ErasureRequest.objects.filter(person=person)
    ]
