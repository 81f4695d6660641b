"""The named GraphQL operations the page sends, read from ``graphql/operations`` beside the package.

The page gets them from the server instead of carrying its own copies, so the operations a test validates and
runs against the schema are exactly the ones a merchant's browser sends.
"""

from __future__ import annotations

from pathlib import Path

import channel_plugin

OPERATIONS_DIR = Path(channel_plugin.__file__).parent.parent / "graphql" / "operations"


def operations_document(directory: Path = OPERATIONS_DIR) -> str:
    """Every ``*.graphql`` file of the directory, in name order, as one document."""
    return "\n".join(path.read_text() for path in sorted(directory.glob("*.graphql")))
