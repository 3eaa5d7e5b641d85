"""Regression-table rows: stars only with valid inference, R² rules, FE rows, named inference, IV F, means."""

from __future__ import annotations

import copy
import io

import numpy as np
import pandas as pd
import pytest

from i4districts.tables.regression import (
    StarConvention,
    column_facts,
    match_frames,
    read_coefficients,
    regression_table,
    stars,
)
from i4districts.tables.render import grid, render

from .records import LABELS, PANEL_FE, PANEL_IV, RECORDS, SS_AKM_INVALID, SS_RI


def _rows(table) -> pd.DataFrame:
    g = grid(table)
    return g.set_index(["row", "statistic"])[[c.key for c in table.columns]]


def _row(table, row, statistic="value") -> list[str]:
    return _rows(table).loc[(row, statistic)].tolist()


@pytest.mark.parametrize(("p", "mark"), [(0.001, "***"), (0.0099, "***"), (0.01, "**"), (0.049, "**"),
                                          (0.05, "*"), (0.0999, "*"), (0.1, ""), (float("nan"), ""), (None, "")])
def test_stars_default_convention(p, mark):
    assert stars(p) == mark


def test_star_convention_from_thresholds_and_legend():
    conv = StarConvention.from_thresholds([0.05, 0.001, 0.01])
    assert conv.mark(0.0009) == "***" and conv.mark(0.009) == "**" and conv.mark(0.04) == "*" and conv.mark(0.05) == ""
    assert conv.legend().startswith("* p<0.05, ** p<0.01, *** p<0.001")
    assert StarConvention().legend().startswith("* p<0.10, ** p<0.05, *** p<0.01")
    with pytest.raises(ValueError, match="thresholds"):
        StarConvention.from_thresholds([0.1, 1.5])


def test_stars_only_where_the_column_inference_is_valid(regression):
    est = _row(regression, "exposure", "estimate")
    assert est == ["0.1235***", "0.2000**", "-0.8154***", "-0.0433"]  # (4) AKM flagged invalid: p = 1e-5, no stars
    assert any(n.startswith("No stars in (4) 5 sector clusters") for n in regression.notes)
    assert any(n.startswith("Significance: * p<0.10, ** p<0.05, *** p<0.01") for n in regression.notes)
    stars_col = regression.cells.set_index(["row", "statistic", "column"])["stars"]
    assert stars_col[("exposure", "estimate", "ss_ri")] == "***"  # RI column: valid inference keeps its stars


def test_synthetic_data_prints_no_stars_and_says_so(records):
    t = regression_table(records, illustrative=True, title="T")
    assert all("*" not in x for x in _row(t, "exposure", "estimate"))
    assert t.title == "T (illustrative data)"
    assert any("No significance stars: the table rests on illustrative (synthetic) data" in n for n in t.notes)
    assert not any(n.startswith("Significance:") for n in t.notes)
    synthetic = copy.deepcopy(PANEL_FE) | {"synthetic": True}
    t = regression_table([synthetic, PANEL_IV])
    assert _row(t, "exposure", "estimate") == ["0.1235", "0.2000**"]
    assert "No stars in (1) synthetic data." in t.notes
    t = regression_table(records, stars=False)
    assert all("*" not in x for x in _row(t, "exposure", "estimate")) and "No significance stars." in t.notes


def test_within_r2_only_with_absorbed_effects_and_r2_where_known(regression):
    assert _row(regression, "r2_within") == ["0.057", "", "", ""]
    assert _row(regression, "r2") == ["0.412", "0.200", "", ""]
    no_fe = regression_table([PANEL_IV, SS_RI])
    assert "r2_within" not in _rows(no_fe).index.get_level_values("row")  # no "Within R² 0.000" anywhere
    # a record that reports a within R² without absorbed effects does not get one shown
    odd = copy.deepcopy(PANEL_IV) | {"r2_within": 0.0}
    assert "r2_within" not in _rows(regression_table([odd])).index.get_level_values("row")


def test_fixed_effect_rows_and_controls(regression):
    assert _row(regression, "fe:region") == ["Yes", "No", "No", "No"]
    assert _row(regression, "fe:year") == ["Yes", "No", "No", "No"]
    assert _row(regression, "fe:macro_area") == ["No", "No", "Yes", "No"]
    assert _row(regression, "fe:macro_period") == ["No", "No", "No", "Yes"]
    assert _row(regression, "other_controls") == ["No", "No", "Yes", "No"]
    labels = grid(regression).set_index("row")["label"]
    assert labels["fe:region"] == "province FE" and labels["fe:macro_area"] == "Macro area FE"
    assert "Other controls: (3) Employment, start." in regression.notes
    assert "fe:region" not in _rows(regression_table(RECORDS, fe_rows=False)).index.get_level_values("row")


def test_inference_rows_name_covariance_and_correction(regression):
    assert _row(regression, "inference") == ["CRV1 by province", "HC1", "RI (permuted shifts), 999 permutations",
                                             "AKM (sector clusters)"]
    assert _row(regression, "correction") == ["G/(G−1)·(N−1)/(N−K), nested FE not counted", "N/(N−K)",
                                              "none (exact p-value)", "none"]
    assert _row(regression, "estimator") == ["OLS, within", "2SLS", "shift-share OLS", "shift-share OLS"]
    note = next(n for n in regression.notes if n.startswith("Inference by column:"))
    assert "(1) CRV1 by province; small-sample correction cr1_nested: G/(G-1)(n-1)/(n-k-d_nonnested)" in note
    assert "t(109) distribution" in note and "Borusyak and Hull 2023" in note
    assert "(4) AKM (sector clusters)" in note and "Adão, Kolesár and Morales (2019)" in note


@pytest.mark.parametrize(("inference", "method", "correction"), [
    ({"type": "clustered", "correction": "cr1", "clusters": ["region", "year"], "n_clusters": [110, 17]},
     "CRV1 by region and year", "G/(G−1)·(N−1)/(N−K)"),
    ({"type": "clustered", "correction": "none", "clusters": ["region"], "n_clusters": [110]}, "CRV0 by region",
     "none"),
    ({"type": "robust", "correction": "none"}, "HC0", "none"),
    ({"type": "homoskedastic", "correction": "dof"}, "IID", "N/(N−K)"),
    ({"type": "driscoll_kraay", "correction": "dof", "bandwidth": 2}, "Driscoll–Kraay (bandwidth 2)", "N/(N−K)"),
])
def test_panel_inference_names(inference, method, correction):
    rec = copy.deepcopy(PANEL_FE) | {"inference": inference}
    f = column_facts(rec)
    assert (f.inference, f.correction) == (method, correction)
    if inference.get("n_clusters") == [110, 17]:
        assert _row(regression_table([rec]), "clusters") == ["110 × 17"]


def test_wild_bootstrap_is_named():
    rec = copy.deepcopy(PANEL_FE)
    rec["extra"] = {"wild_bootstrap": {"weights_type": "webb", "B": 999, "cluster": "region",
                                       "bootstrap": "WCR11 (null imposed, CRV1)"}}
    f = column_facts(rec, labels=LABELS)
    assert f.inference == "wild cluster bootstrap (Webb, B = 999)"
    assert f.inference_long == "wild cluster bootstrap (Webb, B = 999) by province, WCR11 (null imposed, CRV1)"


def test_first_stage_f_for_iv_only(regression):
    assert _row(regression, "first_stage_f") == ["", "23.46", "", ""]
    assert "First-stage F: (2) Kleibergen–Paap rk Wald F." in regression.notes
    ss_iv = copy.deepcopy(SS_RI) | {"estimator": "iv"}
    ss_iv["extra"]["diagnostics_summary"]["first_stage_f"] = 41.5
    t = regression_table([ss_iv])
    assert _row(t, "first_stage_f") == ["41.50"] and _row(t, "estimator") == ["shift-share IV"]


def test_dependent_variable_with_label_unit_and_mean(regression, frame):
    assert _row(regression, "depvar") == ["Employment growth (% per year)", "Employment growth (% per year)",
                                          "Δ employment (100 × log points)", "Δ employment (100 × log points)"]
    assert _row(regression, "depvar_mean") == ["0.8123", "", "", ""]  # from the record where it holds one
    rec = copy.deepcopy(SS_RI) | {"nobs": 7, "n": 7}
    (matched,) = match_frames([rec], [frame.drop(columns="d_emp"), frame])
    assert matched is not None and "d_emp" in matched
    t = regression_table([rec], frames=[matched])
    mean = np.nanmean(frame["d_emp"].to_numpy())  # independent: numpy over the 7 non-missing values
    assert float(t.cells.set_index("row").loc["depvar_mean", "value"]) == pytest.approx(mean, rel=1e-15)
    assert "Sample: (1) 7 observations, 4 regions × 2 periods (2000–2017)." in t.notes
    assert match_frames([rec | {"nobs": 8}], [frame, frame.iloc[:3]]) == [None]  # no frame with 8 outcomes


def test_statistic_t_and_ci():
    t = regression_table(RECORDS, statistic="t")
    assert _row(t, "exposure", "t") == ["[2.71]", "[2.16]", "[-1.77]", "[-4.51]"]
    assert "t statistics in brackets." in t.notes
    ci = regression_table(RECORDS, statistic="ci")
    assert _row(ci, "exposure", "ci") == ["[0.0331, 0.2138]", "[0.0186, 0.3814]", "n/a", "[-0.0621, -0.0245]"]
    akm0 = copy.deepcopy(SS_AKM_INVALID)
    akm0["inference"]["ci_type"] = "real_line"
    assert _row(regression_table([akm0], statistic="ci"), "exposure", "ci") == ["(−∞, ∞)"]
    akm0["inference"]["ci_type"] = "complement"
    akm0["coefficients"][0] |= {"ci_low": 0.5, "ci_high": -0.25}
    assert _row(regression_table([akm0], statistic="ci"), "exposure", "ci") == ["(−∞, -0.2500] ∪ [0.5000, ∞)"]
    with pytest.raises(ValueError, match="statistic"):
        regression_table(RECORDS, statistic="z")


def test_design_rows_from_the_diagnostics_summary(regression):
    assert _row(regression, "effective_shocks") == ["", "", "3.4", "3.4"]
    assert _row(regression, "top_sector") == ["", "", "C (123%)", ""]
    assert _row(regression, "placebo_rejection") == ["", "", "5.8% of 500", ""]
    assert "effective_shocks" not in _rows(regression_table(RECORDS, design_rows=False)).index.get_level_values("row")


def test_columns_groups_and_labels(records):
    t = regression_table(records, column_labels=["a", "b", "c", "d"])
    assert [c.label for c in t.columns] == ["a", "b", "c", "d"]
    t = regression_table(records)  # default: the spec description, else the outcome label
    assert [c.label for c in t.columns] == ["Two-way FE", "growth", "d_emp", "d_emp"]
    twice = regression_table([PANEL_FE, PANEL_FE])
    assert [c.key for c in twice.columns] == ["twfe", "twfe [2]"]
    with pytest.raises(ValueError, match="not a column"):
        regression_table(records, column_groups={"G": ["nope"]})
    with pytest.raises(ValueError, match="not contiguous"):
        regression_table(records, column_groups={"G": ["twfe", "ss_ri"]})
    with pytest.raises(ValueError, match="column labels"):
        regression_table(records, column_labels=["a"])
    with pytest.raises(ValueError, match="no results"):
        regression_table([])


def test_intercept_last_and_term_labels_derived_from_the_spec():
    ld = copy.deepcopy(PANEL_FE)
    ld["spec"] |= {"estimator": "long_difference", "long_difference": {"start": 2000, "end": 2017}}
    ld["coefficients"].insert(0, {"term": "const", "estimate": 1.0, "std_error": 0.1, "t": 10, "p": 0.0,
                                  "ci_low": 0.8, "ci_high": 1.2})
    rows = [r for r in grid(regression_table([ld, PANEL_IV])).query("block == 'coef' and statistic == 'estimate'")
            ["label"]]
    assert rows == ["Δ exposure, 2000–2017", "Δ x2, 2000–2017", "Constant"]


def test_csv_reads_back_to_the_exact_coefficients(regression):
    back = read_coefficients(render(regression, "csv"))
    assert list(back["model"]) == ["twfe", "iv", "ss_ri", "ss_akm", "twfe", "iv"]
    for rec in RECORDS:
        for c in rec["coefficients"]:
            row = back[(back["model"] == rec["model_id"]) & (back["term"] == c["term"])].iloc[0]
            assert row["estimate"] == c["estimate"] and row["std_error"] == c["std_error"] and row["p"] == c["p"]
    ci = read_coefficients(render(regression_table(RECORDS, statistic="ci"), "csv"))
    assert ci.loc[0, "ci_low"] == 0.0331 and ci.loc[0, "ci_high"] == 0.2138 and np.isnan(ci.loc[0, "std_error"])
    assert pd.read_csv(io.StringIO(render(regression, "csv")))["table"].eq("regression").all()
