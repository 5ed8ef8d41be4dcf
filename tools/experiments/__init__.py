"""Cross-lingual transfer experiments: the spec, the data, the worker, and the backends that run it."""
