"""plugin.toml: the shipped one loads, each kind of mistake names its key, hook modules register, answer."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import channel_plugin
from channel_plugin.domain.enums import CustomerCreation
from channel_plugin.domain.settings import OrderSettings
from channel_plugin.errors import ManifestError
from channel_plugin.manager import DISABLED_PLUGINS_ENV, get_plugin_manager
from channel_plugin.manifest import default_manifest_path, load_hook_modules, load_manifest

REPO = Path(__file__).resolve().parent.parent
SHIPPED = (REPO / "plugin.toml").read_text(encoding="utf-8")
MODULES = 'modules = ["hooks/sku_rules.py", "hooks/blocked_order_webhook.py"]'


@pytest.fixture(autouse=True)
def _nothing_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DISABLED_PLUGINS_ENV, raising=False)


@pytest.fixture
def plugin_dir(tmp_path: Path) -> Path:
    """A copy of the plugin's manifest and hooks/ folder, for tests to spoil."""
    shutil.copytree(REPO / "hooks", tmp_path / "hooks", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def write(plugin_dir: Path, text: str) -> Path:
    path = plugin_dir / "plugin.toml"
    path.write_text(text, encoding="utf-8")
    return path


def edited(old: str, new: str) -> str:
    assert old in SHIPPED, old
    return SHIPPED.replace(old, new, 1)


def test_shipped_manifest_loads() -> None:
    manifest = load_manifest()
    assert manifest.path == default_manifest_path() == Path(channel_plugin.__file__).parent / "bundled" / "plugin.toml"
    assert manifest.id == "amazon-order-channel"
    assert manifest.name == "Amazon order channel"
    assert manifest.version == channel_plugin.__version__
    assert manifest.entry_point == "channel_plugin.plugin:plugin"
    assert [p.name for p in manifest.hook_modules] == ["sku_rules.py", "blocked_order_webhook.py"]
    assert all(p.is_file() for p in manifest.hook_modules)
    assert manifest.hook_config["blocked_order_webhook"] == {"url": ""}
    assert manifest.settings == OrderSettings()
    assert (manifest.graphql_path, manifest.dashboard_path) == ("/amazon/graphql", "/amazon")
    assert manifest.cron_interval_seconds == 300


def test_manifest_settings_become_order_settings(plugin_dir: Path) -> None:
    path = write(plugin_dir, edited('customer_creation = "GUEST"', 'customer_creation = "new_account"'))
    assert load_manifest(path).settings.customer_creation is CustomerCreation.NEW_ACCOUNT


def test_message_names_the_file_and_the_dotted_key(plugin_dir: Path) -> None:
    path = write(plugin_dir, edited("interval_seconds = 300", 'interval_seconds = "soon"'))
    with pytest.raises(ManifestError) as caught:
        load_manifest(path)
    assert caught.value.field == "cron.interval_seconds"
    assert caught.value.message == f"{path}: cron.interval_seconds must be a positive integer, got 'soon'"


ORDER_URL = 'commerce_order_url = "/admin/sales/order/view/order_id/{order_id}/"'


def test_a_host_sets_where_its_orders_live(plugin_dir: Path) -> None:
    assert load_manifest().commerce_order_url == "/admin/sales/order/view/order_id/{order_id}/"
    path = write(plugin_dir, edited(ORDER_URL, 'commerce_order_url = "/orders/{increment_id}?id={order_id}"'))
    assert load_manifest(path).commerce_order_url == "/orders/{increment_id}?id={order_id}"


def test_an_unknown_order_url_placeholder_names_the_file_and_key(plugin_dir: Path) -> None:
    path = write(plugin_dir, edited(ORDER_URL, 'commerce_order_url = "/orders/{entity_id}"'))
    with pytest.raises(ManifestError) as caught:
        load_manifest(path)
    assert caught.value.field == "links.commerce_order_url"
    assert caught.value.message.startswith(
        f"{path}: links.commerce_order_url uses the unknown placeholder {{entity_id}}"
    )


BAD_MANIFESTS = {
    "toml-syntax": (SHIPPED + "\noops =\n", "plugin.toml", f"line {SHIPPED.count(chr(10)) + 2}"),
    "unknown-top-level-key": ('colour = "blue"\n' + SHIPPED, "colour", "is not a known key"),
    "unknown-key-in-table": (
        edited("interval_seconds = 300", "interval_seconds = 300\nevery = 5"),
        "cron.every",
        "is not a known key",
    ),
    "unknown-key-in-dashboard": (
        edited('path = "/amazon"\n', 'path = "/amazon"\nmount = true\n'),
        "dashboard.mount",
        "is not a known key",
    ),
    "zero-interval": (
        edited("interval_seconds = 300", "interval_seconds = 0"),
        "cron.interval_seconds",
        "must be a positive integer, got 0",
    ),
    "bool-interval": (
        edited("interval_seconds = 300", "interval_seconds = true"),
        "cron.interval_seconds",
        "must be a positive integer, got True",
    ),
    "bad-type": (
        edited('name = "Amazon order channel"', "name = 3"),
        "name",
        "must be a non-empty string, got 3",
    ),
    "version-mismatch": (
        edited('version = "0.1.0"', 'version = "0.2.0"'),
        "version",
        "must equal channel_plugin.__version__",
    ),
    "bad-id": (edited('id = "amazon-order-channel"', 'id = "Amazon Orders"'), "id", "lower-case words"),
    "bad-entry-point": (
        edited('entry_point = "channel_plugin.plugin:plugin"', 'entry_point = "channel_plugin.plugin"'),
        "entry_point",
        "package.module:attribute",
    ),
    "missing-module-path": (
        edited('"hooks/blocked_order_webhook.py"', '"hooks/missing.py"'),
        "hooks.modules[1]",
        "'hooks/missing.py', which does not exist",
    ),
    "duplicate-module": (
        edited('"hooks/blocked_order_webhook.py"', '"hooks/sku_rules.py"'),
        "hooks.modules[1]",
        "repeats the module name",
    ),
    "modules-not-array": (edited(MODULES, "modules = 'x'"), "hooks.modules", "must be an array of paths"),
    "config-for-no-module": (
        edited("[hooks.config.sku_rules]", "[hooks.config.sku_rule]"),
        "hooks.config.sku_rule",
        "configures no module",
    ),
    "bad-settings-value": (
        edited('customer_creation = "GUEST"', 'customer_creation = "SOMETIMES"'),
        "settings.customer_creation",
        "must be one of GUEST, NEW_ACCOUNT",
    ),
    "bad-settings-type": (
        edited("import_enabled = true", 'import_enabled = "yes"'),
        "settings.import_enabled",
        "must be true or false",
    ),
    "unknown-setting": (
        edited("import_enabled = true", "import_enabled = true\ncolour = 1"),
        "settings.colour",
        "is not a known key",
    ),
    "relative-graphql-path": (
        edited('path = "/amazon/graphql"', 'path = "amazon/graphql"'),
        "graphql.path",
        "must start with '/'",
    ),
    "missing-graphql-table": (edited('[graphql]\npath = "/amazon/graphql"\n', ""), "graphql", "is required"),
    "missing-interval": (
        edited("[cron]\ninterval_seconds = 300", "[cron]"),
        "cron.interval_seconds",
        "is required",
    ),
}


@pytest.mark.parametrize(("text", "key", "words"), BAD_MANIFESTS.values(), ids=BAD_MANIFESTS.keys())
def test_bad_manifest_names_the_key(plugin_dir: Path, text: str, key: str, words: str) -> None:
    path = write(plugin_dir, text)
    with pytest.raises(ManifestError) as caught:
        load_manifest(path)
    assert caught.value.field == key
    assert caught.value.message.startswith(f"{path}: ")
    assert key in caught.value.message
    assert words in caught.value.message


def test_missing_file_is_a_manifest_error(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="cannot be read"):
        load_manifest(tmp_path / "plugin.toml")


def test_hook_modules_register_on_a_fresh_manager_and_answer(plugin_dir: Path) -> None:
    text = edited("map = {}", 'map = { "OLD-1" = "NEW-1" }')
    text = text.replace("strip_suffixes = []", 'strip_suffixes = ["-FBA"]')
    manifest = load_manifest(write(plugin_dir, text))
    pm = get_plugin_manager(entry_points=False)
    plugins = load_hook_modules(manifest, pm)
    assert [pm.get_name(p) for p in plugins] == ["sku_rules", "blocked_order_webhook"]
    assert pm.hook.channel_resolve_sku(store=None, seller_sku="OLD-1") == "NEW-1"
    assert pm.hook.channel_resolve_sku(store=None, seller_sku="ABC-FBA") == "ABC"
    assert pm.hook.channel_resolve_sku(store=None, seller_sku="ABC") is None
    assert pm.hook.channel_order_blocked.get_hookimpls() == []  # the webhook has no url: idle
    assert not get_plugin_manager(entry_points=False).has_plugin("sku_rules")


def test_a_configured_webhook_registers_its_hooks(plugin_dir: Path) -> None:
    manifest = load_manifest(write(plugin_dir, edited('url = ""', 'url = "https://example.com/amazon"')))
    pm = get_plugin_manager(entry_points=False)
    load_hook_modules(manifest, pm)
    for hook in (pm.hook.channel_order_blocked, pm.hook.channel_blocker_resolved):
        assert [impl.plugin_name for impl in hook.get_hookimpls()] == ["blocked_order_webhook"]


def test_a_disabled_hook_module_is_not_loaded(plugin_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (plugin_dir / "hooks" / "sku_rules.py").write_text("raise RuntimeError('must not be imported')\n")
    monkeypatch.setenv(DISABLED_PLUGINS_ENV, "sku_rules")
    pm = get_plugin_manager(entry_points=False)
    plugins = load_hook_modules(load_manifest(write(plugin_dir, SHIPPED)), pm)
    assert [pm.get_name(p) for p in plugins] == ["blocked_order_webhook"]


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("strip_suffixes = []", 'strip_suffixes = "-FBA"', "hooks.config.sku_rules.strip_suffixes"),
        ("map = {}", "map = { ABC = 7 }", "hooks.config.sku_rules.map"),
        ("map = {}", "map = {}\nshout = true", "hooks.config.sku_rules.shout"),
        ('url = ""', 'url = "ftp://example.com"', "hooks.config.blocked_order_webhook.url"),
        ('url = ""', 'url = ""\ntimeout_seconds = -1', "hooks.config.blocked_order_webhook.timeout_seconds"),
    ],
)
def test_bad_hook_config_names_the_key(plugin_dir: Path, old: str, new: str, key: str) -> None:
    manifest = load_manifest(write(plugin_dir, edited(old, new)))
    with pytest.raises(ManifestError) as caught:
        load_hook_modules(manifest, get_plugin_manager(entry_points=False))
    assert caught.value.field == key
    assert caught.value.message.startswith(f"{manifest.path}: {key} ")


def _manifest_with_module(plugin_dir: Path, stem: str, source: str, config: str = "") -> Path:
    (plugin_dir / "hooks" / f"{stem}.py").write_text(source, encoding="utf-8")
    text = edited(MODULES, MODULES.replace('.py"]', f'.py", "hooks/{stem}.py"]'))
    return write(plugin_dir, text + config)


PLAIN_MODULE = """
from channel_plugin import hookimpl

@hookimpl
def channel_resolve_sku(seller_sku):
    return "PLAIN-" + seller_sku
"""
MISSPELT_MODULE = """
from channel_plugin import hookimpl

@hookimpl
def channel_resolve_skus(seller_sku):
    return None
"""
WRONG_ARGUMENT_MODULE = """
from channel_plugin import hookimpl

@hookimpl
def channel_resolve_sku(sku):
    return None
"""


def test_a_module_without_create_plugin_is_registered_itself(plugin_dir: Path) -> None:
    manifest = load_manifest(_manifest_with_module(plugin_dir, "plain", PLAIN_MODULE))
    pm = get_plugin_manager(entry_points=False)
    plugins = load_hook_modules(manifest, pm)
    assert getattr(plugins[-1], "__file__", None) == str(plugin_dir / "hooks" / "plain.py")
    assert pm.hook.channel_resolve_sku(store=None, seller_sku="X") == "PLAIN-X"


def test_config_for_a_module_without_create_plugin_is_an_error(plugin_dir: Path) -> None:
    path = _manifest_with_module(plugin_dir, "plain", PLAIN_MODULE, "\n[hooks.config.plain]\nx = 1\n")
    expected = r"hooks\.config\.plain is set but plain\.py has no create_plugin"
    with pytest.raises(ManifestError, match=expected):
        load_hook_modules(load_manifest(path), get_plugin_manager(entry_points=False))


@pytest.mark.parametrize(
    ("source", "key", "words"),
    [
        ("def create_plugin(config):\n    return config['key']\n", "hooks.config.extra.key", "is required"),
        (
            "def create_plugin(config):\n    raise ValueError('token too short')\n",
            "hooks.config.extra",
            "is invalid: token too short",
        ),
        ("import no_such_module_anywhere\n", "hooks.modules[2]", "failed to import: ModuleNotFoundError"),
        (MISSPELT_MODULE, "hooks.modules[2]", "does not match the hook specs"),
        (WRONG_ARGUMENT_MODULE, "hooks.modules[2]", "does not match the hook specs"),
    ],
)
def test_a_broken_hook_module_names_the_key(plugin_dir: Path, source: str, key: str, words: str) -> None:
    manifest = load_manifest(_manifest_with_module(plugin_dir, "extra", source))
    pm = get_plugin_manager(entry_points=False)
    with pytest.raises(ManifestError) as caught:
        load_hook_modules(manifest, pm)
    assert caught.value.field == key
    assert words in caught.value.message
    assert not pm.has_plugin("extra")
