"""Benchmarks: ``python -m bench`` runs them all and prints ``RESULT name=value unit`` lines,
each compared with a baseline measured in the same run (see bench/README.md)."""
