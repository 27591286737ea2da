"""`GET /openapi.json`: the API described in OpenAPI 3.1.

The document is a static YAML file kept beside the code (`openapi.yaml`),
read once and served as JSON; a test checks it is valid and that it names
every route of this blueprint.
"""

from functools import cache
from pathlib import Path

import yaml
from flask import jsonify

from . import bp

DOCUMENT = Path(__file__).with_name("openapi.yaml")


@cache
def document() -> dict:
    return yaml.safe_load(DOCUMENT.read_text(encoding="utf-8"))


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())
