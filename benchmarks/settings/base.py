"""The product's settings, with the benchmark's URLs (the product's plus the framework floor)."""

from config.settings.base import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
