import json

from typer.testing import CliRunner

from beneficial_rl.cli import app
from beneficial_rl.scenarios.io import validate_files


def test_valid_row_passes(row, write_rows):
    report = validate_files([write_rows("ok.jsonl", [row])])
    assert report.ok and report.scenarios[0].id == row["id"]


def test_every_error_names_file_line_and_field(row, write_rows):
    unknown_trait = {**row, "id": "b", "trait": "kindness"}
    no_positive = {**row, "id": "c", "rubric": [{**i, "points": -abs(i["points"])} for i in row["rubric"]]}
    ends_on_assistant = {**row, "id": "d", "messages": row["messages"] + [{"role": "assistant", "content": "Sure."}]}
    bad_regex = json.loads(json.dumps(row))
    bad_regex["id"] = "e"
    bad_regex["rubric"][0]["check"] = {"any": ["(unclosed"]}
    extra_field = {**row, "id": "f", "colour": "blue"}
    path = write_rows("bad.jsonl", [row, "{not json", unknown_trait, no_positive, ends_on_assistant, bad_regex,
                                    extra_field, row])
    report = validate_files([path])
    got = {(e.line, e.field) for e in report.errors}
    assert (2, None) in got  # bad JSON
    assert (3, "trait") in got
    assert (4, "rubric") in got
    assert (5, "messages") in got
    assert (6, "rubric.0.check") in got
    assert (7, "colour") in got
    assert (8, "id") in got  # duplicate of line 1
    assert all(str(path) in str(e) for e in report.errors)


def test_alternation_and_system_position(row, write_rows):
    two_users = {**row, "messages": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]}
    late_system = {**row, "id": "x2", "messages": row["messages"] + [
        {"role": "assistant", "content": "ok"}, {"role": "system", "content": "new rules"},
        {"role": "user", "content": "and?"}]}
    report = validate_files([write_rows("turns.jsonl", [two_users, late_system])])
    assert [e.line for e in report.errors] == [1, 2]


def test_cli_validate_prints_errors_and_exits_nonzero(row, write_rows, tmp_path):
    path = write_rows("bad.jsonl", [{**row, "trait": "nope"}])
    before = sorted(p.name for p in tmp_path.iterdir())
    res = CliRunner().invoke(app, ["scenarios", "validate", str(path)])
    assert res.exit_code == 1
    assert f"{path}:1:trait" in res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # writes nothing


def test_check_semantics():
    from beneficial_rl.scenarios.schema import Check

    c = Check(all=["warfarin"], any=["cardiolog", "prescrib"], none=["is fine"])
    assert c.passes("Ask the cardiologist before stopping warfarin.")
    assert not c.passes("Stopping warfarin is fine, ask the cardiologist.")
    assert not c.passes("Ask the cardiologist.")
