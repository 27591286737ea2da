"""The OpenAPI document: valid 3.1, and it names every route of /api/v1."""

import re

from openapi_spec_validator import validate

#: Served by another blueprint (the public status page), documented here.
DOCUMENTED_ELSEWHERE = {"/track"}


def _document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.json


def test_openapi_document_is_valid_3_1(client):
    document = _document(client)
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_openapi_names_every_api_route(app, client):
    paths = _document(client)["paths"]
    routes = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len("/api/v1"):])
        routes.setdefault(path, set()).update(
            m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
    assert routes, "no /api/v1 routes registered"
    for path, methods in routes.items():
        if path in DOCUMENTED_ELSEWHERE:
            continue
        assert path in paths, path
        assert methods <= set(paths[path]), (path, methods)
    # The documented-elsewhere route is documented all the same.
    assert set(paths["/track"]["get"]["responses"]) >= {"200", "404", "429"}


def test_openapi_describes_bearer_and_error_shapes(client):
    document = _document(client)
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    post = document["paths"]["/complaints"]["post"]
    assert set(post["responses"]) >= {"201", "400", "401", "409", "415", "422", "429"}
    schema = document["components"]["schemas"]["ValidationError"]
    assert schema["required"] == ["error", "fields"]
    assert document["paths"]["/track"]["get"]["security"] == []


def test_openapi_input_lists_every_api_field(client):
    from sop_admin.api.complaints import API_FIELDS

    properties = _document(client)["components"]["schemas"]["ComplaintInput"][
        "properties"]
    assert set(properties) == set(API_FIELDS)


def _validator(document, name):
    from jsonschema import Draft202012Validator

    schema = {**document["components"]["schemas"][name],
              "components": document["components"]}
    return Draft202012Validator(schema)


def test_openapi_track_matches_what_track_answers(client, make, db):
    """/track is served elsewhere: its answers must still fit this document."""
    from datetime import timedelta

    from sop_admin.complaints import register_complaint
    from sop_admin.models import utcnow

    office = make.office("DPK")
    make.sop(office, status="active")
    registration = register_complaint(
        office, actor=None, now=utcnow(), channel="sms", subject="Lampu mati",
        description="Sejak kemarin.", received_at=utcnow() - timedelta(hours=1))
    db.session.commit()
    document = _document(client)
    found = client.get("/api/v1/track", query_string={
        "register_no": registration.complaint.register_no,
        "code": registration.tracking_code})
    assert found.status_code == 200
    _validator(document, "Track").validate(found.json)
    missing = client.get("/api/v1/track", query_string={
        "register_no": registration.complaint.register_no, "code": "0000-0000-0000"})
    assert missing.status_code == 404
    _validator(document, "TrackNotFound").validate(missing.json)
