"""Fuzz targets of sffi and the driver that builds and runs them (docs/reliability.md)."""
