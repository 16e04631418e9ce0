"""Benchmarks (`make bench`): our speed as a ratio against a baseline measured in the same run."""
