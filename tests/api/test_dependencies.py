"""The values app.py injects by name are never also the name of a request parameter."""

from __future__ import annotations

from litestar import Litestar
from litestar.constants import RESERVED_KWARGS
from litestar.di import Dependency
from litestar.handlers import HTTPRouteHandler
from litestar.params import ParameterKwarg
from litestar.routes import HTTPRoute

from feedback.app import DEPENDENCIES, create_app
from feedback.clock import FrozenClock
from feedback.config import Settings
from feedback.db import Database
from tests.conftest import client_for


def _parameter_names(handler: HTTPRouteHandler) -> set[str]:
    """The path and query parameters a handler and its providers read from the request."""
    providers = handler.resolve_dependencies()
    signatures = [handler.parsed_fn_signature]
    signatures += [provider.parsed_fn_signature for provider in providers.values()]
    names = set()
    for signature in signatures:
        for name, field in signature.parameters.items():
            if name in RESERVED_KWARGS or any(isinstance(m, Dependency) for m in field.metadata):
                continue
            # Anything else is read from the request, even where a provider's name shadows it.
            kwarg = field.kwarg_definition
            alias = (kwarg.query or kwarg.name) if isinstance(kwarg, ParameterKwarg) else None
            names.add(alias or name)
    return names


def _all_parameter_names(app: Litestar) -> set[str]:
    return {
        name
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for handler in route.route_handlers
        for name in _parameter_names(handler)
    }


async def test_no_request_parameter_is_named_like_an_injected_value(
    db: Database, settings: Settings, clock: FrozenClock
) -> None:
    app = create_app(settings, database=db, clock=clock)
    names = _all_parameter_names(app)
    # The scan reaches the parameters that the list routes' filter providers read.
    assert {"state", "view", "assignee_id", "q", "manager_id", "after", "limit"} <= names
    assert names & set(DEPENDENCIES) == set()
    async with client_for(app) as client:
        schema = (await client.get("/schema/openapi.json")).json()
    complaints = schema["paths"]["/api/v1/complaints"]["get"]["parameters"]
    assert {p["name"] for p in complaints} == {
        "view", "state", "severity", "category", "tier", "account", "q", "assignee_id",
        "after", "limit",
    }  # fmt: skip
