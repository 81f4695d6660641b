"""Host carrier -> Amazon ``carrierCode``: Amazon only tracks packages whose carrier it recognises.

Hosts name carriers their own way ("ups", "fedex", "Royal Mail", "dhl_express"); Amazon wants its own codes, and
"Other" with the carrier's name for anything it doesn't know.
"""

from __future__ import annotations

import re

AMAZON_CARRIERS = {
    "usps": "USPS",
    "ups": "UPS",
    "upsmi": "UPSMI",
    "fedex": "FedEx",
    "fedexsmartpost": "FedEx SmartPost",
    "dhl": "DHL",
    "dhlexpress": "DHL",
    "dhlecommerce": "DHL eCommerce",
    "ontrac": "OnTrac",
    "lasership": "Lasership",
    "amazonshipping": "Amazon Shipping",
    "royalmail": "Royal Mail",
    "parcelforce": "Parcelforce",
    "dpd": "DPD",
    "hermes": "Hermes",
    "evri": "Evri",
    "gls": "GLS",
    "deutschepost": "Deutsche Post",
    "laposte": "La Poste",
    "colissimo": "Colissimo",
    "chronopost": "Chronopost",
    "canadapost": "Canada Post",
    "purolator": "Purolator",
    "australiapost": "Australia Post",
    "japanpost": "Japan Post",
    "yamato": "Yamato Transport",
    "yamatotransport": "Yamato Transport",
    "sagawa": "Sagawa Express",
    "sagawaexpress": "Sagawa Express",
    "indiapost": "India Post",
    "bluedart": "Blue Dart",
    "correos": "Correos",
    "posteitaliane": "Poste Italiane",
    "brt": "BRT",
    "postnl": "PostNL",
}


def amazon_carrier(host_carrier: str, title: str | None = None) -> tuple[str, str]:
    """(carrierCode, carrierName) for a host carrier code and its display title."""
    name = (title or host_carrier).strip()
    for candidate in (host_carrier, title or ""):
        key = re.sub(r"[^a-z]", "", candidate.lower())
        if key in AMAZON_CARRIERS:
            return AMAZON_CARRIERS[key], name
    return "Other", name or "Other"
