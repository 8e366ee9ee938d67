from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import DEFAULT_RANGE, RANGE_CHOICES


class DashboardFilterForm(forms.Form):
    """The range and department filter. Departments are offered by the page (only those big enough to show)."""

    range = forms.TypedChoiceField(
        label=_("Time range"),
        choices=[(days, _("Last %(days)d days") % {"days": days}) for days in RANGE_CHOICES],
        coerce=int,
        required=False,
        empty_value=DEFAULT_RANGE,
        error_messages={"invalid_choice": _("Choose 7, 28, 90 or 365 days.")},
    )
    department = forms.IntegerField(
        label=_("Department"),
        required=False,
        min_value=1,
        error_messages={
            "invalid": _("Choose a department from the list."),
            "min_value": _("Choose a department from the list."),
        },
    )

    def filters(self) -> tuple[int, int | None]:
        """The valid range and department; a field with an error falls back to its default."""
        data = getattr(self, "cleaned_data", {})
        days = data.get("range") if "range" not in self.errors else None
        department = data.get("department") if "department" not in self.errors else None
        return days or DEFAULT_RANGE, department
