"""Benchmarks run by `make bench` (`python -m bench`): one module per subject.

Each module has a `main()` that prints its figures and targets.
"""
