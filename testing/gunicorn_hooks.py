"""gunicorn server hooks for web processes that outlive a test (`Web(..., outlives_flushes=True)`).

A transactional test ends with a flush, after which Django re-creates its content types under new ids.
Django keeps content types in a per-process cache; a web process serving the next test would write
activity entries pointing at ids that no longer exist. Production databases are never flushed."""


def pre_request(worker, req):
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
