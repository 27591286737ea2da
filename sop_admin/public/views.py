"""/lacak and GET /api/v1/track: a complaint's progress for its reporter.

No login and no session: a GET form, so CSRF and an expired session never
get in a reporter's way. Both routes share one rate limit per IP address
(LACAK_RATE_LIMIT, default 20/minute; the empty form does not count), so a
script cannot probe register numbers through either. Answers are never
cached and send no Referer onwards, because the code travels in the URL.
"""

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_babel import gettext as _

from ..extensions import limiter
from .labels import local_time
from .status import find, public_status

bp = Blueprint("public", __name__)

NOT_FOUND = {
    "error": "tidak ditemukan",
    "message": "Nomor register atau kode lacak tidak ditemukan.",
}
TOO_MANY = {
    "error": "terlalu banyak permintaan",
    "message": "Terlalu banyak permintaan; coba lagi sebentar lagi.",
}


def _limit() -> str:
    return current_app.config.get("LACAK_RATE_LIMIT", "20/minute")


lookup_limit = limiter.shared_limit(
    _limit, scope="lacak",
    exempt_when=lambda: request.endpoint == "public.lacak" and not request.args,
)


@bp.after_request
def _private(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.errorhandler(429)
def _too_many(_error):
    if request.path.startswith("/api/"):
        return jsonify(TOO_MANY), 429
    return render_template("public/lacak.html", register_no="", result=None,
                           problem=_("Terlalu banyak percobaan dari alamat Anda. "
                                     "Tunggu sebentar, lalu coba lagi."),
                           local_time=local_time), 429


@bp.route("/lacak")
@lookup_limit
def lacak():
    register_no = request.args.get("register_no", "").strip()
    code = request.args.get("code", "").strip()
    result, problem, status = None, None, 200
    if "code" in request.args:
        if not register_no or not code:
            problem, status = _("Isi nomor register dan kode lacak."), 400
        else:
            complaint = find(register_no, code)
            if complaint is None:
                problem, status = NOT_FOUND["message"], 404
            else:
                result = public_status(complaint)
    return render_template("public/lacak.html", register_no=register_no,
                           result=result, problem=problem,
                           local_time=local_time), status


@bp.route("/api/v1/track")
@lookup_limit
def track():
    register_no = request.args.get("register_no", "")
    code = request.args.get("code", "")
    if not register_no.strip() or not code.strip():
        return jsonify({"error": "permintaan tidak lengkap",
                        "message": "register_no dan code wajib diisi."}), 400
    complaint = find(register_no, code)
    if complaint is None:
        return jsonify(NOT_FOUND), 404
    return jsonify(public_status(complaint).as_json())
