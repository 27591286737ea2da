"""Form fields the generated Flask-Admin forms cannot provide by themselves."""

from datetime import UTC, datetime

from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage
from wtforms import DateTimeLocalField, FileField, PasswordField, ValidationError

from ..i18n import office_timezone

#: First bytes of the image formats a letterhead logo may have.
IMAGE_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
LOGO_MAX_BYTES = 256 * 1024


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


class ImageUploadField(FileField):
    """A PNG or JPEG upload up to `max_bytes`, checked by its first bytes.

    On a valid upload `image` holds (bytes, mimetype); no upload leaves the
    stored image as it is.
    """

    def __init__(self, label=None, validators=None, max_bytes=LOGO_MAX_BYTES,
                 **kwargs):
        super().__init__(label, validators, **kwargs)
        self.max_bytes = max_bytes
        self.image = None

    def pre_validate(self, form):
        upload = self.data
        if not isinstance(upload, FileStorage) or not upload.filename:
            return
        content = upload.stream.read(self.max_bytes + 1)
        if len(content) > self.max_bytes:
            raise ValidationError(_("Berkas terlalu besar (maksimal %(kb)d KB).",
                                     kb=self.max_bytes // 1024))
        for signature, mimetype in IMAGE_SIGNATURES.items():
            if content.startswith(signature):
                self.image = (content, mimetype)
                return
        raise ValidationError(_("Hanya gambar PNG atau JPEG yang diterima."))

    def populate_obj(self, obj, name):
        pass
