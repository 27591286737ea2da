"""Rules the models themselves enforce."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from sop_admin.models import (
    AccessLevel,
    Complaint,
    SopStatus,
    SopVersion,
    User,
    normalise_nip,
)


def test_nip_with_spaces_normalised_to_18_digits():
    assert normalise_nip("19670124 198602 1 000") == "196701241986021000"


@pytest.mark.parametrize("bad", ["12345", "1967012419860210001", "19670124198602100A"])
def test_nip_not_18_digits_rejected(bad):
    with pytest.raises(ValueError, match="18 digit"):
        normalise_nip(bad)


def test_user_nip_validated_on_assignment(make):
    user = make.user(make.office())
    with pytest.raises(ValueError):
        user.nip = "123"
    user.nip = " "
    assert user.nip is None


def test_password_hash_is_argon2_and_checks(make):
    user = make.user(make.office())
    user.set_password("rahasia-kantor-1")
    assert user.password_hash.startswith("$argon2")
    assert "rahasia" not in user.password_hash
    assert user.check_password("rahasia-kantor-1")
    assert not user.check_password("salah")


def test_short_password_refused(make):
    user = make.user(make.office())
    with pytest.raises(ValueError, match="8"):
        user.set_password("pendek")


def test_bad_username_refused(make):
    with pytest.raises(ValueError):
        User(username="a b", full_name="X")


def test_inactive_user_is_not_active(make):
    user = make.user(make.office(), AccessLevel.AUDITOR, active=False)
    assert not user.is_active
    assert "nonaktif" in str(user)


def test_timestamps_come_back_aware_utc(make, db):
    office = make.office()
    wib = timezone(timedelta(hours=7))
    received = datetime(2026, 3, 1, 9, 0, tzinfo=wib)
    complaint = make.complaint(office, received_at=received)
    db.session.commit()
    db.session.expire_all()
    loaded = db.session.get(Complaint, complaint.id)
    assert loaded.received_at == datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    assert loaded.received_at.tzinfo is not None


def test_naive_timestamp_refused(make, db):
    office = make.office()
    with pytest.raises(sa.exc.StatementError, match="naive"):
        make.complaint(office, received_at=datetime(2026, 3, 1, 9, 0))
    db.session.rollback()


def test_register_no_unique(make, db):
    office = make.office()
    make.complaint(office, register_no="X/2026/000001")
    with pytest.raises(sa.exc.IntegrityError):
        make.complaint(office, register_no="X/2026/000001")
    db.session.rollback()


def test_two_active_versions_of_one_sop_refused(make, db):
    office = make.office()
    first = make.sop(office, status=SopStatus.ACTIVE)
    db.session.commit()
    second = SopVersion(sop=first.sop, office=office, name="v2", version_no=2,
                        status=SopStatus.ACTIVE)
    db.session.add(second)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_sop_step_successors_follow_kind(make):
    version = make.sop(make.office())
    assert [s.successors for s in version.steps] == [[2], [3, 4], [4], []]
    assert version.sop.latest_version is version


def test_user_roles_many_to_many(make, db):
    office = make.office()
    role = make.role(office, "Kasie IKP")
    user = make.user(office)
    user.roles.append(role)
    db.session.commit()
    assert user.holds_role(role.id)
