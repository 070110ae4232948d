"""Benchmarks, run on demand: ``python -m tests.benchmarks [--quick] [--only NAME ...]``.

Never collected by pytest (``norecursedirs``); no module here is named ``test_*``.
"""
