"""Demo organisation: about 60 people in 6 departments with managers. Idempotent (keyed on email)."""

from __future__ import annotations

import random

from django.contrib.auth.hashers import make_password

from people.models import Department, User

DEMO_PASSWORD = "socialbiz-demo"
DEMO_LOGINS = {
    "admin": "admin@example.com",
    "champion": "champion@example.com",
    "employee": "employee@example.com",
}

DEPARTMENTS = {
    "Engineering": ["Platform", "Product Engineering"],
    "Sales": [],
    "Customer Success": [],
    "Finance": [],
    "People & Culture": [],
    "Operations": [],
}
FIRST_NAMES = [
    "Ada",
    "Bruno",
    "Chioma",
    "Dmitri",
    "Elena",
    "Farah",
    "Gustavo",
    "Hana",
    "Ivan",
    "Jia",
    "Kwame",
    "Lena",
    "Mateo",
    "Nadia",
    "Oskar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tomas",
    "Uma",
    "Viktor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zofia",
    "Amara",
    "Björn",
    "Carmen",
    "Deniz",
]
LAST_NAMES = [
    "Okafor",
    "Lindqvist",
    "Haddad",
    "Moreau",
    "Tanaka",
    "Kowalski",
    "Silva",
    "Nguyen",
    "Schmidt",
    "Rossi",
    "Mensah",
    "Fischer",
    "Patel",
    "Novak",
    "Garcia",
    "Larsen",
    "Cohen",
    "Ivanova",
    "Dubois",
    "Mbeki",
]
TITLES = ["Engineer", "Analyst", "Specialist", "Coordinator", "Consultant", "Designer", "Manager"]
LOCATIONS = ["Berlin", "Lisbon", "Toronto", "Nairobi", "Singapore", "Remote"]


def _department(name: str, parent: Department | None) -> Department:
    department, _ = Department.objects.get_or_create(name=name, parent=parent)
    return department


def _person(email: str, display_name: str, *, password_hash: str, **fields) -> tuple[User, bool]:
    person = User.objects.filter(email__iexact=email).first()
    if person:
        return person, False
    person = User(email=email, display_name=display_name, password=password_hash, **fields)
    person.save()
    return person, True


def seed_people(*, rng: random.Random) -> dict:
    departments: list[Department] = []
    for name, children in DEPARTMENTS.items():
        parent = _department(name, None)
        departments.append(parent)
        departments.extend(_department(child, parent) for child in children)

    # Hashed once per run: hashing the same password 63 times would cost seconds and add nothing.
    password_hash = make_password(DEMO_PASSWORD)
    people: list[User] = []
    created = 0
    for index in range(60):
        first, last = FIRST_NAMES[index % len(FIRST_NAMES)], LAST_NAMES[(index * 7) % len(LAST_NAMES)]
        department = departments[index % len(departments)]
        person, is_new = _person(
            f"{first.lower()}.{last.lower()}@example.com".replace("ö", "o"),
            f"{first} {last}",
            job_title=rng.choice(TITLES),
            department=department,
            location=rng.choice(LOCATIONS),
            password_hash=password_hash,
        )
        created += is_new
        people.append(person)

    # The first person seeded in each department manages the others there.
    heads: dict[int, User] = {}
    for person in people:
        head = heads.setdefault(person.department_id, person)
        if head != person and person.manager_id != head.pk:
            person.manager = head
            person.save(update_fields=["manager"])

    admin, is_new = _person(
        DEMO_LOGINS["admin"],
        "Alex Admin",
        job_title="Portal administrator",
        department=departments[-1],
        is_staff=True,
        is_superuser=True,
        is_moderator=True,
        password_hash=password_hash,
    )
    created += is_new
    # The administrator doubles as the executive the department heads report to: "My organisation" has
    # something to show in the demo.
    for head in heads.values():
        if head.manager_id != admin.pk:
            head.manager = admin
            head.save(update_fields=["manager"])
    champion, is_new = _person(
        DEMO_LOGINS["champion"],
        "Charlie Champion",
        job_title="Team lead",
        department=departments[1],
        location="Berlin",
        password_hash=password_hash,
    )
    created += is_new
    employee, is_new = _person(
        DEMO_LOGINS["employee"],
        "Emery Employee",
        job_title="Account executive",
        department=departments[3],
        location="Lisbon",
        password_hash=password_hash,
    )
    created += is_new
    return {
        "departments": departments,
        "people": people,
        "admin": admin,
        "champion": champion,
        "employee": employee,
        "created": created,
    }
