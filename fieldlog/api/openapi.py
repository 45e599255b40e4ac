"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json and tested against."""

from __future__ import annotations

from typing import Any

MAX_ENTRIES = 500
ID_MAX = 2**31 - 1  # ids beyond are unknown (404), as inputs.ID_MAX


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str, **extra: Any) -> dict:
    return {"type": [kind, "null"], **extra}


def _object(properties: dict, required: list[str] | None = None, closed: bool = True) -> dict:
    schema = {"type": "object", "properties": properties, "required": required or list(properties)}
    if closed:
        schema["additionalProperties"] = False
    return schema


COUNT = {"type": "integer", "minimum": 0}
PERIOD = "^(T[1-3]|Q[1-4]|M(0[1-9]|1[0-2]))$"
# Text as inputs.has_forbidden_characters allows it: no control characters but tab and newline,
# a carriage return only before a newline.
FORBIDDEN = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\ufffe\\uffff"  # and lone surrogates
ALLOWED = f"(?:[^{FORBIDDEN}\\r]|\\r\\n)"
COMMENT = {
    "type": "string",
    "maxLength": 2000,
    "pattern": f"^{ALLOWED}*[^\\s{FORBIDDEN}]{ALLOWED}*$",  # some words
}
WHEN = {"type": "string", "description": "ISO 8601; without an offset, local time"}
ENTRY_TIME = {
    "type": "string",
    "description": "ISO 8601 date and time of day (a date alone is refused), in 1900–2199; "
    "without an offset, local time",
}
NEXT = "absolute URL of the next page: same filters, before=<last entry_id>; absent on the last"

SCHEMAS: dict[str, dict] = {
    "Error": _object(
        {"error": {"type": "string", "minLength": 1}, "code": {"enum": ["csrf"]}}, ["error"]
    ),
    "Me": _object(
        {
            "username": {"type": "string"},
            "role": {"enum": ["officer", "supervisor", "coordinator", "admin", "municipal"]},
            "area": _nullable("string"),
            "municipalities": {"type": "array", "items": {"type": "string"}},
        },
        ["username", "role", "area"],
    ),
    "PromiseTally": _object(
        {"year": {"type": "integer"}, "counted": COUNT, "approved": COUNT, "pending": COUNT}
    ),
    "Promise": _object(
        {
            "id": {"type": "integer"},
            "key": {"type": "string"},
            "area": {"type": "string"},
            "text": {"type": "string"},
            "owner": {"enum": ["polisen", "kommunen", "gemensamt"]},
            "activity": _nullable("string"),
            "metrics": {"type": "array", "items": {"type": "string"}},
            "yearly_target": _nullable("integer", minimum=1),
            "target": {"oneOf": [{"type": "null"}, _ref("Target")]},
            "time_rule": _nullable("string"),
            "place_hint": _nullable("string"),
            "places": _nullable("array", items={"type": "string"}),
            "tally": _ref("PromiseTally"),
        }
    ),
    "Commitment": _object(
        {
            "key": {"type": "string"},
            "title": {"type": "string"},
            "municipality": {"type": "string", "pattern": "^[0-9]{4}$"},
            "valid_from": {"type": "string", "format": "date"},
            "valid_to": {"type": "string", "format": "date"},
            "until_superseded": {"type": "boolean"},
            "municipalities": {"type": "array", "items": {"type": "string"}},
            "district": _nullable("string"),
            "promises": {"type": "array", "items": _ref("Promise")},
        }
    ),
    "EntryFields": {
        "type": "object",
        "properties": {
            "client_id": {"type": "string", "format": "uuid"},
            "promise": {"type": "string", "description": "a promise key"},
            "municipality": {"type": "string", "description": "with activity, instead of promise"},
            "activity": {"type": "string"},
            "started_at": ENTRY_TIME,
            "ended_at": {**ENTRY_TIME, "type": ["string", "null"]},
            "place": _nullable("string", maxLength=200),
            "lat": _nullable("number", minimum=-90, maximum=90),
            "lon": _nullable("number", minimum=-180, maximum=180),
            "officers": {"type": "integer", "minimum": 1},
            "metrics": {"type": "object", "additionalProperties": COUNT},
            "notes": _nullable("string", maxLength=2000),
            "base_version": {"type": "integer", "minimum": 1},
        },
    },
    "SyncRequest": _object(
        {
            "entries": {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_ENTRIES,
                "items": {**_ref("EntryFields"), "required": ["client_id", "started_at"]},
            }
        }
    ),
    "SyncResult": _object(
        {
            "client_id": {"description": "as sent"},
            "status": {"enum": ["created", "duplicate", "updated", "conflict", "invalid"]},
            "entry_id": _nullable("integer"),
            "version": _nullable("integer", minimum=1),
            "errors": {"type": "object", "additionalProperties": {"type": "string"}},
        }
    ),
    "SyncResponse": _object({"results": {"type": "array", "items": _ref("SyncResult")}}),
    "Entry": _object(
        {
            "client_id": {"type": "string", "format": "uuid"},
            "entry_id": {"type": "integer"},
            "version": {"type": "integer", "minimum": 1},
            "status": {"enum": ["pending", "approved", "rejected"]},
            "review_comment": _nullable("string"),
            "promise": {"type": "string"},
            "municipality": {"type": "string"},
            "activity": _nullable("string"),
            "started_at": {"type": "string", "format": "date-time"},
            "ended_at": _nullable("string", format="date-time"),
            "place": _nullable("string"),
            "lat": _nullable("number"),
            "lon": _nullable("number"),
            "officers": {"type": "integer", "minimum": 1},
            "metrics": {"type": "object", "additionalProperties": COUNT},
            "notes": _nullable("string"),
            "counts": {"type": "boolean", "description": "whether it meets the target"},
        }
    ),
    "EntryList": _object(
        {
            "entries": {"type": "array", "items": _ref("Entry")},
            "next": {"type": "string", "format": "uri", "description": NEXT},
        },
        required=["entries"],
    ),
    "ReviewRequest": {
        **_object(
            {"decision": {"enum": ["approve", "reject"]}, "comment": _nullable("string")},
            required=["decision"],
        ),
        # A reject needs a comment: some words, no control characters but tab and newline.
        "if": {"properties": {"decision": {"const": "reject"}}},
        "then": {"required": ["comment"], "properties": {"comment": COMMENT}},
        "else": {"properties": {"comment": {"anyOf": [{"type": "null"}, COMMENT]}}},
    },
    "ReviewResult": _object(
        {
            "entry_id": {"type": "integer"},
            "status": {"enum": ["approved", "rejected"]},
            "version": {"type": "integer"},
            "review_comment": _nullable("string"),
        },
        closed=False,
    ),
    "TallyRow": _object(
        {
            "municipality": {"type": "string", "pattern": "^[0-9]{4}$"},
            "commitment": {"type": "string"},
            "promise": {"type": "string"},
            "text": {"type": "string"},
            "area": {"type": "string"},
            "owner": {"enum": ["polisen", "kommunen", "gemensamt"]},
            "activity": {"type": "string"},
            "yearly_target": _nullable("integer", minimum=1),
            "counted": COUNT,
            "approved": COUNT,
            "pending": COUNT,
            "rejected": COUNT,
            "status": {"enum": ["no_target", "met", "on_track", "behind", "missed"]},
            "district": _nullable("string"),
            "municipalities": {"type": "array", "items": {"type": "string"}},
            "joint": {"type": "boolean"},
            "target": {"oneOf": [{"type": "null"}, _ref("Target")]},
            "periods_due": _nullable("integer", minimum=0),
            "periods_met": _nullable("integer", minimum=0),
            "current_period": {"oneOf": [{"type": "null"}, _ref("CurrentPeriod")]},
            "places": _nullable("array", items=_ref("PlaceCount")),
            "outcomes": {"type": "object", "additionalProperties": COUNT},
            "joint_counted": _nullable("integer", minimum=0),
        }
    ),
    "Target": _object(
        {
            "count": {"type": "integer", "minimum": 1},
            "per": {"enum": ["year", "tertial", "quarter", "month", "week", "period"]},
            "each_place": {"type": "boolean"},
        },
        ["count", "per"],
        closed=False,
    ),
    "CurrentPeriod": _object(
        {
            "start": {"type": "string", "format": "date"},
            "end": {"type": "string", "format": "date"},
            "counted": COUNT,
            "target": {"type": "integer", "minimum": 1},
        }
    ),
    "PlaceCount": _object(
        {"name": {"type": "string"}, "counted": COUNT, "met": _nullable("boolean")}
    ),
    "Tallies": _object(
        {
            "year": {"type": "integer"},
            "period": {"type": "string"},
            "tallies": {"type": "array", "items": _ref("TallyRow")},
        },
        ["year", "tallies"],
    ),
    "PublicTallies": _object(
        {
            "year": {"type": "integer"},
            "municipality": _object({"code": {"type": "string"}, "name": {"type": "string"}}),
            "tallies": {"type": "array", "items": {"type": "object"}},
        },
        closed=False,
    ),
}

SCHEMAS["ActiveCommitments"] = _object(
    {
        **SCHEMAS["Commitment"]["properties"],
        "commitments": {"type": "array", "items": _ref("Commitment"), "minItems": 1},
    },
    ["commitments"],
)

REASONS = {
    "400": "malformed request",
    "401": "not logged in",
    "403": "not allowed",
    "404": "unknown",
    "409": "state conflict",
    "413": "too large",
    "422": "invalid fields",
    "429": "too many failed tokens from this address",
}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _operation(summary: str, ok: str, errors: str, params=(), body=None, public=False) -> dict:
    """One operation: its 200 schema, its error statuses, its parameters and body."""
    codes = errors.split() + ([] if public else ["401", "429"])
    responses = {"200": _json(_ref(ok), "success")}
    responses.update({c: _json(_ref("Error"), REASONS[c]) for c in sorted(set(codes))})
    op: dict[str, Any] = {"summary": summary, "responses": responses}
    if params:
        op["parameters"] = list(params)
    if body:
        op["requestBody"] = {"required": True, **_json(_ref(body), "the request")}
    if public:
        op["security"] = []
    return op


def _query(name: str, schema: dict, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "schema": schema}


def _path(name: str, schema: dict) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schema}


YEAR = _query("year", {"type": "integer", "minimum": 2000, "maximum": 2100, "examples": [2024]})
CODE = {"type": "string", "pattern": "^[0-9]{4}$", "examples": ["2506"]}
LIMIT = _query("limit", {"type": "integer", "minimum": 1, "maximum": 5000, "default": 500})
BEFORE = _query(
    "before",
    {"type": "integer", "minimum": 1, "maximum": 2**31 - 1, "description": "entry_id cursor"},
)


def spec() -> dict:
    """The OpenAPI document."""
    statuses = {"enum": ["pending", "approved", "rejected"]}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Fieldlog API",
            "version": "1",
            "description": "Entries, their review and the yearly tallies of medborgarlöften.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}, {"session": [], "csrf": []}],
        "paths": {
            "/me": {"get": _operation("Who the caller is", "Me", "")},
            "/commitments/active": {
                "get": _operation(
                    "The commitments in force in a municipality on a day",
                    "ActiveCommitments",
                    "400 403 404",
                    params=[
                        _query("municipality", CODE, True),
                        _query("on", {"type": "string", "format": "date"}),
                    ],
                )
            },
            "/entries": {
                "post": _operation(
                    "Sync a batch of entries, idempotent by client_id",
                    "SyncResponse",
                    "400 403 413 422",
                    body="SyncRequest",
                ),
                "get": _operation(
                    "The entries in the caller's scope, newest first by entry_id, page by page",
                    "EntryList",
                    "400 422",
                    params=[
                        _query("status", statuses),
                        _query("since", {**WHEN, "format": "date-time"}),
                        LIMIT,
                        BEFORE,
                    ],
                ),
            },
            "/entries/{entry_id}/review": {
                "post": _operation(
                    "Approve or reject a pending entry",
                    "ReviewResult",
                    "400 403 404 409 422",
                    params=[
                        _path("entry_id", {"type": "integer", "minimum": 1, "maximum": ID_MAX})
                    ],
                    body="ReviewRequest",
                )
            },
            "/tallies": {
                "get": _operation(
                    "Yearly counts per promise against targets",
                    "Tallies",
                    "400 403 404 422",
                    params=[
                        YEAR,
                        _query("municipality", CODE),
                        _query("period", {"type": "string", "pattern": PERIOD}),
                    ],
                )
            },
            "/public/{code}": {
                "get": _operation(
                    "A municipality's progress, without names",
                    "PublicTallies",
                    "400 404",
                    params=[_path("code", CODE), YEAR],
                    public=True,
                )
            },
        },
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRFToken"},
            },
        },
    }
