"""Admin list filters on the store's clock (shop/admin_filters.py): a date filter's days are the store's
local days, and the list shows its times on that clock."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from model_bakery import baker

from orders.models import Order

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")


def test_admin_pages_show_and_filter_times_on_the_store_clock(admin_client):
    """At 01:00 UTC it is still the previous evening in New York: the admin's "today" is New York's."""
    baker.make_recipe("shop.business", timezone="America/New_York")
    ann = baker.make_recipe("shop.customer", email="ann@example.test")
    now_ny = timezone.now().astimezone(NEW_YORK)
    today_start = datetime.combine(now_ny.date(), datetime.min.time(), tzinfo=NEW_YORK)
    late_yesterday = today_start - timedelta(minutes=10)  # New York's yesterday; often UTC's today
    baker.make_recipe("orders.order", user=ann, created_at=late_yesterday, status=Order.Status.DELIVERED)
    early_today = today_start + min(timedelta(minutes=10), (timezone.now() - today_start) / 2)
    baker.make_recipe("orders.order", user=ann, created_at=early_today, status=Order.Status.DELIVERED)

    today = now_ny.date().isoformat()
    response = admin_client.get(f"/admin/orders/order/?created_at__from={today}&created_at__to={today}")
    assert response.context["cl"].result_count == 1
    html = response.content.decode()
    assert early_today.astimezone(NEW_YORK).strftime("%d %b %Y, %H:%M") in html  # shown on the store's clock

    # Django's own "Today" date filter follows the same clock (on another date field).
    baker.make_recipe("shop.notification", user=ann, title="late", created_at=late_yesterday)
    baker.make_recipe("shop.notification", user=ann, title="early", created_at=early_today)
    today_filter = admin_client.get("/admin/shop/notification/?created_at__from=" + today + "&created_at__to=" + today)
    assert [n.title for n in today_filter.context["cl"].result_list] == ["early"]
