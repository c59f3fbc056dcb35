"""Benchmark and fault-run tooling (`make bench`, `make faults`); not part of the test suite."""
