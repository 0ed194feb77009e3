"""Airflow plugin entry point: the wirefeed Feeds and Stories pages in the Airflow UI."""
from airflow.plugins_manager import AirflowPlugin

from wirefeed.airflow.ui import create_app


class WirefeedPlugin(AirflowPlugin):
    """Mounts the wirefeed app at /wirefeed and links its pages from the UI's navigation."""

    name = "wirefeed"
    fastapi_apps = [{"app": create_app(), "url_prefix": "/wirefeed", "name": "wirefeed"}]
    external_views = [
        {"name": "Feeds", "href": "/wirefeed/feeds", "destination": "nav", "category": "browse",
         "url_route": "wirefeed-feeds"},
        {"name": "Stories", "href": "/wirefeed/stories", "destination": "nav", "category": "browse",
         "url_route": "wirefeed-stories"},
    ]
