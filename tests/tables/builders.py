"""Every kind of table built from fixed, hand-made inputs (shared by the golden and agreement tests)."""

from __future__ import annotations

import copy

import pandas as pd

from .records import COLUMN_GROUPS, COLUMN_LABELS, FRAME, LABELS, PROVENANCE, RECORDS, SS_RI, UNITS

SPECIALIZATION = pd.DataFrame({
    "region": ["ITC11", "ITC12", "ITC13", "ITI15", "ITH32", "ITC11", "ITI15"],
    "sector": ["C", "C", "C", "C", "C", "F", "C"],
    "year": [2017, 2017, 2017, 2017, 2017, 2017, 2016],
    "indicator": ["lq"] * 7,
    "value": [1.1, 0.75, 1.9, 2.33, 1.9, 0.5, 2.5],
    "unit": ["ratio"] * 7,
    "flag": [""] * 7,
})

SUMMARY = pd.DataFrame({
    "region": ["ITC11", "ITC12", "ITC13", "ITI15", "ITH32"],
    "made_in_italy_share": [0.06, 0.359, 0.966, 1.0, 0.77],
    "heavy_industry_share": [0.89, 0.244, 0.034, 0.0, 0.2],
    "manufacturing_specialised_share": [0.95, 0.603, 1.0, 1.0, 0.97],
    "non_manufacturing_share": [0.05, 0.0, 0.0, 0.0, 0.03],
    "non_specialised_share": [0.0, 0.397, 0.0, 0.0, 0.0],
    "dominant_group": ["B1", "D1", "A2", "A2", "A5"],
    "dominant_group_share": [0.889, 0.397, 0.966, 1.0, 0.34],
    "province_employment": [737681.9, 48404.0, 52121.0, 110000.0, 350000.0],
    "flag": ["imputed", "", "", "", ""],
})

CLASS_NAMES = {"A": 'SL del "Made in Italy"', "B": "SL manifatturieri dell'industria pesante",
               "D": "SL non specializzati", "A2": "Tessile e abbigliamento", "A5": "Gioielli, occhiali",
               "B1": "Mezzi di trasporto", "D1": "Non specializzati"}

SLL = pd.DataFrame({
    "sll": ["0901", "1102", "0517", "0101"],
    "sll_name": ["PRATO", "MONTEGRANARO", "ARZIGNANO", "IVREA"],
    "region": ["Toscana", "Marche", "Veneto", "Piemonte"],
    "lq_manufacturing": [2.4, 2.9, 2.4, 0.8],
    "class": ["A", "A", "A", "C"],
    "group": ["A2", "A3", "A3", "C1"],
    "main_industry": ["TEX", "LEA", "LEA", None],
})

DECISIONS = pd.DataFrame({
    "sll": ["0901", "1102", "0101", "0517"],
    "sll_name": ["PRATO", "MONTEGRANARO", "IVREA", "ARZIGNANO"],
    "year": [2011] * 4,
    "lq_manufacturing": [2.4, 2.9, 0.8, 2.4],
    "step1_manufacturing": [True, True, False, True],
    "top_size_class": ["micro", "small", "large", "large"],
    "step2_sme": [True, True, False, False],
    "main_industry": ["TEX", "LEA", "MAC", "LEA"],
    "main_industry_lq": [9.5, 20.25, 1.1, 12.0],
    "step3_main_industry": [True, True, True, True],
    "main_sme_share": [0.91, 0.87, 0.3, 0.62],
    "step4_sme_main": [True, True, False, True],
    "district": [True, True, False, False],
    "large_firm_led": [False, False, False, True],
    "specialisations": ["TEX", "LEA;MET", None, None],
    "medium_unit_rule": ["applied"] * 4,
    "group_mapping": ["fine"] * 4,
})


def build_tables() -> dict:
    """name -> Table, from the fixed inputs above and in conftest."""
    from i4districts.tables.descriptive import descriptive_table
    from i4districts.tables.diagnostics_table import diagnostics_table
    from i4districts.tables.district_table import district_list_table
    from i4districts.tables.indicator_tables import top_provinces_table, top_sll_table
    from i4districts.tables.regression import regression_table

    recs = copy.deepcopy(RECORDS)
    return {
        "regression": regression_table(recs, name="regression", title="Employment and exposure", labels=LABELS,
                                       units=UNITS, column_labels=COLUMN_LABELS, column_groups=COLUMN_GROUPS,
                                       provenance=PROVENANCE),
        "regression_ci": regression_table(recs, name="regression_ci", title="Employment and exposure (CI)",
                                          labels=LABELS, statistic="ci", provenance=PROVENANCE),
        "descriptive": descriptive_table(FRAME, labels=LABELS, units=UNITS, by="period", provenance=PROVENANCE),
        "provinces": top_provinces_table(SPECIALIZATION, top=4, summary=SUMMARY, class_names=CLASS_NAMES,
                                         labels={"C": "manufacturing"}, name="provinces", provenance=PROVENANCE),
        "sll": top_sll_table(SLL, top=3, class_names=CLASS_NAMES, name="sll", provenance=PROVENANCE),
        "districts": district_list_table(DECISIONS, provenance=PROVENANCE),
        "diagnostics": diagnostics_table([copy.deepcopy(SS_RI)], top=3, labels=LABELS,
                                         column_labels={"ss_ri": "RI"}, provenance=PROVENANCE),
    }
