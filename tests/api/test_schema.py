"""The OpenAPI schema partners build their clients from: served, valid, without warnings, errors documented."""

from __future__ import annotations

import pytest
from django.urls import reverse
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.validation import validate_schema


@pytest.fixture
def schema(db, api) -> dict:
    GENERATOR_STATS.reset()
    response = api().get(reverse("schema"), {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_schema_is_valid_and_generated_without_warnings(schema):
    validate_schema(schema)
    assert not GENERATOR_STATS, "drf-spectacular emitted warnings or errors while generating the schema"


def test_only_offered_methods_are_documented(schema):
    paths = schema["paths"]

    assert set(paths["/api/v1/members/{id}/"]) == {"get", "patch"}
    assert set(paths["/api/v1/enterprises/{id}/"]) == {"get", "put", "patch"}
    assert set(paths["/api/v1/organisations/{id}/"]) == {"get"}
    assert set(paths["/api/v1/applications/"]) == {"get", "post"}
    assert set(paths["/api/v1/cards/verify/"]) == {"post"}


def code_enum(schema, component: str) -> set[str]:
    return set(schema["components"]["schemas"][component]["properties"]["code"]["enum"])


def test_commands_document_their_bodies_and_the_service_error_codes(schema):
    reject = schema["paths"]["/api/v1/applications/{id}/reject/"]["post"]

    assert reject["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RejectInputRequest"
    }
    assert reject["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Application"
    }
    assert {"400", "401", "403", "404", "405", "429", "500"} <= set(reject["responses"])
    assert "required" in code_enum(schema, "V1ApplicationsRejectCreateReasonErrorComponent")
    assert "not_pending" in code_enum(schema, "V1ApplicationsRejectCreateNonFieldErrorsErrorComponent")
    assert {"duplicate", "id_checksum", "id_birth_date"} <= code_enum(
        schema, "V1MembersCreateIdNumberErrorComponent"
    )
    assert {"same_union", "union_kind"} <= code_enum(schema, "V1MembersTransferCreateToUnionErrorComponent")
    assert "duplicate" in code_enum(schema, "V1EnterprisesCreateCreditCodeErrorComponent")


def test_member_schema_has_masked_fields_only(schema):
    member = schema["components"]["schemas"]["Member"]["properties"]

    assert {"masked_id_number", "masked_mobile"} <= set(member)
    assert not {"id_number", "mobile"} & set(member)
    revealed = schema["paths"]["/api/v1/members/{id}/reveal/"]["post"]["responses"]["200"]
    assert revealed["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RevealedMember"
    }


def test_partner_key_scheme_is_documented(schema):
    assert schema["components"]["securitySchemes"]["ApiKeyAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "`Api-Key <key>`",
    }


def test_partner_schema_additions_and_the_gaps_fuzzing_found(schema):
    """The feed's items are a member or a tombstone; a key's own webhook subscriptions are listed,
    created and patched (never put or deleted); a claim amount cannot be negative by the schema's own
    pattern; a volunteers id filter is an integer of any size (issue 16)."""
    components, paths = schema["components"]["schemas"], schema["paths"]
    assert [one["$ref"].rsplit("/", 1)[1] for one in components["MemberFeedItem"]["oneOf"]] == [
        "Member", "MemberDeparture",
    ]  # fmt: skip
    assert set(components["MemberDeparture"]["required"]) == {"id", "removed", "reason"}
    assert set(paths["/api/v1/webhooks/subscriptions/"]) == {"get", "post"}
    assert set(paths["/api/v1/webhooks/subscriptions/{id}/"]) == {"get", "patch"}
    assert "secret" in components["SubscriptionSecret"]["properties"]
    assert "secret" not in components["Subscription"]["properties"]

    amount = components["ClaimInputRequest"]["properties"]["amount"]
    assert amount["type"] == "string" and not amount["pattern"].startswith("^-")
    for path, name in (("/api/v1/volunteers/records/", "team"), ("/api/v1/volunteers/signups/", "activity")):
        (parameter,) = [p for p in paths[path]["get"]["parameters"] if p["name"] == name]
        assert parameter["schema"] == {"type": "integer"}
