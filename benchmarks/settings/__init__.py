"""Settings of `make bench` only: the product's settings plus the bench's own endpoint and its peers.

`base` mounts the framework floor (benchmarks/urls.py); `off`, `project`, `cachalot` and `cacheops`
are the configurations the bench compares. None of this is in the product or its image.
"""
