"""Form fields for text people write: the limit is shown, counted the way the browser counts, never silently cut."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


def normalise_newlines(value: str) -> str:
    """Browsers count a line break as one character but send it as CRLF: count it once, as the person saw it."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


class TextField(forms.CharField):
    """A CharField whose help text states the limit and whose widget carries it as data-maxlength.

    No maxlength attribute: a browser with one cuts a long paste silently. Here the text arrives whole, the
    server refuses it with a message that says by how much, and static/js/forms.js counts as the person types.
    """

    default_error_messages = {
        "max_length": _(
            "Keep it to %(limit_value)s characters or fewer; it has %(show_value)s. "
            "Nothing was cut: shorten it here and send it again."
        ),
    }

    def __init__(self, *, max_length: int, help_text="", **kwargs):
        limit = format_lazy(_("Up to {limit} characters."), limit=f"{max_length:,}")
        help_text = format_lazy("{} {}", help_text, limit) if help_text else limit
        super().__init__(max_length=max_length, help_text=help_text, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_newlines(value) if isinstance(value, str) else value

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        attrs.update(
            {
                "data-maxlength": str(self.max_length),
                # The live count's words, translated on the server ({n} is replaced in the browser).
                "data-count-left": _("{n} characters left"),
                "data-count-over": _("{n} characters too many"),
                "data-too-long": _(
                    "Not sent: this is {n} characters too long. Your text is still here: shorten it, then send it again."
                ),
            }
        )
        return attrs
