"""Schemathesis against the OpenAPI document: bounded, in the normal suite.

Every operation is sent generated requests (valid and invalid by the schema) with the office's write token,
on a campaign with items; the answers must never be a server error and must match the document: status
codes, media types (problem+json for errors) and bodies. ``TAIZHANG_API_FUZZ_EXAMPLES`` raises the bound
(3 per operation in the suite, for two shared cores; ``make fuzz`` runs 50).

Then statefully: schemathesis chains operations through the links it infers from the document (the campaigns
list gives a slug, an item list or a created item gives an ``item_id`` for its detail, patch and progress, a
unit list gives a ``unit_id``, a recorded problem its triage), so writes are tried on what earlier steps made.
Bounded the same way: ``TAIZHANG_API_FUZZ_EXAMPLES`` scenarios of at most 6 steps.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from taizhang.api.models import ApiToken

EXAMPLES = int(os.environ.get("TAIZHANG_API_FUZZ_EXAMPLES", "3"))


# The document is read through the application itself (no database needed for it).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_test_connection(db):
    # As Django's test client does: a request's end must not close the test's connection (its transaction).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def office_secret(people, token_for):
    client = token_for(people["olivia"], ApiToken.Scope.WRITE)
    ApiToken.objects.update(rate_limit=1_000_000)  # the fuzzer is not what the limit is for
    return client.headers["HTTP_AUTHORIZATION"]


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_answers_as_its_document_says(case, campaign, items, office_secret):
    case.path_parameters = {**(case.path_parameters or {}), "slug": campaign.slug}
    # A generated id names no item; a valid one (by the schema) is replaced by a real item's, so writes are
    # tried on something. An invalid one stays, for the negative cases.
    given = case.path_parameters.get("item_id")
    if isinstance(given, int) and 1 <= given <= 2**63 - 1:
        case.path_parameters["item_id"] = items["oa"].pk
    given = case.path_parameters.get("unit_id")
    if isinstance(given, int) and 1 <= given <= 2**63 - 1:
        case.path_parameters["unit_id"] = items["oa"].owner_unit_id
    case.call_and_validate(
        headers={"Authorization": office_secret, "Accept-Language": "en"},
        checks=CHECKS,
    )


def test_chains_of_operations_answer_as_the_document_says(campaign, items, office_secret):
    """Stateful: sequences of calls linked by the ids the answers give (the inferred links of the document)."""
    workflow = schema.as_state_machine()

    class Workflow(workflow):
        def before_call(self, case):
            if "slug" in (case.path_parameters or {}):
                case.path_parameters["slug"] = campaign.slug  # a link may carry a slug from a generated list

        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": office_secret, "Accept-Language": "en"}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)

    Workflow.run(
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
    )
