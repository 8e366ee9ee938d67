"""The directory import: people, departments (a tree) and manager links from the company's CSV export.

Columns: employee_id,email,name,title,department_path,manager_email,location,active,photo
(employee_id and email required; department_path like "Engineering/Platform"; active true/false; photo a
picture file's path relative to the CSV, as HR systems export a folder of photos beside the people list).

Every row is checked before anything is written, so a malformed row (reported with its line
number) is skipped whole and the others go on; the writes are bulk operations in batches, each
batch in its own transaction, retried row by row if the database refuses one of its rows.
Pictures come last, one person at a time, through the same code as an upload (people.avatars); a
picture that cannot be used is reported with its line and only the picture is left out.
"""

from __future__ import annotations

import csv
import hashlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import DatabaseError, connection, transaction

from . import avatars
from .models import AuditAction, Avatar, Department, User
from .services import audit_record, avatar_set_from_directory, person_deactivate, person_reactivate

COLUMNS = ["employee_id", "email", "name", "title", "department_path", "manager_email", "location", "active", "photo"]
REQUIRED_COLUMNS = {"employee_id", "email"}
TRUE_WORDS = {"", "1", "true", "yes", "y", "active"}
FALSE_WORDS = {"0", "false", "no", "n", "inactive"}
BATCH_SIZE = 1000
PROFILE_FIELDS = ["email", "display_name", "job_title", "department_id", "location"]


@dataclass
class DirectoryRow:
    line: int
    employee_id: str
    email: str
    name: str
    title: str
    department_path: str
    manager_email: str
    location: str
    active: bool
    photo: str = ""
    changed_fields: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    reactivated: int = 0
    managers_set: int = 0
    departments_created: int = 0
    pictures_set: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    # A picture that could not be used: the row itself was imported, only its picture left out.
    picture_problems: list[tuple[int, str]] = field(default_factory=list)
    # Employee ids on malformed rows: such a person is still listed, so never a leaver.
    malformed_ids: set[str] = field(default_factory=set)
    # One line per change ("updated E3: job_title, location"), shown by the command at -v 2.
    changes: list[str] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return any(
            (
                self.created,
                self.updated,
                self.deactivated,
                self.reactivated,
                self.managers_set,
                self.departments_created,
                self.pictures_set,
            )
        )

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deactivated": self.deactivated,
            "reactivated": self.reactivated,
            "managers_set": self.managers_set,
            "departments_created": self.departments_created,
            "errors": len(self.errors),
            "pictures_set": self.pictures_set,
            "picture_problems": len(self.picture_problems),
        }


class DirectoryFileError(Exception):
    """The file itself cannot be read (missing columns, not CSV)."""


def split_path(path: str) -> list[str]:
    return [part.strip() for part in path.split("/") if part.strip()]


def department_for_path(
    path: str, known: dict[tuple[str, ...], Department] | None = None, report: ImportReport | None = None
) -> Department:
    """The department at `path` ("Engineering/Platform"), creating missing levels of the tree."""
    parts = split_path(path)
    parent: Department | None = None
    for depth in range(1, len(parts) + 1):
        key = tuple(parts[:depth])
        department = known.get(key) if known is not None else None
        if department is None:
            department, created = Department.objects.get_or_create(
                parent=parent, name=parts[depth - 1], defaults={"external_key": "/".join(key)}
            )
            if created and report is not None:
                report.departments_created += 1
            if known is not None:
                known[key] = department
        parent = department
    assert parent is not None
    return parent


def _department_index() -> dict[tuple[str, ...], Department]:
    by_id = {d.pk: d for d in Department.objects.all()}
    index: dict[tuple[str, ...], Department] = {}
    for department in by_id.values():
        names = [by_id[i].name for i in department.ancestor_ids if i in by_id]
        index[tuple(names)] = department
    return index


def parse_rows(lines: Iterable[str], report: ImportReport) -> list[DirectoryRow]:
    reader = csv.DictReader(lines)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = REQUIRED_COLUMNS - set(header)
    if missing:
        raise DirectoryFileError(
            f"The file has no {', '.join(sorted(missing))} column. Expected columns: {','.join(COLUMNS)}."
        )
    reader.fieldnames = header
    rows: list[DirectoryRow] = []
    seen_ids: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    for raw in reader:
        line = reader.line_num
        if None in raw:
            report.errors.append((line, "more values than columns"))
            continue
        values = {k: (raw.get(k) or "").strip() for k in COLUMNS}
        problem = _row_problem(values, seen_ids, seen_emails)
        if problem:
            report.errors.append((line, problem))
            if values["employee_id"]:
                report.malformed_ids.add(values["employee_id"])
            continue
        email = values["email"].lower()
        seen_ids[values["employee_id"]] = line
        seen_emails[email] = line
        rows.append(
            DirectoryRow(
                line=line,
                employee_id=values["employee_id"],
                email=email,
                name=values["name"][:150],
                title=values["title"][:200],
                department_path="/".join(split_path(values["department_path"])),
                manager_email=values["manager_email"].lower(),
                location=values["location"][:200],
                active=values["active"].lower() not in FALSE_WORDS,
                photo=values["photo"],
            )
        )
    return rows


def _row_problem(values: dict[str, str], seen_ids: dict[str, int], seen_emails: dict[str, int]) -> str:
    if not values["employee_id"]:
        return "employee_id is empty"
    if len(values["employee_id"]) > 64:
        return "employee_id is longer than 64 characters"
    try:
        validate_email(values["email"])
    except ValidationError:
        return f"email {values['email']!r} is not a valid address"
    if values["active"].lower() not in TRUE_WORDS | FALSE_WORDS:
        return f"active must be true or false, not {values['active']!r}"
    if values["manager_email"]:
        try:
            validate_email(values["manager_email"])
        except ValidationError:
            return f"manager_email {values['manager_email']!r} is not a valid address"
        if values["manager_email"].lower() == values["email"].lower():
            return "a person cannot be their own manager"
    if any(len(part) > 200 for part in split_path(values["department_path"])):
        return "a department name is longer than 200 characters"
    if values["employee_id"] in seen_ids:
        return f"employee_id {values['employee_id']} already appears on line {seen_ids[values['employee_id']]}"
    if values["email"].lower() in seen_emails:
        return f"email {values['email'].lower()} already appears on line {seen_emails[values['email'].lower()]}"
    return ""


def import_directory(
    lines: Iterable[str],
    *,
    deactivate_missing: bool = False,
    by: User | None = None,
    progress: Callable[[str], None] | None = None,
    photo_folder: Path | None = None,
) -> ImportReport:
    """Create, update and (optionally) deactivate people from directory rows. A second run changes nothing.
    `photo` paths are read inside `photo_folder` (the CSV's folder), never outside it."""

    report = ImportReport()
    say = progress or (lambda message: None)
    rows = parse_rows(lines, report)
    total = len(rows)
    say(f"Read {total} valid rows ({len(report.errors)} malformed).")

    people = list(User.objects.only("pk", "email", "employee_id", *PROFILE_FIELDS, "manager_id", "is_active"))
    by_employee_id = {p.employee_id: p for p in people if p.employee_id}
    by_email = {p.email.lower(): p for p in people}

    # Match each row to a person (employee id first, then email); refuse rows that would steal an address.
    matched: list[tuple[DirectoryRow, User | None]] = []
    for row in rows:
        person = by_employee_id.get(row.employee_id)
        holder = by_email.get(row.email)
        if person is None and holder is not None:
            if holder.employee_id and holder.employee_id != row.employee_id:
                report.errors.append((row.line, f"email {row.email} belongs to employee {holder.employee_id}"))
                continue
            person = holder
        elif person is not None and holder is not None and holder.pk != person.pk:
            report.errors.append((row.line, f"email {row.email} belongs to another person"))
            continue
        matched.append((row, person))

    file_emails = {row.email for row, _ in matched}
    accepted: list[tuple[DirectoryRow, User | None]] = []
    for row, person in matched:
        if row.manager_email and row.manager_email not in file_emails and row.manager_email not in by_email:
            report.errors.append((row.line, f"manager {row.manager_email} is neither in the file nor in the directory"))
            continue
        accepted.append((row, person))

    departments = _department_index()
    for row, _ in accepted:
        if row.department_path and tuple(split_path(row.department_path)) not in departments:
            department_for_path(row.department_path, departments, report)

    # Pass 1: people and their profile fields, in batches.
    for start in range(0, len(accepted), BATCH_SIZE):
        batch = accepted[start : start + BATCH_SIZE]
        _write_batch(batch, departments, report, by_employee_id, by_email)
        say(f"People: {min(start + BATCH_SIZE, len(accepted))}/{len(accepted)}")

    # Pass 2: manager links, now that everyone in the file exists.
    manager_changes: list[User] = []
    for row, _ in accepted:
        person = by_employee_id.get(row.employee_id)
        if person is None:
            continue  # its batch was refused; the error is reported
        manager = by_email.get(row.manager_email) if row.manager_email else None
        manager_id = manager.pk if manager else None
        if person.manager_id != manager_id:
            person.manager_id = manager_id
            manager_changes.append(person)
            report.changes.append(f"manager of {row.employee_id}: {row.manager_email or 'none'}")
    _set_managers(manager_changes)
    report.managers_set = len(manager_changes)
    say(f"Managers: {len(manager_changes)} links changed.")

    # Leavers and returners go through the services (sessions end, movements left without a lead are flagged).
    for row, _ in accepted:
        person = by_employee_id.get(row.employee_id)
        if person is None:
            continue
        if not row.active and person.is_active:
            report.deactivated += person_deactivate(person=person, by=by, reason="directory: inactive")
            report.changes.append(f"deactivated {row.employee_id} (inactive in the file)")
        elif row.active and not person.is_active and not person.email.endswith("@invalid"):
            report.reactivated += person_reactivate(person=person, by=by)
            report.changes.append(f"reactivated {row.employee_id}")
    if deactivate_missing:
        listed = {row.employee_id for row in rows} | report.malformed_ids
        leavers = User.objects.filter(is_active=True, employee_id__isnull=False).exclude(employee_id__in=listed)
        for person in leavers:
            report.deactivated += person_deactivate(person=person, by=by, reason="directory: missing")
            report.changes.append(f"deactivated {person.employee_id} (not in the file)")
    _set_pictures(accepted, by_employee_id, photo_folder, report)
    if report.pictures_set or report.picture_problems:
        say(f"Pictures: {report.pictures_set} set, {len(report.picture_problems)} left out.")
    if report.changed_anything:
        audit_record(action=AuditAction.DIRECTORY_IMPORT, actor=by, detail=report.as_dict())
    return report


class PictureProblem(Exception):
    """This row's picture cannot be used; the message says why, for the import's report."""


def _set_pictures(accepted, by_employee_id: dict, photo_folder: Path | None, report: ImportReport) -> None:
    """Each row's picture through people.avatars, unless the person uploaded their own (theirs wins). What is
    on file is read in one query, so a second run with the same pictures only reads and hashes the files."""
    rows = [(row, by_employee_id.get(row.employee_id)) for row, _ in accepted if row.photo]
    rows = [(row, person) for row, person in rows if person is not None]
    if not rows:
        return
    on_file = {
        person_id: (from_directory, digest)
        for person_id, from_directory, digest in Avatar.objects.filter(
            person_id__in=[person.pk for _, person in rows]
        ).values_list("person_id", "from_directory", "directory_digest")
    }
    for row, person in rows:
        from_directory, known_digest = on_file.get(person.pk, (True, ""))
        if not from_directory:
            continue  # the person's own upload: never replaced by the directory's picture
        try:
            data = _picture_bytes(row.photo, photo_folder)
            digest = hashlib.sha256(data).hexdigest()
            if digest == known_digest:
                continue
            image = avatars.avatar_from_upload(ContentFile(data, name=Path(row.photo).name))
        except PictureProblem as problem:
            report.picture_problems.append((row.line, f"photo {row.photo}: {problem}"))
            continue
        except ValidationError as error:
            report.picture_problems.append((row.line, f"photo {row.photo}: {' '.join(error.messages)}"))
            continue
        if avatar_set_from_directory(person=person, image=image, digest=digest):
            report.pictures_set += 1
            report.changes.append(f"picture of {row.employee_id}: {row.photo}")


def _picture_bytes(photo: str, photo_folder: Path | None) -> bytes:
    if photo_folder is None:
        raise PictureProblem("no folder to read pictures from")
    folder = photo_folder.resolve()
    path = (folder / photo).resolve()
    if not path.is_relative_to(folder):
        raise PictureProblem("the path leads outside the CSV's folder")
    if not path.is_file():
        raise PictureProblem("no such file")
    size = path.stat().st_size
    if size > settings.AVATAR_MAX_UPLOAD_BYTES:
        # Checked before reading, so a huge file is never loaded (people.avatars checks the size again).
        raise PictureProblem(avatars.too_big_message())
    try:
        return path.read_bytes()
    except OSError as error:
        raise PictureProblem(f"cannot be read ({error.strerror})") from None


def _set_managers(people: list[User]) -> None:
    with transaction.atomic():
        _bulk_update(people, ["manager_id"])


def _bulk_update(people: list[User], attnames: list[str]) -> None:
    """One UPDATE ... FROM unnest() per 10,000 rows on PostgreSQL (bulk_update's CASE per row is slow here)."""
    if not people:
        return
    if connection.vendor != "postgresql":
        User.objects.bulk_update(people, attnames, batch_size=BATCH_SIZE)
        return
    fields = [
        User._meta.get_field(name.removesuffix("_id") if name.endswith("_id") and name != "employee_id" else name)
        for name in attnames
    ]
    quote = connection.ops.quote_name
    types = ["bigint" if f.is_relation else "text" for f in fields]
    columns = ", ".join(quote(f.column) for f in fields)
    arrays = ", ".join(f"%s::{t}[]" for t in ["bigint", *types])
    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in fields)
    sql = (
        f"UPDATE {quote(User._meta.db_table)} AS u SET {assignments} "
        f"FROM unnest({arrays}) AS v(id, {columns}) WHERE u.id = v.id"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(people), 10 * BATCH_SIZE):
            chunk = people[start : start + 10 * BATCH_SIZE]
            params = [[p.pk for p in chunk]] + [[getattr(p, f.attname) for p in chunk] for f in fields]
            cursor.execute(sql, params)


def _profile_of(row: DirectoryRow, departments: dict) -> dict:
    department = departments.get(tuple(split_path(row.department_path))) if row.department_path else None
    return {
        "email": row.email,
        "display_name": row.name,
        "job_title": row.title,
        "department_id": department.pk if department else None,
        "location": row.location,
    }


def _write_batch(batch, departments, report: ImportReport, by_employee_id: dict, by_email: dict) -> None:
    to_create: list[tuple[DirectoryRow, User]] = []
    to_update: list[tuple[DirectoryRow, User]] = []
    for row, person in batch:
        profile = _profile_of(row, departments)
        if person is None:
            # An unusable password ("!" prefix): directory people sign in through SSO or a password reset.
            user = User(
                employee_id=row.employee_id, password=UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30), **profile
            )
            to_create.append((row, user))
            continue
        changed = [f for f, value in profile.items() if getattr(person, f) != value]
        if person.employee_id != row.employee_id:
            changed.append("employee_id")
        if not changed:
            report.unchanged += 1
            continue
        row.changed_fields = [f.removesuffix("_id") if f != "employee_id" else f for f in changed]
        for f, value in profile.items():
            setattr(person, f, value)
        person.employee_id = row.employee_id
        to_update.append((row, person))
    try:
        with transaction.atomic():
            User.objects.bulk_create([u for _, u in to_create], batch_size=BATCH_SIZE)
            _bulk_update([p for _, p in to_update], [*PROFILE_FIELDS, "employee_id"])
        created, updated = to_create, to_update
    except DatabaseError:
        created, updated = _write_one_by_one(to_create, to_update, report)
    for _, user in created + updated:
        by_employee_id[user.employee_id] = user
        by_email[user.email.lower()] = user
    report.changes += [f"created {row.employee_id} {row.email}" for row, _ in created]
    report.changes += [f"updated {row.employee_id}: {', '.join(row.changed_fields)}" for row, _ in updated]
    report.created += len(created)
    report.updated += len(updated)


def _write_one_by_one(to_create, to_update, report: ImportReport):
    created, updated = [], []
    for row, user in to_create:
        try:
            with transaction.atomic():
                user.pk = None
                user.save(force_insert=True)
            created.append((row, user))
        except DatabaseError as exc:
            report.errors.append((row.line, f"the database refused the row: {exc.__class__.__name__}"))
    for row, person in to_update:
        try:
            with transaction.atomic():
                person.save(update_fields=[*PROFILE_FIELDS, "employee_id"])
            updated.append((row, person))
        except DatabaseError as exc:
            report.errors.append((row.line, f"the database refused the row: {exc.__class__.__name__}"))
    return created, updated
