"""Tables shown on the dashboards, and their CSV export (?export=<table name>)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Table:
    """One table of numbers: what the page shows beside a chart, and what ?export=<name> downloads."""

    name: str
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    # Shown under the table, e.g. "Showing the first 25; the CSV has all 240."
    note: str = ""
    # The page shows at most this many rows (None: all); the CSV always has every row.
    shown: int | None = None
    # When the figures were computed, if not on this request (dashboards.models.NudgeFigures).
    as_of: datetime | None = None

    def __bool__(self) -> bool:
        return bool(self.rows)

    @property
    def shown_rows(self) -> list[list]:
        return self.rows if self.shown is None else self.rows[: self.shown]

    @property
    def rows_not_shown(self) -> int:
        return len(self.rows) - len(self.shown_rows)


def csv_cell(value) -> str:
    """A cell as text, with formula-looking text made inert by a leading apostrophe."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def table_csv(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(column) for column in table.columns])
    for row in table.rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return buffer.getvalue()
