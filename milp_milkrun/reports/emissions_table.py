"""``milkrun emissions``: the emissions of a plan as a table a sustainability analyst reads, or CSV."""

from __future__ import annotations

import csv
import io

from milp_milkrun.emissions.accounting import EmissionsReport


def emissions_table(report: EmissionsReport) -> str:
    """Per route, per DC and the hub's totals, WTW and TTW kg CO2e.

    Parameters
    ----------
    report : EmissionsReport
        :func:`~milp_milkrun.emissions.plan_emissions` of a plan.

    Returns
    -------
    str
        The tables as plain text.
    """
    lines = [f"emissions of the plan for {report.instance} (ISO 14083; unit mass {report.unit_mass_kg:g} kg)"]
    if report.defaults_used:
        lines.append(
            "factors: the packaged DEFAULTS (docs/emissions.md); give --factors with your measured values before reporting"
        )
    lines += [
        "",
        f"{'vehicle':<10} {'profile':<20} {'km':>8} {'loaded':>8} {'empty':>7} {'t-km':>9} {'fuel':>9} {'kg TTW':>9} {'kg WTW':>9} {'g/t-km':>7}",
    ]
    for r in report.routes:
        intensity = f"{r.g_co2e_per_tonne_km:7.0f}" if r.g_co2e_per_tonne_km is not None else f"{'-':>7}"
        lines.append(
            f"{r.vehicle:<10} {r.profile:<20} {r.km:8.1f} {r.loaded_km:8.1f} {r.empty_km:7.1f} {r.tonne_km:9.1f} "
            f"{r.fuel:7.1f} {r.fuel_unit:<1} {r.kg_co2e_ttw:9.1f} {r.kg_co2e_wtw:9.1f} {intensity}"
        )
    lines += ["", f"{'DC':<10} {'vehicle':<12} {'demand':>8} {'t':>8} {'kg WTW':>9} {'kg/t':>8} {'kg/unit':>9}"]
    for d in report.dcs:
        per_t = f"{d.kg_co2e_per_tonne:8.2f}" if d.kg_co2e_per_tonne is not None else f"{'-':>8}"
        per_unit = f"{d.kg_co2e_per_unit:9.4f}" if d.kg_co2e_per_unit is not None else f"{'-':>9}"
        lines.append(
            f"{d.dc:<10} {d.vehicle:<12} {d.demand:8g} {d.mass_t:8.3f} {d.kg_co2e_wtw:9.2f} {per_t} {per_unit}"
        )
    totals = report.to_dict()["totals"]
    assert isinstance(totals, dict)
    intensity = totals["g_co2e_per_tonne_km"]
    lines += [
        "",
        f"hub total  {totals['km']:,.1f} km, {totals['tonne_km']:,.1f} t-km, {totals['kg_co2e_ttw']:,.1f} kg CO2e TTW, "
        f"{totals['kg_co2e_wtw']:,.1f} kg CO2e WTW"
        + (f", {intensity:,.0f} g CO2e per t-km" if intensity is not None else ""),
    ]
    return "\n".join(lines)


CSV_COLUMNS = (
    "level",
    "id",
    "vehicle",
    "profile",
    "km",
    "loaded_km",
    "empty_km",
    "tonne_km",
    "fuel",
    "fuel_unit",
    "kg_co2e_ttw",
    "kg_co2e_wtw",
    "g_co2e_per_tonne_km",
    "demand",
    "mass_t",
    "kg_co2e_per_tonne",
    "kg_co2e_per_unit",
)


def emissions_csv(report: EmissionsReport) -> str:
    """One row per route, one per DC and one for the hub (``level`` says which).

    Parameters
    ----------
    report : EmissionsReport
        :func:`~milp_milkrun.emissions.plan_emissions` of a plan.

    Returns
    -------
    str
        CSV text with a header row.
    """
    data = report.to_dict()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for r in data["routes"]:  # type: ignore[attr-defined]
        writer.writerow({"level": "route", "id": r["vehicle"], **r})
    for d in data["dcs"]:  # type: ignore[attr-defined]
        writer.writerow({"level": "dc", "id": d["dc"], **d})
    writer.writerow({"level": "hub", "id": report.instance, **data["totals"]})  # type: ignore[dict-item]
    return out.getvalue()
