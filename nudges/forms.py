from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ALWAYS_IN_APP, PERSON_KINDS


class PreferencesForm(forms.Form):
    """Two checkboxes per kind: email and in-app. The in-app box of the kinds that cannot be silenced is fixed on."""

    def __init__(self, *args, rows: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        for row in rows:
            kind = row["kind"]
            self.fields[f"email_{kind}"] = forms.BooleanField(
                required=False, initial=row["email"], label=_("Email: %(kind)s") % {"kind": row["label"]}
            )
            self.fields[f"in_app_{kind}"] = forms.BooleanField(
                required=False,
                initial=row["in_app"],
                disabled=row["in_app_locked"],
                label=_("In the portal: %(kind)s") % {"kind": row["label"]},
            )

    def choices(self) -> dict[str, tuple[bool, bool]]:
        data = self.cleaned_data
        return {
            kind.value: (
                bool(data.get(f"email_{kind.value}")),
                bool(data.get(f"in_app_{kind.value}")) or kind in ALWAYS_IN_APP,
            )
            for kind in PERSON_KINDS
        }
