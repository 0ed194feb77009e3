"""Settings every wirefeed DAG shares."""
from datetime import datetime, timedelta

DEFAULT_ARGS = {"retries": 2, "retry_delay": timedelta(minutes=1), "retry_exponential_backoff": True}
START_DATE = datetime(2026, 1, 1)
