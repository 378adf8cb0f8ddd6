"""Classifying beyond one process, on existing distributed engines (docs/scale.md).

Optional: `pip install 'hazard-rules[dask]'` for scale/dask.py, `pip install 'hazard-rules[spark]'`
(and a Java runtime) for scale/spark.py. Nothing here is imported by `import hazard_rules`.
"""
