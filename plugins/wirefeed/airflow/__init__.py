"""Airflow-specific glue: task callables, assets, the warehouse connection, the UI plugin."""
