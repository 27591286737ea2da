"""Form fields the generated Flask-Admin forms cannot provide by themselves."""

from datetime import UTC, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename
from wtforms import DateTimeLocalField, FileField, PasswordField, ValidationError

from ..i18n import office_timezone

#: First bytes of the image formats a letterhead logo may have.
IMAGE_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
LOGO_MAX_BYTES = 256 * 1024
EVIDENCE_SIGNATURES = {**IMAGE_SIGNATURES, b"%PDF-": "application/pdf"}
EVIDENCE_MAX_BYTES = 5 * 1024 * 1024


class LocalDateTimeField(DateTimeLocalField):
    """A timestamp typed in the office's local time and stored as aware UTC.

    Users think in WIB/WITA/WIT; `UTCDateTime` columns refuse naive values,
    so the conversion happens here, in both directions.
    """

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
        super().__init__(label, validators, **kwargs)

    def process_data(self, value):
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.astimezone(office_timezone()).replace(tzinfo=None)
        super().process_data(value)

    def populate_obj(self, obj, name):
        value = self.data
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=office_timezone()).astimezone(UTC)
        setattr(obj, name, value)


class WriteOnlyPasswordField(PasswordField):
    """A new password: never rendered back, never copied onto the model as
    plain text (the view hashes it with `User.set_password`)."""

    def populate_obj(self, obj, name):
        pass


def check_upload(upload, signatures: dict, max_bytes: int, type_message):
    """(bytes, mimetype, filename) of a valid upload, None when none was sent.

    Checked by size and by its first bytes, not by its name or the browser's
    content type; a bad file raises ValidationError.
    """
    if not isinstance(upload, FileStorage) or not upload.filename:
        return None
    content = upload.stream.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise ValidationError(_("Berkas terlalu besar (maksimal %(kb)d KB).",
                                kb=max_bytes // 1024))
    for signature, mimetype in signatures.items():
        if content.startswith(signature):
            return content, mimetype, secure_filename(upload.filename) or "berkas"
    raise ValidationError(str(type_message))


class CheckedUploadField(FileField):
    """An upload checked by size and by its first bytes (not its name or the
    browser's content type), kept in memory for the view to store.

    On a valid upload `upload` holds (bytes, mimetype, filename); no upload
    leaves `upload` None and the stored file as it is.
    """

    def __init__(self, label=None, validators=None, *, signatures: dict,
                 max_bytes: int, type_message, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.signatures = signatures
        self.max_bytes = max_bytes
        self.type_message = type_message
        self.upload = None

    def pre_validate(self, form):
        self.upload = check_upload(self.data, self.signatures, self.max_bytes,
                                   self.type_message)

    def populate_obj(self, obj, name):
        pass


def image_upload(label):
    """A letterhead logo: PNG or JPEG."""
    return CheckedUploadField(
        label, signatures=IMAGE_SIGNATURES, max_bytes=LOGO_MAX_BYTES,
        type_message=_l("Hanya gambar PNG atau JPEG yang diterima."))


def evidence_upload(label):
    """Complaint evidence: a screenshot, photo or PDF letter."""
    return CheckedUploadField(
        label, signatures=EVIDENCE_SIGNATURES, max_bytes=EVIDENCE_MAX_BYTES,
        type_message=_l("Bukti harus berupa PNG, JPEG atau PDF."),
        description=_l("PNG, JPEG atau PDF, maksimal 5 MB."))
