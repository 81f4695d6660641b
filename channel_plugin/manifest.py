"""``plugin.toml``: the manifest a host reads before it loads anything, and the loader of its hook modules.

Validation is strict (unknown keys are errors, every message names the file and the dotted key) because a typo
in a manifest otherwise surfaces hours later as a hook that never fires or a setting that never applied.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

import channel_plugin
from channel_plugin.domain.settings import FIELDS as SETTINGS_FIELDS
from channel_plugin.domain.settings import OrderSettings, coerce_settings
from channel_plugin.errors import ManifestError, ValidationError
from channel_plugin.links import DEFAULT_COMMERCE_ORDER_URL, order_url_problem
from channel_plugin.packaged import packaged_path

DEFAULT_MANIFEST = "bundled/plugin.toml"

_TOP_LEVEL_KEYS = (
    "id",
    "name",
    "version",
    "entry_point",
    "hooks",
    "settings",
    "graphql",
    "dashboard",
    "cron",
    "links",
)
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_ENTRY_POINT = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*")
_HOOK_MODULE_PREFIX = "channel_plugin_hook_"


@dataclass(frozen=True, slots=True)
class Manifest:
    path: Path
    id: str
    name: str
    version: str
    entry_point: str
    hook_modules: tuple[Path, ...]
    hook_config: Mapping[str, Mapping[str, Any]]
    settings: OrderSettings
    graphql_path: str
    dashboard_path: str
    cron_interval_seconds: int
    commerce_order_url: str = DEFAULT_COMMERCE_ORDER_URL


def load_manifest(path: Path | None = None) -> Manifest:
    """Read and check a manifest; the default is the ``plugin.toml`` shipped inside the package."""
    reader = _Reader(default_manifest_path() if path is None else path)
    data = reader.parse()
    reader.check_keys(data, "", _TOP_LEVEL_KEYS)
    version = reader.string(data, "version")
    if version != channel_plugin.__version__:
        expected = channel_plugin.__version__
        raise reader.error("version", f"must equal channel_plugin.__version__, {expected!r}, got {version!r}")
    ident = reader.string(data, "id")
    if not _ID.fullmatch(ident):
        raise reader.error("id", f"must be lower-case words joined by hyphens, got {ident!r}")
    entry_point = reader.string(data, "entry_point")
    if not _ENTRY_POINT.fullmatch(entry_point):
        raise reader.error("entry_point", f"must look like 'package.module:attribute', got {entry_point!r}")
    hook_modules, hook_config = reader.hooks(data)
    return Manifest(
        path=reader.path,
        id=ident,
        name=reader.string(data, "name"),
        version=version,
        entry_point=entry_point,
        hook_modules=hook_modules,
        hook_config=hook_config,
        settings=reader.settings(data),
        graphql_path=reader.url_path(data, "graphql"),
        dashboard_path=reader.url_path(data, "dashboard"),
        cron_interval_seconds=reader.interval(data),
        commerce_order_url=reader.commerce_order_url(data),
    )


def default_manifest_path() -> Path:
    """The package's own ``plugin.toml`` (the top-level one in a checkout is its twin, for readers)."""
    return packaged_path(DEFAULT_MANIFEST)


class _Reader:
    """Carries the file name so that every check can build a message a person can act on."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def error(self, key: str, message: str) -> ManifestError:
        return ManifestError(key, f"{self.path}: {key} {message}")

    def parse(self) -> dict[str, Any]:
        try:
            with self.path.open("rb") as file:
                return tomllib.load(file)
        except OSError as exc:
            raise ManifestError(self.path.name, f"{self.path}: cannot be read ({exc.strerror})") from exc
        except tomllib.TOMLDecodeError as exc:  # its message carries the line and column
            raise ManifestError(self.path.name, f"{self.path}: is not valid TOML: {exc}") from exc

    def check_keys(self, table: Mapping[str, Any], prefix: str, allowed: Collection[str]) -> None:
        for key in table:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                raise self.error(prefix + key, f"is not a known key (known keys: {known})")

    def table(self, parent: Mapping[str, Any], key: str, dotted: str, *, required: bool) -> dict[str, Any]:
        if key not in parent:
            if required:
                raise self.error(dotted, "is required")
            return {}
        value = parent[key]
        if not isinstance(value, dict):
            raise self.error(dotted, f"must be a table, got {value!r}")
        return value

    def string(self, table: Mapping[str, Any], key: str, prefix: str = "") -> str:
        if key not in table:
            raise self.error(prefix + key, "is required")
        value = table[key]
        if not isinstance(value, str) or not value.strip():
            raise self.error(prefix + key, f"must be a non-empty string, got {value!r}")
        return value

    def hooks(self, data: Mapping[str, Any]) -> tuple[tuple[Path, ...], dict[str, Mapping[str, Any]]]:
        hooks = self.table(data, "hooks", "hooks", required=False)
        self.check_keys(hooks, "hooks.", ("modules", "config"))
        modules = hooks.get("modules", [])
        if not isinstance(modules, list):
            raise self.error("hooks.modules", f"must be an array of paths, got {modules!r}")
        paths: list[Path] = []
        for index, raw in enumerate(modules):
            paths.append(self._hook_module(f"hooks.modules[{index}]", raw, {p.stem for p in paths}))
        stems = {p.stem for p in paths}
        config: dict[str, Mapping[str, Any]] = {}
        for stem, value in self.table(hooks, "config", "hooks.config", required=False).items():
            dotted = f"hooks.config.{stem}"
            if stem not in stems:
                raise self.error(dotted, f"configures no module: hooks.modules has no file named {stem}.py")
            if not isinstance(value, dict):
                raise self.error(dotted, f"must be a table, got {value!r}")
            config[stem] = value
        return tuple(paths), config

    def _hook_module(self, dotted: str, raw: Any, seen_stems: set[str]) -> Path:
        if not isinstance(raw, str) or not raw.endswith(".py"):
            raise self.error(dotted, f"must be the path of a .py file, got {raw!r}")
        path = (self.path.parent / raw).resolve()
        if not path.is_file():
            where = f"relative to {self.path.name}"
            raise self.error(dotted, f"names {raw!r}, which does not exist ({where})")
        if path.stem in seen_stems:
            raise self.error(dotted, f"repeats the module name {path.stem!r}; hooks.config is keyed by it")
        return path

    def settings(self, data: Mapping[str, Any]) -> OrderSettings:
        table = self.table(data, "settings", "settings", required=False)
        self.check_keys(table, "settings.", SETTINGS_FIELDS)
        try:
            return coerce_settings(table)
        except ValidationError as exc:
            raise self.error(f"settings.{exc.field}", exc.message) from exc

    def url_path(self, data: Mapping[str, Any], section: str) -> str:
        table = self.table(data, section, section, required=True)
        self.check_keys(table, f"{section}.", ("path",))
        value = self.string(table, "path", f"{section}.")
        if not value.startswith("/"):
            raise self.error(f"{section}.path", f"must start with '/', got {value!r}")
        return value

    def commerce_order_url(self, data: Mapping[str, Any]) -> str:
        table = self.table(data, "links", "links", required=False)
        self.check_keys(table, "links.", ("commerce_order_url",))
        if "commerce_order_url" not in table:
            return DEFAULT_COMMERCE_ORDER_URL
        value = table["commerce_order_url"]
        problem = order_url_problem(value) if isinstance(value, str) else f"must be a string, got {value!r}"
        if problem is not None:
            raise self.error("links.commerce_order_url", problem)
        return str(value)

    def interval(self, data: Mapping[str, Any]) -> int:
        table = self.table(data, "cron", "cron", required=True)
        self.check_keys(table, "cron.", ("interval_seconds",))
        if "interval_seconds" not in table:
            raise self.error("cron.interval_seconds", "is required")
        value = table["interval_seconds"]
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise self.error("cron.interval_seconds", f"must be a positive integer, got {value!r}")
        return value


def import_hook_module(path: Path) -> ModuleType:
    """Import a loose ``hooks/*.py`` file by path: the folder is no package, so it can't be imported by name.

    The module is entered in ``sys.modules`` before it runs, as the import system would, so that dataclasses
    and pickling inside it can find their own module.
    """
    name = _HOOK_MODULE_PREFIX + path.stem
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{path} is not an importable Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def load_hook_modules(manifest: Manifest, pm: pluggy.PluginManager) -> list[object]:
    """Import every module of ``hooks.modules``; register it, or what its ``create_plugin`` builds, on ``pm``.

    Each is registered under its file stem, so ``COMMERCE_DISABLED_PLUGINS=sku_rules`` switches one off (it
    is then not even imported). A module whose hooks do not match the specs is unregistered again and
    reported, so a typo in a hook name fails the host's startup instead of never firing.
    """
    reader = _Reader(manifest.path)
    registered: list[object] = []
    for index, path in enumerate(manifest.hook_modules):
        stem = path.stem
        if pm.is_blocked(stem):
            continue
        dotted = f"hooks.modules[{index}]"
        try:
            module = import_hook_module(path)
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"
            raise reader.error(dotted, f"({path.name}) failed to import: {reason}") from exc
        plugin = _build_plugin(reader, manifest, module, stem)
        try:
            pm.register(plugin, name=stem)
            pm.check_pending()
        except pluggy.PluginValidationError as exc:
            if pm.is_registered(plugin):
                pm.unregister(plugin)
            raise reader.error(dotted, f"({path.name}) does not match the hook specs: {exc}") from exc
        registered.append(plugin)
    return registered


def _build_plugin(reader: _Reader, manifest: Manifest, module: ModuleType, stem: str) -> object:
    """The module's ``create_plugin(config)`` result, or the module itself when it takes no configuration.

    ``create_plugin`` reports a bad key by raising ``channel_plugin.ValidationError(key, message)`` (or a
    ``KeyError`` for a missing one); either becomes a ``ManifestError`` naming ``hooks.config.<stem>.<key>``.
    """
    dotted = f"hooks.config.{stem}"
    factory = getattr(module, "create_plugin", None)
    if factory is None:
        if stem in manifest.hook_config:
            raise reader.error(dotted, f"is set but {stem}.py has no create_plugin(config) to receive it")
        return module
    try:
        plugin: object = factory(manifest.hook_config.get(stem, {}))
    except ValidationError as exc:
        raise reader.error(f"{dotted}.{exc.field}", exc.message) from exc
    except KeyError as exc:
        missing = f".{exc.args[0]}" if exc.args else ""
        raise reader.error(dotted + missing, "is required") from exc
    except ValueError as exc:
        raise reader.error(dotted, f"is invalid: {exc}") from exc
    return plugin
