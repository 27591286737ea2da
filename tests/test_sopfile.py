"""SOP files: every contract rule broken once, unknown keys, quoting on export."""

import copy
import re

import pytest
import yaml

from sop_admin import sopfile
from sop_admin.errors import InvalidSopFile
from sop_admin.models import StepKind

VALID = {
    "format": "sop-admin/1",
    "unit": {"government": "Pemerintah Kota Depok",
             "office": "Dinas Komunikasi dan Informatika"},
    "name": "SOP Uji",
    "lanes": ["Masyarakat", "Admin Media Sosial"],
    "steps": [
        {"number": 1, "activity": "Menerima pengaduan", "lane": "Admin Media Sosial",
         "kind": "start", "time": "5 menit"},
        {"number": 2, "activity": "Dapat dijawab?", "lane": "Admin Media Sosial",
         "kind": "decision", "if_yes": 3, "if_no": 4},
        {"number": 3, "activity": "Menjawab", "lane": "Admin Media Sosial",
         "kind": "process", "time": "1 x 24 jam", "next": 4},
        {"number": 4, "activity": "Selesai", "lane": "Masyarakat", "kind": "end"},
    ],
}


def _text(data: dict) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _problems(data: dict) -> list[str]:
    with pytest.raises(InvalidSopFile) as caught:
        sopfile.loads(_text(data), "uji.yaml")
    return caught.value.problems


def _broken(**changes) -> dict:
    """VALID with step fields changed: `s2={"if_no": None}` (None deletes)."""
    data = copy.deepcopy(VALID)
    for key, fields in changes.items():
        step = data["steps"][int(key[1:]) - 1]
        for field, value in fields.items():
            if value is None:
                step.pop(field, None)
            else:
                step[field] = value
    return data


def test_loads_valid_file_gives_document():
    document = sopfile.loads(_text(VALID))
    assert document.name == "SOP Uji"
    assert [s.kind for s in document.steps] == [
        StepKind.START, StepKind.DECISION, StepKind.PROCESS, StepKind.END]
    assert document.steps[2].time == "1 x 24 jam"


@pytest.mark.parametrize(
    ("changes", "step", "field", "words"),
    [
        ({"s4": {"number": 5}}, 4, "number", "without gaps"),
        ({"s3": {"number": 2}}, 2, "number", "used twice"),
        ({"s3": {"lane": "Kasie"}}, 3, "lane", "not listed in lanes"),
        ({"s3": {"next": 9}}, 3, "next", "step 9 does not exist"),
        ({"s2": {"if_yes": 9}}, 2, "if_yes", "step 9 does not exist"),
        ({"s2": {"if_no": 7}}, 2, "if_no", "step 7 does not exist"),
        ({"s2": {"if_no": None}}, 2, "if_no", "required for a decision"),
        ({"s2": {"if_yes": None}}, 2, "if_yes", "required for a decision"),
        ({"s2": {"next": 3}}, 2, "next", "not next"),
        ({"s3": {"if_yes": 4}}, 3, "if_yes", "only a decision"),
        ({"s3": {"kind": "start"}}, 3, "kind", "second start"),
        ({"s2": {"if_yes": 4}}, 3, "number", "not reachable"),
        ({"s3": {"time": "segera"}}, 3, "time", '"segera"'),
        ({"s4": {"kind": "process"}}, 4, "next", "no following step 5"),
        ({"s3": {"kind": "diamond"}}, 3, "kind", "not one of"),
        ({"s3": {"activity": ""}}, 3, "activity", "required"),
        ({"s3": {"activity": ["a", "b"]}}, 3, "activity", "must be text"),
        ({"s3": {"next": "empat"}}, 3, "next", "whole number"),
        ({"s3": {"lane": None}}, 3, "lane", "required"),
    ],
)
def test_loads_rule_broken_names_step_and_field(changes, step, field, words):
    problems = _problems(_broken(**changes))
    wanted = f"step {step}, {field}:"
    assert any(wanted in p and words in p for p in problems), problems


def test_loads_no_start_reported():
    problems = _problems(_broken(s1={"kind": "process"}))
    assert any("exactly one start" in p for p in problems), problems


def test_loads_no_end_reported():
    problems = _problems(_broken(s4={"kind": "process", "next": 1}))
    assert any("at least one end" in p for p in problems), problems


def test_loads_several_problems_all_reported():
    problems = _problems(_broken(s1={"time": "kapan-kapan"}, s3={"lane": "Kasie"},
                                 s2={"if_no": 8}))
    joined = "\n".join(problems)
    assert "step 1, time" in joined
    assert "step 3, lane" in joined
    assert "step 2, if_no" in joined


def test_loads_unknown_key_names_key_and_line():
    text = _text(VALID).replace("  kind: end\n", "  kind: end\n  warna: merah\n")
    line = text.splitlines().index("  warna: merah") + 1
    with pytest.raises(InvalidSopFile) as caught:
        sopfile.loads(text, "uji.yaml")
    [problem] = caught.value.problems
    assert '"warna"' in problem
    assert f"line {line}" in problem
    assert "step 4" in problem
    assert "uji.yaml" in str(caught.value)


def test_loads_unknown_top_level_key_names_line():
    text = "versi: 2\n" + _text(VALID)
    with pytest.raises(InvalidSopFile) as caught:
        sopfile.loads(text)
    [problem] = caught.value.problems
    assert 'unknown key "versi"' in problem and problem.endswith("(baris/line 1)")


@pytest.mark.parametrize("key", ["yes", "no", "on", "off", "Yes", "OFF"])
def test_loads_boolean_looking_key_refused(key):
    text = _text(VALID).replace("  kind: end\n", f"  kind: end\n  {key}: 3\n")
    with pytest.raises(InvalidSopFile) as caught:
        sopfile.loads(text)
    [problem] = caught.value.problems
    assert f'"{key}"' in problem and "boolean" in problem and "line " in problem


def test_loads_duplicate_key_refused():
    text = _text(VALID).replace("name: SOP Uji\n", "name: SOP Uji\nname: Lain\n")
    with pytest.raises(InvalidSopFile, match="given twice"):
        sopfile.loads(text)


def test_loads_missing_required_keys_listed():
    data = copy.deepcopy(VALID)
    del data["name"], data["unit"]["office"]
    problems = _problems(data)
    assert any(p.startswith("name: wajib ada") for p in problems), problems
    assert any("unit, office" in p for p in problems), problems


def test_loads_wrong_format_refused():
    problems = _problems({**VALID, "format": "sop-admin/2"})
    assert any("format" in p and "sop-admin/1" in p for p in problems)


def test_loads_steps_not_a_list_refused():
    problems = _problems({**VALID, "steps": {"number": 1}})
    assert any(p.startswith("steps: ") and "must be a list" in p for p in problems)


def test_loads_bad_nip_is_field_error():
    problems = _problems({**VALID, "approved_by": {"name": "X", "nip": "12345"}})
    assert any("approved_by.nip" in p and "18 digits" in p for p in problems)


def test_loads_nip_with_spaces_normalised():
    data = {**VALID, "approved_by": {"name": "X", "nip": "19681124 199310 2 001"}}
    assert sopfile.loads(_text(data)).approved_by.nip == "196811241993102001"


def test_loads_bad_date_refused():
    problems = _problems({**VALID, "dates": {"created": "1 Agustus 2018"}})
    assert any("dates.created" in p and "ISO date" in p for p in problems)


def test_loads_invalid_yaml_names_line():
    with pytest.raises(InvalidSopFile) as caught:
        sopfile.loads("format: sop-admin/1\nunit: [a, b\nname: x\n")
    assert re.search(r"invalid YAML.*line \d", caught.value.problems[0])


def test_loads_plain_scalars_in_text_fields_keep_what_was_typed():
    text = _text(VALID).replace("name: SOP Uji", "number: 045\nname: SOP Uji")
    text = text.replace("- Masyarakat\n", "- Yes\n").replace(
        "lane: Masyarakat\n", "lane: Yes\n")
    document = sopfile.loads(text)
    assert document.number == "045"
    assert document.lanes[0] == "Yes"


def test_load_missing_file_is_invalid_file(tmp_path):
    with pytest.raises(InvalidSopFile, match="cannot read"):
        sopfile.load(tmp_path / "tidak-ada.yaml")


def test_dumps_quotes_values_yaml11_reads_as_other_types():
    document = sopfile.loads(_text(VALID))
    document.number = "045"
    document.lanes[0] = "Yes"
    document.steps[3].lane = "Yes"
    document.steps[0].output = "2018-08-01"
    document.steps[0].note = "null"
    document.steps[2].requirements = "on"
    document.steps[2].output = "1.5"
    text = sopfile.dumps(document)
    assert "number: '045'" in text
    assert "- 'Yes'" in text and "lane: 'Yes'" in text
    raw = yaml.safe_load(text)
    assert raw["number"] == "045"
    assert raw["lanes"][0] == "Yes"
    assert raw["steps"][0]["output"] == "2018-08-01"
    assert raw["steps"][0]["note"] == "null"
    assert raw["steps"][2]["requirements"] == "on"
    assert raw["steps"][2]["output"] == "1.5"
    assert sopfile.loads(text) == document


def test_dumps_keeps_contract_key_order():
    text = sopfile.dumps(sopfile.loads(_text(VALID)))
    top = [line.split(":")[0] for line in text.splitlines()
           if line and not line.startswith((" ", "-"))]
    assert top == [
        "format", "unit", "number", "name", "dates", "approved_by", "legal_basis",
        "qualifications", "related_sops", "equipment", "warnings", "records",
        "lanes", "steps", "approval_sheet", "coordination_initials", "history",
    ]
    step_keys = list(yaml.safe_load(text)["steps"][1])
    assert step_keys == ["number", "activity", "lane", "kind", "requirements", "time",
                         "output", "note", "if_yes", "if_no"]


def test_dumps_unicode_and_multiline_text_round_trip():
    document = sopfile.loads(_text(VALID))
    document.steps[0].activity = "a. Memantau — aktivitas\nb. Menyampaikan “laporan”"
    document.qualifications = [sopfile.ListEntry("Petugas", ["a", "b"])]
    text = sopfile.dumps(document)
    assert "—" in text and "“laporan”" in text
    assert "activity: |-" in text
    assert sopfile.loads(text) == document


def test_loads_alias_refused_with_line():
    text = _text(VALID).replace("name: SOP Uji", "name: &n SOP Uji\nnumber: *n")
    with pytest.raises(InvalidSopFile) as caught:
        sopfile.loads(text)
    assert re.search(r"aliases are not allowed.*line \d", caught.value.problems[0])


def test_loads_text_longer_than_column_refused():
    data = copy.deepcopy(VALID)
    data["lanes"][0] = "x" * 201
    data["steps"][0]["time"] = "1 jam" + " " * 60 + "x"
    problems = _problems(data)
    assert any(p.startswith("lanes[1]: ") and "longer than 200" in p for p in problems)
    assert any("step 1, time" in p and "longer than 60" in p for p in problems)


def test_loads_unreadable_step_other_steps_still_checked_without_echoes():
    problems = _problems(_broken(s1={"kind": "mulai"}, s2={"if_no": 9}))
    joined = "\n".join(problems)
    assert 'step 1, kind: "mulai"' in joined
    assert "step 2, if_no" in joined and "step 9 does not exist" in joined
    assert "exactly one start" not in joined
    assert len(problems) == 2
