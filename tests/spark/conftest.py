"""The Spark tests screen against the batch tests' fictional list store."""

from tests.screening.test_batch_parallel import store as store  # the fixture, shared
