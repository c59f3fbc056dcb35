"""The orders app's limits come from the environment, with API.md's defaults."""

import json
import os
import subprocess
import sys

from django.conf import settings

NAMES = ("ORDER_HOLD_MINUTES", "MAX_OPEN_ORDERS", "ORDER_PLACE_THROTTLE_RATE", "COUPON_VALIDATE_THROTTLE_RATE")


def production_settings_under(**env: str) -> dict:
    """What a fresh process reads from config.settings.base with this environment."""
    code = (
        "import json, config.settings.base as s; r = s.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']; "
        "print(json.dumps([s.ORDER_HOLD_MINUTES, s.MAX_OPEN_ORDERS, r['order_place'], r['coupon_validate'], "
        "s.CELERY_BEAT_SCHEDULE['orders-expire-unpaid-holds']['task']]))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in NAMES}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "SECRET_KEY": "x" * 50, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_defaults_without_the_environment():
    assert production_settings_under() == [30, 5, "10/min", "30/min", "orders.tasks.order_holds_expire"]


def test_each_limit_is_read_from_the_environment():
    assert production_settings_under(
        ORDER_HOLD_MINUTES="15",
        MAX_OPEN_ORDERS="2",
        ORDER_PLACE_THROTTLE_RATE="4/min",
        COUPON_VALIDATE_THROTTLE_RATE="7/hour",
    ) == [15, 2, "4/min", "7/hour", "orders.tasks.order_holds_expire"]
