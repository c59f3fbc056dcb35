"""The Celery app: configured from settings, eager only without a broker, tasks found per app, beat's schedule."""

import json
import os
import subprocess
import sys

from celery.schedules import crontab
from django.conf import settings

from config.celery_app import app
from dashboard.cache_families import DASHBOARD_STATS

PERIODIC_TASKS = {
    "dashboard-stats-refresh": "dashboard.tasks.dashboard_stats_refresh",
    "dashboard-stats-midnight-rollover": "dashboard.tasks.dashboard_stats_rollover",
    "coupons-deactivate-expired": "orders.tasks.coupons_deactivate_expired",
    "orders-expire-unpaid-holds": "orders.tasks.order_holds_expire",
    "notifications-retry-pending": "shop.tasks.notifications_retry_pending",
}


def celery_config_under(env: dict) -> dict:
    """The app's configuration as a fresh process sees it with this environment (production settings)."""
    code = (
        "import json; from config.celery_app import app; c = app.conf; "
        "print(json.dumps({'broker': c.broker_url, 'eager': c.task_always_eager, "
        "'publish_retry': c.task_publish_retry, 'transport': c.broker_transport_options, 'tz': c.timezone}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DJANGO_SETTINGS"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.base", "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_a_broker_tasks_run_eagerly():
    config = celery_config_under({"TIME_ZONE": "America/New_York"})
    assert config["eager"] is True
    assert config["tz"] == "America/New_York"


def test_with_a_broker_tasks_are_queued_and_publishing_fails_fast():
    config = celery_config_under({"CELERY_BROKER_URL": "redis://127.0.0.1:6379/1"})
    assert config["broker"] == "redis://127.0.0.1:6379/1"
    assert config["eager"] is False
    assert config["publish_retry"] is False
    assert config["transport"]["max_retries"] == 0
    assert config["transport"]["socket_connect_timeout"] <= 5


def test_rabbitmq_works_by_changing_the_url():
    config = celery_config_under({"CELERY_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672//"})
    assert config["broker"].startswith("amqp://")
    assert config["eager"] is False
    assert config["transport"] == {}, "the Redis socket options are not handed to another transport"


def test_tasks_are_discovered_in_each_app():
    app.loader.import_default_modules()
    assert {
        "shop.tasks.notification_deliver",
        "shop.tasks.notifications_retry_pending",
        "orders.tasks.coupons_deactivate_expired",
        "dashboard.tasks.dashboard_family_warm",
        "dashboard.tasks.dashboard_stats_refresh",
        "dashboard.tasks.dashboard_stats_rollover",
    } <= set(app.tasks)


def test_beat_schedule_names_each_periodic_task_and_each_resolves_to_a_registered_task():
    app.loader.import_default_modules()
    schedule = app.conf.beat_schedule
    assert {name: entry["task"] for name, entry in schedule.items()} == PERIODIC_TASKS
    for entry in schedule.values():
        assert entry["task"] in app.tasks


def test_stats_are_refreshed_before_they_expire():
    every = app.conf.beat_schedule["dashboard-stats-refresh"]["schedule"]
    assert 0 < every < DASHBOARD_STATS.effective_ttl


def test_the_rollover_ticks_every_quarter_hour_so_it_meets_midnight_in_any_timezone():
    rollover = app.conf.beat_schedule["dashboard-stats-midnight-rollover"]["schedule"]
    assert isinstance(rollover, crontab)
    assert rollover.minute == {0, 15, 30, 45}
    assert len(rollover.hour) == 24
    assert app.conf.timezone == settings.TIME_ZONE
