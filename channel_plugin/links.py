"""Where the host's admin shows a Commerce order: a URL template the host owns, checked before anything uses it.

The plugin cannot know a host's admin routes, so ``orderLink`` is built from a template (``[links]
commerce_order_url`` in ``plugin.toml``, or the host config key ``channel_plugin.commerce_order_url``). A
placeholder the plugin cannot fill would otherwise surface as a broken link in the dashboard, long after start-up.
"""

from __future__ import annotations

import string

DEFAULT_COMMERCE_ORDER_URL = "/admin/sales/order/view/order_id/{order_id}/"
ORDER_URL_PLACEHOLDERS = ("order_id", "increment_id")
SELLER_CENTRAL_ORDER_URL = "https://sellercentral.amazon.com/orders-v3/order/{amazon_order_id}"
"""Where Seller Central shows an Amazon order (``orderLink`` of an order with no Commerce order)."""


def order_url_problem(template: str) -> str | None:
    """Why ``template`` cannot be a Commerce order URL, or None when it can."""
    if not template.strip():
        return "must be a non-empty URL template"
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:  # an unbalanced brace
        return f"is not a valid template ({exc}): {template!r}"
    known = ", ".join("{" + name + "}" for name in ORDER_URL_PLACEHOLDERS)
    for name in fields:
        if name not in ORDER_URL_PLACEHOLDERS:
            return f"uses the unknown placeholder {{{name}}} (known: {known}): {template!r}"
    return None


def commerce_order_link(template: str, *, order_id: str, increment_id: str) -> str:
    """The host admin's URL of one Commerce order; ``template`` has passed ``order_url_problem``."""
    return template.format(order_id=order_id, increment_id=increment_id)
