"""The project's Celery app pointed at a real broker for one test, and a real worker in a thread.

Tests run Celery eagerly (no broker) unless they use these: `celery_app_using(url)` switches the
app to a broker with eager mode off and restores everything afterwards; `running_worker(app)`
starts a worker thread that consumes from it (its tasks use their own database connection, so
the test must be transactional).
"""

import time
import uuid
from contextlib import contextmanager

import redis
from celery.contrib.testing.worker import start_worker
from celery.signals import setup_logging
from django.conf import settings
from kombu import pools

from config.celery_app import app as celery_app
from shop import queueing

_SWITCHED = (
    "broker_url",
    "broker_transport_options",
    "task_always_eager",
    "task_default_queue",
    "worker_hijack_root_logger",
)
RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672//"


def _drop_broker_connections(app) -> None:
    """Close and forget the app's connection and producer pools (kombu keeps them in global groups)."""
    app._pool = None
    app.amqp._producer_pool = None
    pools.reset()
    # The queue declarations and router are cached from the configuration they were first built with.
    for cached in ("queues", "default_queue", "router"):
        app.amqp.__dict__.pop(cached, None)
    app.amqp._rtable = None


@contextmanager
def celery_app_using(broker_url: str, transport_options: dict | None = None, queue: str = "celery"):
    """The project's app publishing to `broker_url` (and `queue`), not eagerly; the outage state starts fresh."""
    app = celery_app
    saved = {name: app.conf[name] for name in _SWITCHED}
    saved_outage = queueing.broker_outage
    _drop_broker_connections(app)
    app.conf.update(
        broker_url=broker_url,
        broker_transport_options=transport_options or {},
        task_always_eager=False,
        task_default_queue=queue,
        worker_hijack_root_logger=False,
    )
    queueing.broker_outage = queueing.BrokerOutage()
    try:
        yield app
    finally:
        _drop_broker_connections(app)
        app.conf.update(saved)
        queueing.broker_outage = saved_outage


@contextmanager
def redis_broker():
    """The machine's Redis as broker, every key under a prefix of this test's own (removed after)."""
    prefix = f"test-celery-{uuid.uuid4().hex[:12]}:"
    url = settings.REDIS_URL
    options = {"global_keyprefix": prefix, "socket_connect_timeout": 2, "socket_timeout": 3}  # as in settings
    try:
        with celery_app_using(url, options) as app:
            yield app, prefix
    finally:
        client = redis.Redis.from_url(url, socket_timeout=2)
        for key in client.scan_iter(match=f"{prefix}*", count=1000):
            client.unlink(key)


@contextmanager
def rabbitmq_broker():
    """The machine's RabbitMQ as broker, on a queue of this test's own (deleted after)."""
    queue = f"test-celery-{uuid.uuid4().hex[:12]}"
    with celery_app_using(RABBITMQ_URL, queue=queue) as app:
        try:
            yield app, queue
        finally:
            with app.connection_for_write() as connection:
                connection.default_channel.queue_delete(queue)


def _leave_logging_alone(**kwargs) -> None:
    """A `setup_logging` receiver: its presence stops the worker from reconfiguring pytest's logging."""


@contextmanager
def running_worker(app):
    app.loader.import_default_modules()
    setup_logging.connect(_leave_logging_alone)
    try:
        with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=30):
            yield
    finally:
        setup_logging.disconnect(_leave_logging_alone)


def wait_until(condition, *, timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return bool(condition())
