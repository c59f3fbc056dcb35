"""Fixtures of the orders tests that are scenarios of their own. Users and API clients come from the
suite's shared set (testing/), rows from the model-bakery recipes."""
