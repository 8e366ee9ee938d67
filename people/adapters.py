from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.conf import settings
from django.utils.translation import gettext as _


def email_domain_allowed(email: str) -> bool:
    allowed = settings.SIGNUP_ALLOWED_DOMAINS
    if not allowed:
        return True
    domain = email.rsplit("@", 1)[-1].lower()
    return domain in allowed


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up is open, limited to the company's email domains, or closed (settings)."""

    def is_open_for_signup(self, request) -> bool:
        return settings.SIGNUP_OPEN

    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        if not email_domain_allowed(email):
            raise forms.ValidationError(
                _("Sign-up is limited to addresses at: %(domains)s.")
                % {"domains": ", ".join(settings.SIGNUP_ALLOWED_DOMAINS)}
            )
        return email
