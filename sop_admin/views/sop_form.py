"""The form that edits a draft SOP version, and how it reads back from one.

Flask-Admin's automatic inline models cannot say what staff need here: a step
names its lane by name (lanes added in the same submit have no id yet), a lane
is a Role of the office chosen or typed by name, and list items carry
sub-points. So the form is written by hand on Flask-Admin's inline field lists
(rows added and removed in the browser); `sop_apply.apply_form` writes it onto
a version. Checks that need the whole submit (lane names, duplicate numbers,
Waktu text) run in `SopVersionForm.validate` and name the step and field.
"""

from types import SimpleNamespace

from flask_admin.form import BaseForm
from flask_admin.model.fields import InlineFieldList, InlineFormField
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..errors import InvalidTimeStandard
from ..models import ListName, StepKind, normalise_nip
from ..sop_rules import field_problem, step_problem
from ..timestd import EXAMPLES, parse_time_standard

#: The six identity-page lists, in print order, with their Indonesian titles.
LIST_TITLES = {
    ListName.LEGAL_BASIS: _l("Dasar Hukum"),
    ListName.QUALIFICATIONS: _l("Kualifikasi Pelaksana"),
    ListName.RELATED_SOPS: _l("Keterkaitan"),
    ListName.EQUIPMENT: _l("Peralatan/Perlengkapan"),
    ListName.WARNINGS: _l("Peringatan"),
    ListName.RECORDS: _l("Pencatatan dan Pendataan"),
}

KIND_CHOICES = [
    SelectChoice(StepKind.START.value, _l("Mulai (terminator)")),
    SelectChoice(StepKind.PROCESS.value, _l("Proses")),
    SelectChoice(StepKind.DECISION.value, _l("Keputusan (Ya/Tidak)")),
    SelectChoice(StepKind.END.value, _l("Selesai (terminator)")),
]

#: `<datalist>` ids the edit template fills: office roles and this version's lanes.
ROLES_DATALIST = "sop-roles"
LANES_DATALIST = "sop-lanes"


def lane_key(name: str | None) -> str:
    """Lane and role names match ignoring case and repeated spaces."""
    return " ".join((name or "").split()).casefold()


def _order():
    return IntegerField(_l("Urutan"), validators=[Optional()],
                        description=_l("Kosong: urutan baris."))


class ListItemForm(BaseForm):
    sort_order = _order()
    text = TextAreaField(_l("Butir"), validators=[DataRequired()])
    sub_points = TextAreaField(
        _l("Sub-butir"), validators=[Optional()],
        description=_l("Satu sub-butir per baris; dicetak sebagai a), b), ..."),
    )


class LaneForm(BaseForm):
    sort_order = _order()
    role_name = StringField(
        _l("Jabatan pelaksana"), validators=[DataRequired(), Length(max=200)],
        render_kw={"list": ROLES_DATALIST, "autocomplete": "off"},
        description=_l("Pilih jabatan yang ada atau ketik nama jabatan baru."),
    )


class StepForm(BaseForm):
    number = IntegerField(_l("No"), validators=[DataRequired()])
    activity = TextAreaField(_l("Kegiatan"), validators=[DataRequired()])
    lane = StringField(
        _l("Pelaksana"), validators=[DataRequired()],
        render_kw={"list": LANES_DATALIST, "autocomplete": "off"},
        description=_l("Salah satu pelaksana SOP ini."),
    )
    kind = SelectField(_l("Simbol"), choices=KIND_CHOICES,
                       default=StepKind.PROCESS.value)
    requirements = TextAreaField(_l("Kelengkapan"), validators=[Optional()])
    time_text = StringField(
        _l("Waktu"), validators=[Optional(), Length(max=60)],
        description=_l("Contoh: 5 menit, 2 jam, 1 hari kerja, 1 x 24 jam, "
                       "1 jam sekali"),
    )
    output = TextAreaField(_l("Output"), validators=[Optional()])
    note = TextAreaField(_l("Keterangan"), validators=[Optional()])
    next_number = IntegerField(
        _l("Langkah berikutnya"), validators=[Optional()],
        description=_l("Kosong: langkah sesudahnya (tidak ada sesudah Selesai)."),
    )
    if_yes = IntegerField(_l("Jika Ya ke langkah"), validators=[Optional()])
    if_no = IntegerField(_l("Jika Tidak ke langkah"), validators=[Optional()])
    public_label = StringField(
        _l("Label publik"), validators=[Optional(), Length(max=200)],
        description=_l("Kata-kata untuk pelapor di halaman /lacak. Kosong: "
                       "Diterima, Sedang ditelaah, Diteruskan ke perangkat "
                       "daerah, ... menurut jenis dan pelaksana langkah."),
    )


class ApprovalForm(BaseForm):
    role = StringField(_l("Peran"), validators=[DataRequired(), Length(max=120)],
                       description=_l("Konseptor, Diperiksa oleh, Disahkan oleh"))
    name = StringField(_l("Nama"), validators=[DataRequired(), Length(max=200)])
    position = StringField(_l("Jabatan"), validators=[Optional(), Length(max=300)])


class InitialForm(BaseForm):
    position = StringField(_l("Jabatan"),
                           validators=[DataRequired(), Length(max=300)])


class HistoryForm(BaseForm):
    date = DateField(_l("Tanggal"), validators=[Optional()])
    change = TextAreaField(_l("Catatan Perubahan"), validators=[DataRequired()])
    note = TextAreaField(_l("Keterangan"), validators=[Optional()])


def _rows(form_class, label):
    return InlineFieldList(InlineFormField(form_class), label=label)


def _check_nip(form, field):
    try:
        field.data = normalise_nip(field.data)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


class SopVersionForm(BaseForm):
    number = StringField(_l("Nomor SOP"), validators=[Optional(), Length(max=120)])
    name = StringField(_l("Nama SOP"), validators=[DataRequired(), Length(max=300)])
    unit_government = StringField(_l("Pemerintah"),
                                  validators=[Optional(), Length(max=200)])
    unit_office = StringField(_l("Perangkat daerah"),
                              validators=[Optional(), Length(max=200)])
    unit_division = StringField(_l("Bidang"), validators=[Optional(), Length(max=200)])
    created_on = DateField(_l("Tanggal Pembuatan"), validators=[Optional()])
    revised_on = DateField(_l("Tanggal Revisi"), validators=[Optional()])
    effective_on = DateField(_l("Tanggal Efektif"), validators=[Optional()])
    approved_on = DateField(_l("Tanggal Pengesahan"), validators=[Optional()])
    approver_position = StringField(_l("Disahkan oleh (jabatan)"),
                                    validators=[Optional(), Length(max=300)])
    approver_name = StringField(_l("Nama pengesah"),
                                validators=[Optional(), Length(max=200)])
    approver_rank = StringField(_l("Pangkat"), validators=[Optional(), Length(max=120)])
    approver_nip = StringField(_l("NIP"), validators=[Optional(), _check_nip],
                               description=_l("18 digit; spasi boleh."))
    legal_basis = _rows(ListItemForm, LIST_TITLES[ListName.LEGAL_BASIS])
    qualifications = _rows(ListItemForm, LIST_TITLES[ListName.QUALIFICATIONS])
    related_sops = _rows(ListItemForm, LIST_TITLES[ListName.RELATED_SOPS])
    equipment = _rows(ListItemForm, LIST_TITLES[ListName.EQUIPMENT])
    warnings = _rows(ListItemForm, LIST_TITLES[ListName.WARNINGS])
    records = _rows(ListItemForm, LIST_TITLES[ListName.RECORDS])
    lanes = _rows(LaneForm, _l("Pelaksana"))
    steps = _rows(StepForm, _l("Langkah"))
    approvals = _rows(ApprovalForm, _l("Pengesahan"))
    coordination_initials = _rows(InitialForm, _l("Paraf Koordinasi"))
    history = _rows(HistoryForm, _l("Sejarah Dokumen"))

    def validate(self, extra_validators=None) -> bool:
        """Field checks, then the checks that need the whole submit."""
        valid = super().validate(extra_validators)
        lanes = self._check_lanes()
        self._check_steps(lanes)
        return valid and not self.form_errors

    def _fail(self, field, message: str) -> None:
        field.errors = [*field.errors, message]
        self.form_errors.append(message)

    def _check_lanes(self) -> set[str]:
        seen: set[str] = set()
        for index, entry in enumerate(self.lanes, start=1):
            field = entry.form.role_name
            key = lane_key(field.data)
            if key and key in seen:
                self._fail(field, field_problem(
                    f"lanes[{index}]", f'pelaksana "{field.data}" ganda',
                    f'lane "{field.data}" is listed twice'))
            seen.add(key)
        return seen

    def _check_steps(self, lanes: set[str]) -> None:
        numbers: set[int] = set()
        for entry in self.steps:
            step = entry.form
            n = step.number.data if step.number.data is not None else "?"
            if n in numbers:
                self._fail(step.number, step_problem(n, "number", "nomor ganda",
                                                     "number used twice"))
            numbers.add(n)
            lane = step.lane.data
            if lane and lane_key(lane) not in lanes:
                self._fail(step.lane, step_problem(
                    n, "lane", f'"{lane}" tidak ada di daftar pelaksana',
                    f'"{lane}" is not one of the lanes'))
            time = step.time_text.data
            try:
                parse_time_standard(time)
            except InvalidTimeStandard:
                self._fail(step.time_text, step_problem(
                    n, "time", f'waktu "{time}" tidak dikenali (bentuk: {EXAMPLES})',
                    f'unrecognised time standard "{time}"'))


class NewSopVersionForm(SopVersionForm):
    """A new SOP also names its office; the view sets the allowed choices."""

    office_id = SelectField(_l("Unit kerja"), coerce=int)


def _rows_of(dicts: list[dict]) -> list[SimpleNamespace]:
    # FormField reads a row through getattr, so rows are objects, not dicts.
    return [SimpleNamespace(**row) for row in dicts]


def form_data(version) -> dict:
    """What the form shows for a saved version (the GET of the edit page)."""
    data = {
        name: getattr(version, name)
        for name in (
            "name", "unit_government", "unit_office", "unit_division",
            "created_on", "revised_on", "effective_on", "approved_on",
            "approver_position", "approver_name", "approver_rank", "approver_nip",
        )
    }
    data["number"] = version.sop.number if version.sop else ""
    for list_name in ListName:
        data[list_name.value] = [
            {"sort_order": item.sort_order, "text": item.text,
             "sub_points": "\n".join(child.text for child in item.children)}
            for item in version.items_of(list_name)
        ]
    data["lanes"] = [{"sort_order": lane.sort_order, "role_name": lane.name}
                     for lane in version.lanes]
    data["steps"] = [
        {"number": s.number, "activity": s.activity, "lane": s.lane.name,
         "kind": s.kind.value, "requirements": s.requirements,
         "time_text": s.time_text, "output": s.output, "note": s.note,
         "next_number": s.next_number, "if_yes": s.if_yes, "if_no": s.if_no,
         "public_label": s.public_label or ""}
        for s in version.steps
    ]
    data["approvals"] = [{"role": a.role, "name": a.name, "position": a.position}
                         for a in version.approvals]
    data["coordination_initials"] = [{"position": c.position}
                                     for c in version.coordination_initials]
    data["history"] = [{"date": h.date, "change": h.change, "note": h.note}
                       for h in version.history]
    for name, value in data.items():
        if isinstance(value, list):
            data[name] = _rows_of(value)
    return data
