"""The command line: the demo a newcomer runs first, and clear errors for bad flags."""

from __future__ import annotations

from click.testing import CliRunner

from channel_plugin.cli import main


def test_demo_shows_orders_in_every_state_and_the_banner_clearing():
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    out = result.output
    for state in ("IMPORTED", "BLOCKED", "WAITING", "SKIPPED"):
        assert state in out
    assert "No catalog product has SKU 'MUG-GREEN-FBA'" in out
    assert "Your Amazon store(s) has orders that cannot be imported into Commerce" in out
    assert "COMPLETED" in out.split("After the second sync:")[1]
    assert "Ada Lovelace" not in out  # buyer data is never printed


def test_migrate_and_store_add(tmp_path):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    runner = CliRunner()
    assert runner.invoke(main, ["migrate", "--db", url]).exit_code == 0
    args = [
        "store",
        "add",
        "--db",
        url,
        "--name",
        "My Store US",
        "--seller-id",
        "A1",
        "--marketplace",
        "ATVPDKIKX0DER",
        "--region",
        "NA",
    ]
    first = runner.invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "Store 1 added: My Store US" in first.output
    again = runner.invoke(main, args)
    assert again.exit_code != 0
    assert "already exists" in again.output


def test_bad_flags_get_specific_errors(tmp_path):
    runner = CliRunner()
    url = f"sqlite:///{tmp_path / 'c.db'}"
    bad_region = runner.invoke(
        main, ["store", "add", "--db", url, "--name", "X", "--seller-id", "A", "--marketplace", "M", "--region", "MARS"]
    )
    assert bad_region.exit_code == 2 and "--region" in bad_region.output
    bad_db = runner.invoke(main, ["migrate", "--db", "notadatabase://x"])
    assert bad_db.exit_code == 2 and "--db" in bad_db.output
    empty_name = runner.invoke(
        main, ["store", "add", "--db", url, "--name", " ", "--seller-id", "A", "--marketplace", "M", "--region", "NA"]
    )
    assert empty_name.exit_code == 2 and "--name" in empty_name.output


def test_keygen_prints_a_usable_key():
    from channel_plugin.storage.crypto import BuyerDataCipher

    key = CliRunner().invoke(main, ["keygen"]).output.strip()
    assert BuyerDataCipher([key]).decrypt(BuyerDataCipher([key]).encrypt({"a": 1})) == {"a": 1}
