"""Compact list cells for the admin: money, local times and status badges that fit one line."""

from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.html import format_html


def money(value: Decimal | None) -> str:
    """12345.5 → "12,345.50"."""
    return f"{(value or Decimal('0')):,.2f}"


def local_time(value: datetime | None, pattern: str = "%d %b %Y, %H:%M") -> str:
    """A time on the store's clock (the active timezone on staff pages), e.g. "05 Mar 2026, 14:05"."""
    return timezone.localtime(value).strftime(pattern) if value else ""


def status_badge(status: str, label: str) -> str:
    return format_html('<span class="status-badge status-{}">{}</span>', status, label)
