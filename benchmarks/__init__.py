"""Benchmarks against peer solvers (PyVRP, VROOM) on the same problems, checked by our validator."""
