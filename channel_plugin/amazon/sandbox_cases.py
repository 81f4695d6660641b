"""Amazon's static sandbox cases (``x-amzn-api-sandbox``, flattened per model) and how a request selects one.

Kept free of any web framework so the matching rules, which decide what a client under test sees, can be read and
tested on their own. The rules follow Amazon's static sandbox: every parameter a case names must be sent with an
equal value, parameters it does not name are ignored, and the case naming the most parameters wins.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from channel_plugin.packaged import packaged

MODELS_ENV = "CHANNEL_PLUGIN_AMAZON_MODELS"
# Amazon's files (Apache-2.0, licence and PROVENANCE.md beside them) ship inside the package.
PACKAGED_MODELS = "amazon/models"
# The usage-plan table in every operation's description: a "Rate (requests per second) | Burst" header, then values.
_USAGE_PLAN = re.compile(r"\|\s*Rate \(requests per second\)\s*\|\s*Burst\s*\|\s*\n\|[-\s|]+\|\s*\n\|\s*([0-9.]+)\s*\|")


@dataclass(frozen=True, slots=True)
class SandboxCase:
    """One recorded request/response pair of a model's static sandbox."""

    operation_id: str
    method: str
    path_template: str
    status: int
    parameters: Mapping[str, Any]
    response: Any
    rate_limit: str | None
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class SandboxRequest:
    """What matching looks at: ``query`` keeps every occurrence of a name, ``body`` is the parsed JSON or None."""

    method: str
    path: str
    query: Mapping[str, Sequence[str]]
    body: Any


def default_models_dir() -> Traversable:
    """The package's copy of Amazon's cases; the environment variable points at a newer set of Amazon's models."""
    configured = os.environ.get(MODELS_ENV)
    return Path(configured) if configured else packaged(PACKAGED_MODELS)


def load_cases(models_dir: Traversable) -> tuple[SandboxCase, ...]:
    """Every static case of every ``*_sandbox_cases.json`` in ``models_dir``, in file order (ties go to the first)."""
    files = sorted(
        (f for f in models_dir.iterdir() if f.name.endswith("_sandbox_cases.json")) if models_dir.is_dir() else [],
        key=lambda f: f.name,
    )
    if not files:
        raise FileNotFoundError(f"no *_sandbox_cases.json in {models_dir} (unset {MODELS_ENV} for the packaged ones)")
    cases: list[SandboxCase] = []
    for file in files:
        document = json.loads(file.read_text(encoding="utf-8"))
        rates = _rate_limits(models_dir / document["source"]) if "source" in document else {}
        for raw in document["cases"]:
            cases.append(
                SandboxCase(
                    operation_id=raw["operationId"],
                    method=raw["method"].upper(),
                    path_template=raw["path"],
                    status=int(raw["status"]),
                    parameters={name: spec["value"] for name, spec in raw["request"]["parameters"].items()},
                    response=raw.get("response"),
                    rate_limit=rates.get(raw["operationId"]),
                    pattern=_template_pattern(raw["path"]),
                )
            )
    return tuple(cases)


def match_case(cases: Sequence[SandboxCase], request: SandboxRequest) -> SandboxCase | None:
    """The most specific case the request satisfies: a page-2 case naming the token beats page 1 when it is sent."""
    best: SandboxCase | None = None
    for case in cases:
        if case.method != request.method:
            continue
        found = case.pattern.fullmatch(request.path)
        if found is None or not _satisfies(case, found.groupdict(), request):
            continue
        if best is None or len(case.parameters) > len(best.parameters):
            best = case
    return best


def _template_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    # re.split alternates literal text and parameter names: even indexes are literals.
    regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)" for i, part in enumerate(parts))
    return re.compile(regex)


def _rate_limits(model_file: Traversable) -> dict[str, str]:
    """operationId -> the default rate Amazon publishes, for the ``x-amzn-RateLimit-Limit`` header clients read."""
    if not model_file.is_file():
        return {}
    model = json.loads(model_file.read_text(encoding="utf-8"))
    rates: dict[str, str] = {}
    for operations in model.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            found = _USAGE_PLAN.search(operation.get("description", ""))
            if found:
                rates[operation["operationId"]] = found.group(1)
    return rates


def _satisfies(case: SandboxCase, path_values: Mapping[str, str], request: SandboxRequest) -> bool:
    for name, expected in case.parameters.items():
        if name in path_values:
            if not _same_text(expected, path_values[name]):
                return False
        elif name == "body":
            if request.body is None or not _same_json(expected, request.body):
                return False
        else:
            sent = request.query.get(name)
            if not sent or not _same_query(expected, sent):
                return False
    return True


def _same_query(expected: Any, sent: Sequence[str]) -> bool:
    """Clients send arrays comma-joined (Amazon's SDKs) or repeated (``requests``-style); both mean the same list."""
    if isinstance(expected, list):
        values = [piece for value in sent for piece in value.split(",")]
        return len(values) == len(expected) and all(_same_text(e, v) for e, v in zip(expected, values, strict=True))
    return _same_text(expected, ",".join(sent))


def _same_text(expected: Any, text: str) -> bool:
    """A query or path value is text; the case may hold a number or boolean, which match by value."""
    if isinstance(expected, bool):
        return text.lower() == str(expected).lower()
    if isinstance(expected, int | float):
        try:
            return Decimal(text) == Decimal(str(expected))
        except InvalidOperation:
            return False
    return str(expected) == text


def _same_json(expected: Any, sent: Any) -> bool:
    """JSON equality where 3 equals 3.0 but never True: Python's == alone would let a boolean match 1."""
    if isinstance(expected, bool) or isinstance(sent, bool):
        return type(expected) is type(sent) and expected == sent
    if isinstance(expected, Mapping):
        return (
            isinstance(sent, Mapping)
            and expected.keys() == sent.keys()
            and all(_same_json(value, sent[key]) for key, value in expected.items())
        )
    if isinstance(expected, list):
        return (
            isinstance(sent, list)
            and len(expected) == len(sent)
            and all(_same_json(e, s) for e, s in zip(expected, sent, strict=True))
        )
    return bool(expected == sent)
