"""A short snippet around the first match, with every match marked (HTML-safe)."""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

SNIPPET_CHARS = 60


def snippet(text, terms, size=SNIPPET_CHARS):
    """`text` cut to about `size` characters around the first term, terms wrapped in <mark> (HTML-safe)."""
    text = " ".join((text or "").split())
    terms = {term for term in terms if term and term in text}
    if any(len(term) > 1 for term in terms):
        terms = {term for term in terms if len(term) > 1}  # 乡 alone would mark every 乡村
    terms = sorted(terms, key=len, reverse=True)
    if not terms:
        return mark_safe(escape(text[:size]) + ("…" if len(text) > size else ""))  # noqa: S308 - escaped
    first = min(text.find(term) for term in terms)
    start = max(0, first - size // 3)
    piece = text[start : start + size]
    pattern = re.compile("|".join(re.escape(term) for term in terms))
    marked = []
    last = 0
    for match in pattern.finditer(piece):
        marked.append(escape(piece[last : match.start()]))
        marked.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    marked.append(escape(piece[last:]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + size < len(text) else ""
    return mark_safe(prefix + "".join(marked) + suffix)  # noqa: S308 - every piece escaped above
