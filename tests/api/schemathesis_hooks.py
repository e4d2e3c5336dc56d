"""A schemathesis check of our own, loaded by the fuzzing test (``SCHEMATHESIS_HOOKS``).

Schemathesis' ``positive_data_acceptance`` fails any schema-valid request that is refused. Some rules
cannot be written in a schema: an ID number's check digit, an application's state, a reference to a
row that does not exist or is outside the caller's subtree. This check replaces it: a request the
schema allows may be refused with 400 only for such a rule; a refusal for the request's *shape* (a
type, a length, a choice, a null the schema allowed: the schema looser than the serializer) fails.
"""

from __future__ import annotations

import schemathesis

#: Codes that say "the schema should have said so": DRF's field-type codes.
SHAPE_CODES = frozenset(
    {
        "incorrect_type", "not_a_list", "not_a_dict", "null", "blank", "invalid_choice", "max_length",
        "min_length", "max_value", "min_value", "max_string_length", "max_digits", "max_decimal_places",
        "max_whole_digits", "date", "datetime", "empty", "parse_error", "unsupported_media_type",
    }
)  # fmt: skip


@schemathesis.check
def refused_only_for_a_rule(ctx, response, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
        return
    try:
        body = response.json()
    except ValueError:
        body = {}
    errors = body.get("errors", []) if isinstance(body, dict) else []
    shape = [
        f"{error.get('attr')}: {error.get('code')}" for error in errors if error.get("code") in SHAPE_CODES
    ]
    if shape or not errors:
        raise AssertionError(
            "A request the schema allows was refused for its shape, not for a rule: "
            + (", ".join(shape) or response.text[:200])
        )
    return
