"""The email backend used when debug is off and EMAIL_URL is not set: it refuses to send.

Printing mail to stdout (Django's console backend) would put password-reset links and nudges in the
server's logs; refusing keeps the message in its outbox (nudges retry) and says what to configure."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend


class UnconfiguredEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        if not email_messages:
            return 0
        if self.fail_silently:
            return 0
        raise ImproperlyConfigured("EMAIL_URL is not set: set it (smtp://user:pass@host:587) to send mail.")
