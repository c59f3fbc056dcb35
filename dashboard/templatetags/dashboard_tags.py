from datetime import datetime

from django import template
from django.forms.utils import flatatt
from django.utils.html import format_html

register = template.Library()


@register.filter
def age(seconds) -> str:
    """12 → "12 s", 125 → "2 min 5 s", 3720 → "1 h 2 min"; None → "age unknown"."""
    if seconds is None:
        return "age unknown"
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


@register.filter
def parse_iso(value: str):
    """An ISO 8601 string from a cached payload → an aware datetime for the |date filter."""
    return datetime.fromisoformat(value) if value else None


@register.simple_tag
def link(url: str, text, **attrs) -> str:
    """`text` as a link to `url`, or as plain text (in a span with the same attributes) when there is
    no url (the user may not open that page). `data_figure="x"` becomes `data-figure="x"`."""
    rendered = flatatt({name.replace("_", "-"): value for name, value in attrs.items()})
    if url:
        return format_html('<a href="{}"{}>{}</a>', url, rendered, text)
    return format_html("<span{}>{}</span>", rendered, text)
