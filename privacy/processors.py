"""The processors and recipients SEROP's privacy policy names, as first seeded.

The register itself is data (``privacy.Processor``), edited by the DPO in the admin; this list
is what the data migration seeds and the stable keys that ``privacy.py`` declarations may name.
Contract references and dates are left empty: the DPO records them from the signed agreements.
"""

from typing import TypedDict


class ProcessorSeed(TypedDict):
    key: str
    name: str
    service: str
    role: str
    country: str
    third_country_transfer: bool
    transfer_safeguard: str


PROCESSOR_SEED: list[ProcessorSeed] = [
    {
        "key": "simply",
        "name": "Simply.com (formerly UnoEuro, unoeuro.com)",
        "service": "Web hosting of www.serop.dk, its forms, the CV bank and the webshop",
        "role": "processor",
        "country": "DK",
        "third_country_transfer": False,
        "transfer_safeguard": "",
    },
    {
        "key": "nets",
        "name": "Nets (Betalingsservice)",
        "service": "Direct debit of HR and employment-law subscriptions",
        "role": "processor",
        "country": "DK",
        "third_country_transfer": False,
        "transfer_safeguard": "",
    },
    {
        "key": "quickpay",
        "name": "Quickpay",
        "service": "Payment gateway for webshop card payments (card data never reaches SEROP)",
        "role": "processor",
        "country": "DK",
        "third_country_transfer": False,
        "transfer_safeguard": "",
    },
    {
        "key": "woocommerce",
        "name": "WooCommerce",
        "service": "Webshop software run in SEROP's own website backend (hosted by Simply.com)",
        "role": "software",
        "country": "DK",
        "third_country_transfer": False,
        "transfer_safeguard": "",
    },
    {
        "key": "jobindex",
        "name": "Jobindex (jobindex.dk)",
        "service": "Publishing job postings and receiving applications",
        "role": "processor",
        "country": "DK",
        "third_country_transfer": False,
        "transfer_safeguard": "",
    },
    {
        "key": "facebook",
        "name": "Meta Platforms (Facebook)",
        "service": "Publishing job postings",
        "role": "processor",
        "country": "IE",
        "third_country_transfer": True,
        "transfer_safeguard": "EU-US Data Privacy Framework; standard contractual clauses",
    },
    {
        "key": "linkedin",
        "name": "LinkedIn",
        "service": "Publishing job postings",
        "role": "processor",
        "country": "IE",
        "third_country_transfer": True,
        "transfer_safeguard": "EU-US Data Privacy Framework; standard contractual clauses",
    },
    {
        "key": "microsoft",
        "name": "Microsoft (Microsoft 365)",
        "service": "Email and office software; applications and CVs received by email",
        "role": "processor",
        "country": "IE",
        "third_country_transfer": True,
        "transfer_safeguard": (
            "EU Data Boundary; EU-US Data Privacy Framework; standard contractual clauses"
        ),
    },
    {
        "key": "lessor",
        "name": "LESSOR Workforce (Paychex)",
        "service": "Shift planning and the temps' and consultants' workforce login",
        "role": "processor",
        "country": "DK",
        "third_country_transfer": True,
        "transfer_safeguard": (
            "Parent company Paychex (US): EU-US Data Privacy Framework; "
            "standard contractual clauses"
        ),
    },
]

KNOWN_PROCESSOR_KEYS = frozenset(seed["key"] for seed in PROCESSOR_SEED)
