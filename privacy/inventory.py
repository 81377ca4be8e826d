"""The whole registry as plain rows, with the processor register's details: what
``manage.py privacy_inventory`` prints and what later reports (records of processing, the
privacy notice) build on."""

from typing import Any

from .models import Processor
from .registry import describe, registry

PROCESSOR_COLUMNS = (
    "key",
    "name",
    "service",
    "role",
    "country",
    "third_country_transfer",
    "transfer_safeguard",
    "dpa_reference",
    "dpa_signed_on",
)


def processor_rows() -> list[dict[str, Any]]:
    rows = Processor.objects.order_by("key").values(*PROCESSOR_COLUMNS)
    return [
        {**row, "dpa_signed_on": row["dpa_signed_on"].isoformat() if row["dpa_signed_on"] else ""}
        for row in rows
    ]


def inventory() -> dict[str, Any]:
    """``{"processors": [...], "fields": [...]}``; each field lists its processors in full."""
    processors = {row["key"]: row for row in processor_rows()}
    fields = []
    for info in registry.fields():
        row = describe(info)
        row["processors"] = [
            processors.get(key, {"key": key, "name": "", "missing_from_register": True})
            for key in info.data.processors
        ]
        fields.append(row)
    return {"processors": list(processors.values()), "fields": fields}


def flat_rows() -> list[dict[str, str]]:
    """One row per field, processors folded into readable cells (CSV)."""
    rows = []
    for field in inventory()["fields"]:
        procs = field.pop("processors")
        rows.append(
            {
                **{k: ";".join(v) if isinstance(v, list) else str(v) for k, v in field.items()},
                "processors": ";".join(p["key"] for p in procs),
                "processor_names": ";".join(p.get("name", "") for p in procs),
                "processor_services": ";".join(p.get("service", "") for p in procs),
                "processor_roles": ";".join(p.get("role", "") for p in procs),
                "processor_countries": ";".join(p.get("country", "") for p in procs),
                "third_country_transfers": ";".join(
                    f"{p['key']}: {p.get('transfer_safeguard', '')}"
                    for p in procs
                    if p.get("third_country_transfer")
                ),
                # The agreement on file (reference and date) or nothing yet: the DPO's to-do.
                "processor_agreements": ";".join(
                    f"{p['key']}: {p.get('dpa_reference') or '-'} {p.get('dpa_signed_on') or '-'}"
                    for p in procs
                ),
            }
        )
    return rows
