"""Authentication backends that refuse passwords when single sign-on is the only way in."""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .sessions import loading_session


class _PlainUserLoad:
    """The signed-in person's row by primary key, read with one plain SELECT on every request.

    Django's ModelBackend.get_user builds `User.objects.get(pk=...)` through the ORM's compiler each time
    (~0.4 ms of CPU on /bench/hello against ~0.25 ms this way). The same columns, the same User instance
    and the same rule: a deactivated person is no user (SessionPolicyMiddleware then ends the session).
    On a request whose session row names its person, the person came with the session and is not read again.
    """

    def get_user(self, user_id):
        # Read with the session already (people/sessions.py, people.middleware.AuthenticationMiddleware).
        session = loading_session.get()
        user = getattr(session, "joined_person", None)
        if user is not None and str(user.pk) == str(user_id):
            return user if self.user_can_authenticate(user) else None
        model = get_user_model()
        table, pk = model._meta.db_table, model._meta.pk.column
        user = next(iter(model._default_manager.raw(f'SELECT * FROM "{table}" WHERE "{pk}" = %s', [user_id])), None)  # noqa: S608
        return user if user is not None and self.user_can_authenticate(user) else None


class PasswordModelBackend(_PlainUserLoad, ModelBackend):
    """Django's backend (the admin's login form); no password checks when PASSWORD_LOGIN_ENABLED is off."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not settings.PASSWORD_LOGIN_ENABLED:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class PasswordAllauthBackend(_PlainUserLoad, AllauthBackend):
    """allauth's email login; no password checks when PASSWORD_LOGIN_ENABLED is off."""

    def authenticate(self, request, **credentials):
        if not settings.PASSWORD_LOGIN_ENABLED:
            return None
        return super().authenticate(request, **credentials)
