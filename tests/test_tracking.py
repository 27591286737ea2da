"""Tracking codes: random, hashed, forgiving when typed back, one per complaint."""

from sop_admin import tracking


class FakeComplaint:
    def __init__(self, register_no):
        self.register_no = register_no
        self.tracking_code_hash = None


def test_issued_code_matches_and_is_not_stored():
    complaint = FakeComplaint("DPK/2026/000001")
    code = tracking.issue(complaint)
    assert len(code) == 14 and code.count("-") == 2
    assert code.replace("-", "") not in complaint.tracking_code_hash
    assert tracking.matches(complaint, code)


def test_typing_mistakes_are_forgiven():
    complaint = FakeComplaint("DPK/2026/000001")
    code = tracking.issue(complaint)
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert tracking.matches(complaint, typed)


def test_wrong_code_or_other_complaint_does_not_match():
    first = FakeComplaint("DPK/2026/000001")
    second = FakeComplaint("DPK/2026/000002")
    code = tracking.issue(first)
    second.tracking_code_hash = first.tracking_code_hash
    assert not tracking.matches(second, code)
    assert not tracking.matches(first, "")
    assert not tracking.matches(first, code[:-1] + ("X" if code[-1] != "X" else "Y"))


def test_reissue_replaces_the_old_code():
    complaint = FakeComplaint("DPK/2026/000001")
    old = tracking.issue(complaint)
    new = tracking.issue(complaint)
    assert old != new
    assert tracking.matches(complaint, new)
    assert not tracking.matches(complaint, old)


def test_codes_are_not_repeated():
    complaint = FakeComplaint("DPK/2026/000001")
    assert len({tracking.issue(complaint) for _ in range(200)}) == 200
