"""One clock for staff: the admin and the dashboard run in the store's timezone (Business.timezone).

Under the staff paths the store's timezone is the active one for the whole request, so the admin
shows and parses times in it, its "Today" filters and date hierarchy mean the store's days, and
the dashboard's "today" is the same day. The API keeps settings.TIME_ZONE: its payloads (and the
cache entries built from them) never depend on who asks.
"""

from functools import cache

from django.urls import reverse
from django.utils import timezone

from shop.selectors import store_settings


@cache
def staff_path_prefixes() -> tuple[str, ...]:
    return reverse("admin:index"), reverse("dashboard:home")


class StoreTimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(staff_path_prefixes()):
            return self.get_response(request)
        # Read before the store's timezone is activated: the cached business row is shared with the API.
        request.store = store_settings()
        with timezone.override(request.store.timezone):
            return self.get_response(request)
