"""Runs last (pytest takes files in name order): every route the OpenAPI document describes was called by the suite,
and every response it got was checked against the document (each test also fails on its own violations)."""
from conftest import EXCHANGES, server


def test_every_documented_route_was_exercised_and_every_response_conforms():
    document = server("main").document
    documented = {(method.upper(), path) for path, operations in document["paths"].items() for method in operations}
    called = {(record["method"], record["path"]) for record in EXCHANGES.records}
    assert not documented - called, f"documented but never called: {sorted(documented - called)}"
    statuses = {record["status"] for record in EXCHANGES.records}
    assert {200, 400, 401, 413, 415, 422, 424, 429, 503} <= statuses, sorted(statuses)
    assert not EXCHANGES.violations, "\n".join(EXCHANGES.violations)
    print(f"{len(EXCHANGES.records)} responses checked against the OpenAPI document")
