"""django-cacheops: caches the listed models' querysets, clears them by the changed rows' field values
(its signals on save/delete), plus the one fix it needs here (benchmarks/cacheops_update.py).

The fix: cacheops does not see `QuerySet.update()` (its README says to call `invalidated_update()`
instead); the order service takes stock with `Product.objects.filter(...).update(stock=F(...) - n)`
and coupon uses the same way, so without it cacheops serves stale stock after every order. The
bench-only app makes `update()` on a cacheops-cached model behave as cacheops' own
`invalidated_update()`: lock and read the matched rows, update, read them again, invalidate both
states. It costs the two extra SELECTs per update that cacheops' own remedy costs; they are counted.
"""

import os

from .peers import *  # noqa: F403
from .peers import CACHED_MODELS, INSTALLED_APPS, redis_db

INSTALLED_APPS = [*INSTALLED_APPS, "cacheops"]
# BENCH_CACHEOPS_UPDATE_FIX=0 leaves the fix out: cacheops as shipped, to watch the bench count its stale answers.
if os.environ.get("BENCH_CACHEOPS_UPDATE_FIX", "1") != "0":
    INSTALLED_APPS.append("benchmarks.cacheops_update.CacheopsUpdateFix")
CACHEOPS_REDIS = redis_db(2)
CACHEOPS_DEFAULTS = {"timeout": 3600}
CACHEOPS = {label.lower(): {"ops": "all"} for label in CACHED_MODELS}
CACHEOPS_DEGRADE_ON_FAILURE = True
