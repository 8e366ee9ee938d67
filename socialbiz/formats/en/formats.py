# English as the pages were designed: day before month, 24-hour clock, ISO dates in tables.
# The other languages use Django's own formats (e.g. "30. November 2026" in German).
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j M"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
