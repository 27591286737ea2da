"""JSON errors of the API: `{"error": ..., "message": ..., "fields": {...}}`."""

from flask import jsonify
from werkzeug.exceptions import HTTPException

from ..extensions import db
from . import bp


def json_error(status: int, error: str, message: str | None = None,
               fields: dict[str, str] | None = None, **extra):
    body = {"error": error}
    if message:
        body["message"] = message
    if fields is not None:
        body["fields"] = fields
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    return response


MESSAGES = {
    400: "permintaan tidak valid / bad request",
    404: "tidak ditemukan / not found",
    405: "metode tidak diizinkan / method not allowed",
    413: "permintaan terlalu besar / request too large",
    415: "harus application/json / must be application/json",
    429: "terlalu banyak permintaan / too many requests",
}


def http_error(exc: HTTPException):
    if exc.code and exc.code >= 500:
        db.session.rollback()
    error = MESSAGES.get(exc.code, exc.name.lower())
    return json_error(exc.code or 500, error, exc.description)


# By code as well as by class: Flask prefers a handler for the code, and the
# app's HTML pages for 403/404/500 are registered by code.
bp.register_error_handler(HTTPException, http_error)
for _code in (*MESSAGES, 403, 500):
    bp.register_error_handler(_code, http_error)
