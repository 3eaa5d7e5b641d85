"""The district list: every local labour system with the decision of each step of the ISTAT method.

Input: the decision table of :func:`i4districts.indicators.districts.identify_districts` (one row per
system × year): the numbers behind each step and its decision (``lq_manufacturing``,
``step1_manufacturing``, ``top_size_class``, ``step2_sme``, ``main_industry``, ``main_industry_lq``,
``step3_main_industry``, ``main_sme_share``, ``step4_sme_main``, ``district``, ``large_firm_led``,
``specialisations``), plus ``sll_name`` / ``region`` when present. The system column is ``sll`` when
present, else ``region``.

Steps (ISTAT 2015, *I distretti industriali 2011*): (1) manufacturing prevails and its LQ exceeds 1;
(2) an SME size class has the highest LQ of manufacturing employment; (3) the main industry (ISTAT
district group with the highest LQ) has LQ > 1; (4) SMEs hold more than half of the main
industry's employment. A district passes all four.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from i4districts.errors import InputError

from .indicator_tables import industry_labels
from .notes import data_note, split_provenance
from .render import Cells, Column, Table, fmt_num

__all__ = ["STEP_COLUMNS", "district_list_table"]

STEP_COLUMNS: tuple[str, ...] = ("lq_manufacturing", "step1_manufacturing", "top_size_class", "step2_sme",
                                 "main_industry", "main_industry_lq", "step3_main_industry", "main_sme_share",
                                 "step4_sme_main", "district")
"""Columns the decision table must have."""


def _yes(x: object) -> str:
    if x is None or (isinstance(x, float) and x != x):
        return ""
    return "Yes" if bool(x) else "No"


def district_list_table(
    decisions: pd.DataFrame,
    *,
    year: int | None = None,
    districts_only: bool = False,
    labels: Mapping[str, str] | None = None,
    digits: int = 2,
    name: str = "districts",
    title: str | None = None,
    provenance: Sequence[str] = (),
    notes: Sequence[str] = (),
    table: str = "district decisions",
) -> Table:
    """The systems of ``decisions`` (``year``: default the latest), districts first, then by decreasing
    manufacturing LQ; ``districts_only`` keeps the districts. Industries are shown with their labels
    (shipped ISTAT district groups; ``labels`` override)."""
    missing = [c for c in STEP_COLUMNS if c not in decisions.columns]
    system = "sll" if "sll" in decisions.columns else "region" if "region" in decisions.columns else None
    if system is None:
        missing = ["sll (or region)", *missing]
    if missing:
        raise InputError(f"{table}: missing column(s) {missing}; columns are {list(decisions.columns)}")
    df = decisions
    if "year" in df.columns:
        years = sorted(int(y) for y in df["year"].dropna().unique())
        year = years[-1] if year is None else int(year)
        if year not in years:
            raise InputError(f"{table}: no year {year}; years are {years}")
        df = df[df["year"] == year]
    if df[system].duplicated().any():
        raise InputError(f"{table}: system listed twice: {df.loc[df[system].duplicated(), system].head(5).tolist()}")
    n_systems, n_districts = len(df), int(df["district"].fillna(False).astype(bool).sum())
    if districts_only:
        df = df[df["district"].fillna(False).astype(bool)]
    df = df.assign(_d=df["district"].fillna(False).astype(bool), _code=df[system].astype(str))
    df = df.sort_values(["_d", "lq_manufacturing", "_code"], ascending=[False, False, True])
    names = {**industry_labels(), **dict(labels or {})}
    has_name, has_region = "sll_name" in df.columns, "region" in df.columns and system != "region"
    cells = Cells()
    for _, r in df.iterrows():
        key = r["_code"]
        cells.add("systems", key, "code", key)
        if has_name:
            cells.add("systems", key, "sll_name", "" if pd.isna(r["sll_name"]) else str(r["sll_name"]))
        if has_region:
            cells.add("systems", key, "region", "" if pd.isna(r["region"]) else str(r["region"]))
        cells.add("systems", key, "lq_manufacturing", fmt_num(r["lq_manufacturing"], digits),
                  value=r["lq_manufacturing"])
        cells.add("systems", key, "step1", _yes(r["step1_manufacturing"]))
        cells.add("systems", key, "top_size_class", "" if pd.isna(r["top_size_class"]) else str(r["top_size_class"]))
        cells.add("systems", key, "step2", _yes(r["step2_sme"]))
        industry = "" if pd.isna(r["main_industry"]) else str(r["main_industry"])
        text = f"{names.get(industry, industry)} ({fmt_num(r['main_industry_lq'], digits)})" if industry else ""
        cells.add("systems", key, "main_industry", text, value=r["main_industry_lq"])
        cells.add("systems", key, "step3", _yes(r["step3_main_industry"]))
        share = r["main_sme_share"]
        cells.add("systems", key, "main_sme_share", "" if pd.isna(share) else f"{100 * share:.0f}%", value=share)
        cells.add("systems", key, "step4", _yes(r["step4_sme_main"]))
        verdict = _yes(r["district"])
        if not r["_d"] and "large_firm_led" in df.columns and bool(r["large_firm_led"]):
            verdict = "No (large-firm led)"
        cells.add("systems", key, "district", verdict)
        if "specialisations" in df.columns:
            spec = r["specialisations"]
            text = "" if pd.isna(spec) or not str(spec) else "; ".join(names.get(s, s) for s in str(spec).split(";"))
            cells.add("systems", key, "specialisations", text)
    columns = [Column("code", "SLL" if system == "sll" else "Region", align="left")]
    if has_name:
        columns.append(Column("sll_name", "Name", align="left"))
    if has_region:
        columns.append(Column("region", "Region", align="left"))
    columns += [Column("lq_manufacturing", "LQ manufacturing", "Step 1"),
                Column("step1", "Manufacturing", "Step 1", align="center"),
                Column("top_size_class", "Top size class", "Step 2", align="left"),
                Column("step2", "SME", "Step 2", align="center"),
                Column("main_industry", "Main industry (LQ)", "Step 3", align="left"),
                Column("step3", "LQ > 1", "Step 3", align="center"),
                Column("main_sme_share", "SME share", "Step 4"),
                Column("step4", "SMEs > 50%", "Step 4", align="center"),
                Column("district", "District", align="center")]
    if "specialisations" in df.columns:
        columns.append(Column("specialisations", "Specialisations", align="left"))
    out_notes = []
    data = data_note(provenance)
    if data:
        out_notes.append(data)
    when = f" in {year}" if year is not None else ""
    out_notes.append(f"Sample: {n_systems:,} local labour systems{when}, {n_districts:,} industrial districts"
                     + ("; districts only shown." if districts_only else "."))
    out_notes.append("Method: ISTAT (2015), I distretti industriali 2011 (Sforzi 1990): (1) prevalently "
                     "manufacturing (LQ > 1 and manufacturing prevails over business and consumer services by "
                     "ISTAT's excess-employment index); (2) an SME class (1–249 persons) has the highest size-class "
                     "LQ of manufacturing; (3) main industry: the ISTAT district group with the highest LQ, which "
                     "must exceed 1; (4) SMEs hold more than 50% of the main industry's employment. Thresholds: "
                     "ISTAT 2011 defaults unless the decision table was built with others.")
    if "medium_unit_rule" in df.columns and (df["medium_unit_rule"] == "not_applicable_no_units").any():
        out_notes.append("Step 4's single-medium-unit exception not applied: no local-unit counts.")
    if "group_mapping" in df.columns and (df["group_mapping"] == "division_fallback").any():
        n = int((df["group_mapping"] == "division_fallback").sum())
        out_notes.append(f"{n} system(s) classified with division-level ATECO codes of divisions split between "
                         "groups (23, 27, 32): industry assignment approximate.")
    out_notes += split_provenance(provenance)[2]
    return Table(name=name, title=title or f"Industrial districts: the four steps by local labour system{when}",
                 columns=tuple(columns), cells=cells.frame(), notes=(*out_notes, *notes))
