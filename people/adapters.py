from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialAccount
from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .directory import department_for_path
from .models import AuditAction, User
from .services import audit_record
from .sso import NONCE_STATE_KEY


def email_domain_allowed(email: str) -> bool:
    allowed = settings.SIGNUP_ALLOWED_DOMAINS
    if not allowed:
        return True
    domain = email.rsplit("@", 1)[-1].lower()
    return domain in allowed


def awaits_signup_confirmation(user) -> bool:
    """Signed up through the form and has not confirmed the address yet (never signed in, no SSO link,
    not from the directory, and no verified address)."""
    if user.last_login is not None or user.employee_id or SocialAccount.objects.filter(user=user).exists():
        return False
    addresses = EmailAddress.objects.filter(user=user)
    return addresses.exists() and not addresses.filter(verified=True).exists()


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up is open, limited to the company's email domains, or closed (settings)."""

    def is_open_for_signup(self, request) -> bool:
        # With password sign-in turned off, people arrive through SSO or the directory only.
        return settings.SIGNUP_OPEN and settings.PASSWORD_LOGIN_ENABLED

    def pre_login(self, request, user, **kwargs):
        # A self-signed-up person signs in only after confirming their address (see forms.SignupForm);
        # people from the directory, SSO or the admin never had to.
        if awaits_signup_confirmation(user):
            address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
            if address is not None:
                address.send_confirmation(request, signup=True)
            return self.respond_email_verification_sent(request, user)
        return super().pre_login(request, user, **kwargs)

    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        if not email_domain_allowed(email):
            raise forms.ValidationError(
                _("Sign-up is limited to addresses at: %(domains)s.")
                % {"domains": ", ".join(settings.SIGNUP_ALLOWED_DOMAINS)}
            )
        return email


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """OpenID Connect sign-in: matched on provider + subject, limited to allowed domains, nonce checked.

    A first sign-in creates the person from the provider's claims. A new subject whose email
    belongs to an existing person is refused (no takeover by email), except for a person imported
    from the directory who has no sign-in at this provider yet and whose employee id the provider
    sends in the OIDC_EMPLOYEE_ID_CLAIM claim.
    """

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return settings.SSO_CREATES_PEOPLE

    def pre_social_login(self, request, sociallogin) -> None:
        provider_id = sociallogin.account.provider
        claims = sso_claims(sociallogin)
        email = (claims.get("email") or "").strip().lower()
        self._check_nonce(request, sociallogin)
        if not email:
            self._refuse(request, sociallogin, "no_email", _("Your company sign-in did not send an email address."))
        if not email_domain_allowed(email):
            self._refuse(
                request,
                sociallogin,
                "domain",
                _("Sign-in is limited to addresses at: %(domains)s.")
                % {"domains": ", ".join(settings.SIGNUP_ALLOWED_DOMAINS)},
            )
        request.people_sso_provider = provider_id
        if sociallogin.is_existing:
            sso_refresh_profile(person=sociallogin.user, claims=claims)
            return
        holder = User.objects.filter(email__iexact=email).first()
        if holder is None:
            return
        linked_here = SocialAccount.objects.filter(user=holder, provider=provider_id).exists()
        employee_id = str(claims.get(settings.OIDC_EMPLOYEE_ID_CLAIM) or "").strip()
        if not linked_here and holder.employee_id and employee_id and employee_id == holder.employee_id:
            sociallogin.connect(request, holder)
            sso_refresh_profile(person=holder, claims=claims)
            return
        self._refuse(
            request,
            sociallogin,
            "email_taken",
            _("An account with this email address already exists. Ask an administrator to link it to your sign-in."),
        )

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        claims = sso_claims(sociallogin)
        user.email = (claims.get("email") or user.email or "").strip().lower()
        user.display_name = claim_name(claims)[:150]
        user.job_title = claim_title(claims)[:200]
        user.set_unusable_password()
        return user

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        department_path = claim_department(sso_claims(sociallogin))
        if department_path:
            user.department = department_for_path(department_path)
            user.save(update_fields=["department"])
        return user

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):

        audit_record(
            action=AuditAction.SIGN_IN_FAILED,
            detail={
                "provider": getattr(getattr(provider, "app", None), "provider_id", "") or getattr(provider, "id", ""),
                "error": str(error or ""),
                "exception": exception.__class__.__name__ if exception else "",
            },
            request=request,
        )

    def _check_nonce(self, request, sociallogin) -> None:
        expected = (sociallogin.state or {}).get(NONCE_STATE_KEY)
        id_token = (sociallogin.account.extra_data or {}).get("id_token") or {}
        if not expected or id_token.get("nonce") != expected:
            self._refuse(request, sociallogin, "nonce", _("The sign-in could not be verified. Please try again."))

    def _refuse(self, request, sociallogin, reason: str, message: str):

        claims = sso_claims(sociallogin)
        audit_record(
            action=AuditAction.SIGN_IN_REFUSED,
            target_repr=str(claims.get("email") or "")[:254],
            detail={"provider": sociallogin.account.provider, "reason": reason},
            request=request,
        )
        messages.error(request, message)
        raise ImmediateHttpResponse(redirect("account_login"))


def sso_claims(sociallogin) -> dict:
    """Userinfo claims, falling back to the ID token's."""
    extra = sociallogin.account.extra_data or {}
    return {**(extra.get("id_token") or {}), **(extra.get("userinfo") or {})}


def claim_name(claims: dict) -> str:
    name = str(claims.get("name") or "").strip()
    if not name:
        name = " ".join(str(claims.get(k) or "").strip() for k in ("given_name", "family_name")).strip()
    return name


def claim_title(claims: dict) -> str:
    for key in (settings.OIDC_TITLE_CLAIM, "job_title", "jobTitle", "title"):
        if claims.get(key):
            return str(claims[key]).strip()
    return ""


def claim_department(claims: dict) -> str:
    for key in (settings.OIDC_DEPARTMENT_CLAIM, "department"):
        if claims.get(key):
            return str(claims[key]).strip()
    return ""


def sso_refresh_profile(*, person, claims: dict) -> None:
    """The identity provider is the source of truth: keep name, title, department and email current.

    The email follows the provider only when no one else holds the new address.
    """
    changed: list[str] = []
    name, title = claim_name(claims)[:150], claim_title(claims)[:200]
    if name and name != person.display_name:
        person.display_name, changed = name, [*changed, "display_name"]
    if title and title != person.job_title:
        person.job_title, changed = title, [*changed, "job_title"]
    email = str(claims.get("email") or "").strip().lower()
    if email and email != person.email and not User.objects.filter(email__iexact=email).exclude(pk=person.pk).exists():
        person.email, changed = email, [*changed, "email"]
    department_path = claim_department(claims)
    if department_path:
        department = department_for_path(department_path)
        if department.pk != person.department_id:
            person.department, changed = department, [*changed, "department"]
    if changed:
        person.save(update_fields=changed)
