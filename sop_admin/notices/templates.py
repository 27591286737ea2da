"""Wording of the notices: Indonesian defaults, per-office overrides, rendering.

Offices may rewrite each kind of notice (a `NoticeTemplate` row). Their text
is Jinja2 run in a `SandboxedEnvironment` (no attribute tricks reach Python
internals) with autoescape for the HTML part, and may use only the
placeholders listed in `PLACEHOLDERS` for its kind: `check` refuses anything
else when the template is saved, so a typo never surfaces as a failed mail.
Every value handed to a template is a plain string.

No placeholder carries the reporter's identity: unit notices must never
reveal a confidential reporter, and the reporter knows who they are.
"""

from dataclasses import dataclass
from pathlib import Path

from jinja2 import StrictUndefined, TemplateError, meta
from jinja2.sandbox import SandboxedEnvironment

from ..errors import SopAdminError
from ..models import NoticeKind

COMMON = (
    "office_name", "office_phone", "office_email", "office_address",
    "register_no", "subject", "received_at", "classification",
)
#: Placeholders each kind of notice may use, with what they hold.
PLACEHOLDERS: dict[NoticeKind, tuple[str, ...]] = {
    NoticeKind.DISPOSITION: (*COMMON, "recipient", "message", "deadline",
                             "process_url"),
    NoticeKind.ESCALATION: (*COMMON, "level", "step", "deadline", "target",
                            "process_url"),
    NoticeKind.REGISTERED: (*COMMON, "tracking_code", "tracking_url"),
    NoticeKind.CLOSED: (*COMMON, "final_answer", "tracking_url"),
}

@dataclass(frozen=True)
class Wording:
    subject: str
    body_text: str
    body_html: str


#: Default wording, one file per part: templates/notices/<kind>.subject.txt,
#: <kind>.txt (plain text) and <kind>.html.
DEFAULTS_DIR = Path(__file__).resolve().parent.parent / "templates" / "notices"


def _default(kind: NoticeKind) -> Wording:
    def part(suffix: str) -> str:
        return (DEFAULTS_DIR / f"{kind.value}{suffix}").read_text(encoding="utf-8")

    return Wording(part(".subject.txt").strip(), part(".txt"), part(".html"))


DEFAULTS: dict[NoticeKind, Wording] = {kind: _default(kind) for kind in NoticeKind}


class InvalidNoticeTemplate(SopAdminError):
    """A template an office wrote that cannot be used; says which part and why."""


_text_env = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined,
                                 keep_trailing_newline=True)
_html_env = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
PARTS = {"subject": ("Subjek", _text_env), "body_text": ("Isi teks", _text_env),
         "body_html": ("Isi HTML", _html_env)}


def check(kind: NoticeKind, wording: Wording) -> None:
    """Refuse syntax errors, unknown placeholders and templates that fail on
    sample values, naming the part; the message lists what may be used."""
    allowed = PLACEHOLDERS[kind]
    sample = {name: f"<{name}>" for name in allowed}
    for part, (label, env) in PARTS.items():
        source = getattr(wording, part) or ""
        try:
            unknown = sorted(meta.find_undeclared_variables(env.parse(source))
                             - set(allowed))
            if not unknown:
                env.from_string(source).render(sample)
        except TemplateError as exc:
            raise InvalidNoticeTemplate(
                f"{label}: templat tidak dapat dipakai ({exc})") from exc
        if unknown:
            names = ", ".join("{{ " + n + " }}" for n in unknown)
            raise InvalidNoticeTemplate(
                f"{label}: isian tidak dikenal {names}; yang tersedia: "
                + ", ".join(allowed))


def render(wording: Wording, values: dict[str, str]) -> Wording:
    """The notice's subject (one line) and bodies for `values`."""
    subject = _text_env.from_string(wording.subject).render(values)
    html = wording.body_html
    return Wording(
        subject=" ".join(subject.split())[:300],
        body_text=_text_env.from_string(wording.body_text).render(values),
        body_html=_html_env.from_string(html).render(values) if html else "",
    )
