"""The session engine (SESSION_ENGINE): Django's database sessions, read with their person in one plain SELECT.

Every signed-in request reads its session row and then its person's row. Building those queries through
the ORM's compiler cost about four times the queries themselves (in-process on the benchmark database:
~0.35 ms of CPU against ~0.09 ms), and each is a round trip to PostgreSQL: here one SELECT joins the
session to the person its `user_id` column names (people.Session, migration people/0006), and the person
is handed to the authentication backend (people/backends.py) instead of being read again, with their
department (most pages scope what a person sees by it).

The table, the row's format and every write are Django's own (`django.contrib.sessions.backends.db`), plus
the person's id on save, so sessions written before and after this engine are the same and nobody is
signed out by switching to it. Sessions stay in PostgreSQL only: see the note above SESSION_ENGINE in
settings.py for why not Redis.
"""

import functools
from contextvars import ContextVar

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

# The session whose person the backend may take instead of reading it (set by people.middleware).
loading_session: ContextVar["SessionStore | None"] = ContextVar("loading_session", default=None)


class SessionStore(db.SessionStore):
    # The person read with the session (None: none was joined, e.g. a row without user_id).
    joined_person = None

    @classmethod
    def get_model_class(cls):
        # Imported here: the models import this module's class lazily, and it must load without the app registry.
        from people.models import Session

        return Session

    def load(self):
        self.joined_person = None
        sql, user_model, user_attnames, department_model, department_attnames = _joined_select(self.model)
        using = router.db_for_read(self.model)
        with connections[using].cursor() as cursor:
            cursor.execute(sql, [self.session_key, timezone.now()])
            row = cursor.fetchone()
        if row is None:
            # As Django's: a missing or expired session reads as empty and gets a new key when saved.
            self._session_key = None
            return {}
        session = self.decode(row[0])
        user_id = row[1]
        # The joined row only stands for the person the session names (a row saved by an older engine has no
        # user_id; one whose person is gone joins nothing): otherwise the backend reads them as before.
        if user_id is not None and row[2] is not None and str(user_id) == str(session.get(SESSION_KEY)):
            person = user_model.from_db(using, user_attnames, row[2 : 2 + len(user_attnames)])
            if person.department_id is not None:
                # Their department came along too (pages scope what a person sees by it).
                department = row[2 + len(user_attnames) :]
                person._state.fields_cache["department"] = department_model.from_db(
                    using, department_attnames, department
                )
            self.joined_person = person
        return session

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        user_id = data.get(SESSION_KEY)
        instance.user_id = int(user_id) if isinstance(user_id, str | int) and str(user_id).isdigit() else None
        return instance


@functools.cache
def _joined_select(session_model) -> tuple[str, type, list[str], type, list[str]]:
    """The SELECT of a session, its person's columns and their department's, with the models and field names."""
    user_model = session_model._meta.get_field("user").related_model
    department_model = user_model._meta.get_field("department").related_model
    user_fields, department_fields = user_model._meta.concrete_fields, department_model._meta.concrete_fields
    columns = ", ".join(
        [f'u."{field.column}"' for field in user_fields] + [f'd."{field.column}"' for field in department_fields]
    )
    sql = (
        f'SELECT s."session_data", s."user_id", {columns} FROM "{session_model._meta.db_table}" s '
        f'LEFT JOIN "{user_model._meta.db_table}" u ON u."{user_model._meta.pk.column}" = s."user_id" '
        f'LEFT JOIN "{department_model._meta.db_table}" d '
        f'ON d."{department_model._meta.pk.column}" = u."{user_model._meta.get_field("department").column}" '
        'WHERE s."session_key" = %s AND s."expire_date" > %s'
    )
    return (
        sql,
        user_model,
        [field.attname for field in user_fields],
        department_model,
        [field.attname for field in department_fields],
    )
