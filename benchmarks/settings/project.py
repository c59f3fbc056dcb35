"""This project: its own cache on (as deployed), nothing else."""

from .base import *  # noqa: F403

CACHE_ENABLED = True
