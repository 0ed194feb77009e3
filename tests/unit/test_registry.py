"""feeds.yaml: valid files load, broken ones name the file and line."""
import pytest

from wirefeed.errors import ConfigError
from wirefeed.registry import load_registry

from tests.conftest import ROOT


def write(tmp_path, text):
    path = tmp_path / "feeds.yaml"
    path.write_text(text)
    return path


def test_shipped_registries_load(monkeypatch):
    monkeypatch.setenv("WIREFEED_SAMPLES_URL", "http://127.0.0.1:8765")
    shipped = load_registry(ROOT / "feeds.yaml")
    assert len(shipped) >= 5 and all(f.url.startswith("https://") for f in shipped)
    samples = load_registry(ROOT / "samples" / "feeds.yaml")
    assert [f.url for f in samples][0] == "http://127.0.0.1:8765/tribune-world.xml"
    assert samples[0].outlet == "The Tribune" and samples[0].poll_interval_s == 3600


def test_defaults_and_fields(tmp_path):
    feeds = load_registry(write(tmp_path, """
defaults: {poll_interval: 15m, language: en}
feeds:
  - url: https://a.example/rss
    name: A
    tags: world, india
    max_bytes: 1000
  - url: https://b.example/atom
    poll_interval: 2h
    language: hi
"""))
    assert feeds[0].poll_interval_s == 900 and feeds[0].tags == ("world", "india")
    assert feeds[0].settings == {"max_bytes": 1000}
    assert feeds[1].poll_interval_s == 7200 and feeds[1].language == "hi" and feeds[1].name == "https://b.example/atom"


@pytest.mark.parametrize("text, message", [
    ("feeds:\n  - url: https://a.example/\n    name: a: b\n", ":3: invalid YAML: mapping values are not allowed here"),
    ("feeds:\n  - url: https://a.example/\n  - url: ftp://b.example/\n", ":3: feed url 'ftp://b.example/' must be an http(s) URL"),
    ("feeds:\n  - url: https://a.example/\n    colour: red\n", ":2: unknown key(s) colour"),
    ("feeds:\n  - url: https://a.example/\n  - url: https://a.example/\n", ":3: duplicate feed url https://a.example/ (first at line 2)"),
    ("feeds:\n  - url: https://a.example/\n    poll_interval: soon\n", ":2: poll_interval 'soon' is not a duration"),
    ("- just a list\n", ":1: expected a mapping with a 'feeds:' list"),
])
def test_bad_registry_names_file_and_line(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_registry(path)
    assert str(err.value).startswith(str(path))
    assert message in str(err.value)


def test_missing_registry(tmp_path):
    with pytest.raises(ConfigError, match="feed registry not found"):
        load_registry(tmp_path / "nope.yaml")
