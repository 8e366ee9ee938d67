"""Authentication backends that refuse passwords when single sign-on is the only way in."""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class PasswordModelBackend(ModelBackend):
    """Django's backend (the admin's login form); no password checks when PASSWORD_LOGIN_ENABLED is off."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not settings.PASSWORD_LOGIN_ENABLED:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class PasswordAllauthBackend(AllauthBackend):
    """allauth's email login; no password checks when PASSWORD_LOGIN_ENABLED is off."""

    def authenticate(self, request, **credentials):
        if not settings.PASSWORD_LOGIN_ENABLED:
            return None
        return super().authenticate(request, **credentials)
