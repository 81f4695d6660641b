"""The embedded reference Commerce host (see ``reference.py``): SQLAlchemy Core tables beside the plugin's."""

from channel_plugin.host.reference import ReferenceHost
from channel_plugin.host.views import CustomerView, OrderItemView, OrderView, ProductView

__all__ = ["CustomerView", "OrderItemView", "OrderView", "ProductView", "ReferenceHost"]
