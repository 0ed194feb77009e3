"""`wirefeed dedupe FILE ...`: groups of paths as JSON, every input in exactly one group; bad input fails cleanly."""
import json

from wirefeed.cli import main

from tests.conftest import FIXTURES

LABELLED = FIXTURES / "dedupe"


def test_groups_copies_and_keeps_look_alikes_apart(capsys):
    names = ["a1_tribune_israel_azerbaijan.txt", "k1_tribune_israel_hostage_deal.txt",
             "a3_latestly_israel_azerbaijan_truncated.txt", "g1_ians_fuel_prices_jun17.txt",
             "h2_devdiscourse_fuel_prices_jun18.txt", "g2_latestly_fuel_prices_jun17.txt"]
    paths = [str(LABELLED / n) for n in names]
    assert main(["dedupe", "--json", *paths]) == 0
    out = json.loads(capsys.readouterr().out)
    assert sorted(sorted(g) for g in out["groups"]) == sorted(
        sorted(g) for g in ([paths[0], paths[2]], [paths[1]], [paths[3], paths[5]], [paths[4]]))


def test_one_file_is_its_own_group(capsys):
    path = str(LABELLED / "m1_xinhua_china_rail.txt")
    assert main(["dedupe", path]) == 0
    assert json.loads(capsys.readouterr().out) == {"groups": [[path]]}


def test_unreadable_and_empty_files_fail_with_one_line(capsys, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    for bad in (str(tmp_path / "missing.txt"), str(empty)):
        assert main(["dedupe", str(LABELLED / "m1_xinhua_china_rail.txt"), bad]) == 1
        captured = capsys.readouterr()
        assert captured.out == ""
        assert len(captured.err.strip().splitlines()) == 1 and bad in captured.err
