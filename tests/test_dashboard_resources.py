"""The dashboard reads its shell, operations and static files from the package; a missing one fails loudly."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

import channel_plugin.dashboard.operations as operations
from channel_plugin.dashboard.app import create_dashboard_app
from channel_plugin.packaged import packaged


def test_operations_are_served_from_the_package_and_are_never_empty() -> None:
    client = TestClient(create_dashboard_app(graphql_url="/graphql/"))
    answer = client.get("/operations.graphql")
    folder = packaged(operations.OPERATIONS_DIR)
    names = sorted(f.name for f in folder.iterdir() if f.name.endswith(".graphql"))
    assert answer.status_code == 200 and names
    assert answer.text == "\n".join(folder.joinpath(name).read_text(encoding="utf-8") for name in names)


def test_missing_operations_stop_the_dashboard_from_mounting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(operations, "OPERATIONS_DIR", "bundled/graphql/no-such-folder")
    with pytest.raises(FileNotFoundError, match="no-such-folder is missing from the installed package"):
        create_dashboard_app(graphql_url="/graphql/")


def test_an_operations_folder_without_operations_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(operations, "OPERATIONS_DIR", "bundled/hooks")
    with pytest.raises(FileNotFoundError, match="no GraphQL operations"):
        operations.operations_document()


def test_every_static_module_is_served() -> None:
    client = TestClient(create_dashboard_app(graphql_url="/graphql/"))
    static = packaged("dashboard/static")
    found = [("js/views/" + f.name) for f in static.joinpath("js/views").iterdir() if f.name.endswith(".js")]
    assert found
    for name in found:
        assert client.get(f"/static/{name}").status_code == 200, name
