"""Streaming CSV for spreadsheets, shared by every export (training dashboards, search insights)."""


class Echo:
    """csv.writer writes into this and gets the line back, so each row is yielded as soon as it is made."""

    def write(self, value):
        return value


def inert(value):
    """A text cell a spreadsheet will not run: =, +, -, @ (and tab/CR) first make it a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
