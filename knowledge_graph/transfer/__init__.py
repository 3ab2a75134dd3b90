"""Catalog import and export: the JSON bundle, CSV, and generated catalogs for benchmarks."""
