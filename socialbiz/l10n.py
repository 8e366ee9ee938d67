"""Numbers, percentages and dates for text built in Python (chart labels, table cells, messages), in the
active language: "12,500" and "42%" in English, "12.500" and "42 %" in German."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _


def number(value: int | float | Decimal, decimals: int | None = None) -> str:
    """Grouped thousands and the language's decimal mark; floats keep at most two decimals."""
    if isinstance(value, float) and decimals is None:
        value = round(value, 2)
        if value == int(value):
            value = int(value)
    return formats.number_format(value, decimal_pos=decimals, force_grouping=True)


def percent(value: int | float | Decimal) -> str:
    # Translators: a percentage; French and German put a (narrow) space before the sign.
    return _("%(number)s%%") % {"number": number(value)}


def short_date(value: dt.date | dt.datetime) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def value(cell) -> str:
    """A table cell or chart label as the reader's language writes it."""
    if isinstance(cell, bool):
        return formats.localize(cell)
    if isinstance(cell, (int, float, Decimal)):
        # As precise as the cell was computed (a column of "50.0" and "33.3" stays aligned), grouped.
        return formats.number_format(cell, force_grouping=True)
    if isinstance(cell, (dt.date, dt.datetime)):
        return short_date(cell)
    return str(cell)
