"""The named GraphQL operations the page sends, read from the package's copy of ``graphql/operations``.

The page gets them from the server instead of carrying its own copies, so the operations a test validates and
runs against the schema are exactly the ones a merchant's browser sends.
"""

from __future__ import annotations

from channel_plugin.packaged import packaged

OPERATIONS_DIR = "bundled/graphql/operations"


def operations_document() -> str:
    """Every ``*.graphql`` file of the directory, in name order, as one document.

    An empty result is an error: a page served no operations would sit on "Loading..." with nothing to say why.
    """
    folder = packaged(OPERATIONS_DIR)
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".graphql")), key=lambda f: f.name)
    document = "\n".join(f.read_text(encoding="utf-8") for f in files)
    if not document.strip():
        raise FileNotFoundError(f"no GraphQL operations in {folder}: reinstall channel-plugin")
    return document
