"""Hand-built result records and tables for the table tests (fixed numbers, never a run's output).

The records follow the JSON layout of :meth:`i4districts.results.ResultProtocol.to_dict` for a
panel result (within two-way FE, clustered; pooled IV, robust) and a shift-share result (RI with
design diagnostics; AKM flagged invalid), with round numbers chosen so that every display rule
(stars, within R², FE rows, IV first-stage F, groups and clusters) is exercised.
"""

from __future__ import annotations

import pandas as pd

PANEL_FE = {
    "model_id": "twfe", "kind": "panel", "estimator": "within", "outcome": "growth", "nobs": 1870,
    "inference": {"type": "clustered", "label": "cluster-robust", "correction": "cr1_nested",
                  "correction_label": "G/(G-1)(n-1)/(n-k-d_nonnested), fixest/pyfixest/reghdfe default",
                  "clusters": ["region"], "n_clusters": [110], "bandwidth": None, "distribution": "t", "df": 109,
                  "alpha": 0.05},
    "coefficients": [
        {"term": "exposure", "estimate": 0.123456789012345, "std_error": 0.0456, "t": 2.7074, "p": 0.00789,
         "ci_low": 0.0331, "ci_high": 0.2138},
        {"term": "x2", "estimate": -1.5, "std_error": 0.9, "t": -1.6667, "p": 0.0984, "ci_low": -3.28,
         "ci_high": 0.28},
    ],
    "spec": {"estimator": "auto", "entity": "region", "time": "year", "outcome": "growth",
             "description": "Two-way FE"},
    "n_entities": 110, "n_periods": 17, "n_clusters": 110, "n_clusters_by_dim": [110], "r2": 0.41234,
    "r2_within": 0.05678, "fixed_effects": ["region", "year"], "first_stage": None, "first_stage_f": None,
    "extra": {}, "outcome_mean": 0.8123,
}

PANEL_IV = {
    "model_id": "iv", "kind": "panel", "estimator": "pooled", "outcome": "growth", "nobs": 1870,
    "inference": {"type": "robust", "label": "heteroskedasticity-robust", "correction": "dof",
                  "correction_label": "n/(n-k-d) (HC1; s2 = e'e/(n-k-d))", "clusters": [], "n_clusters": None,
                  "distribution": "t", "df": 1867, "alpha": 0.05},
    "coefficients": [
        {"term": "exposure", "estimate": 0.2, "std_error": 0.0925, "t": 2.1622, "p": 0.0312, "ci_low": 0.0186,
         "ci_high": 0.3814},
        {"term": "const", "estimate": 1.25, "std_error": 0.5, "t": 2.5, "p": 0.0125, "ci_low": 0.27,
         "ci_high": 2.23},
    ],
    "spec": {"estimator": "pooled", "entity": "region", "time": "year", "outcome": "growth"},
    "n_entities": 110, "n_periods": 17, "r2": 0.2, "r2_within": None, "fixed_effects": [],
    "first_stage": {"kleibergen_paap_f": 23.456}, "first_stage_f": 23.456, "extra": {},
}

SS_RI = {
    "model_id": "ss_ri", "kind": "shiftshare", "estimator": "ols", "outcome": "d_emp", "nobs": 110, "n": 110,
    "inference": {"type": "ri", "method": "ri", "label": "RI (permuted shifts)", "correction": "ri",
                  "correction_label": "none: exact randomization p-value (Borusyak and Hull 2023)",
                  "clusters": ["region"], "n_clusters": 110, "ci_type": "none", "distribution": "randomization",
                  "df": None, "alpha": 0.05, "permutations": 999, "studentization": "cluster"},
    "coefficients": [{"term": "exposure", "estimate": -0.8153643, "std_error": 0.4617, "t": -1.766, "p": 0.004,
                      "ci_low": None, "ci_high": None}],
    "controls": ["(intercept)", "macro_area[ITF]", "macro_area[ITG]", "employment_start"],
    "n_sectors": 5, "n_region_clusters": 110, "n_sector_clusters": 5, "alpha": 0.05,
    "extra": {
        "diagnostics_summary": {"effective_shocks": 3.372, "top_sector": "C", "top_sector_share": 1.2276,
                                "placebo_rejection": 0.058, "placebo_draws": 500, "first_stage_f": None},
        "placebo": {"alpha": 0.05, "draws": 500, "rejection": {"ri": 0.058, "akm": 0.454, "ehw": 0.468},
                    "mc_se": {"ri": 0.0105, "akm": 0.0223, "ehw": 0.0223},
                    "shifts": "i.i.d. N(0,1) per share column", "rule": "analytic: p < alpha; ri: p <= alpha"},
        "diagnostics": {
            "rotemberg": {"top": [
                {"sector": "C", "alpha": 1.0439, "beta": -0.9588, "share_of_estimate": 1.2276},
                {"sector": "G-I", "alpha": -0.0381, "beta": -2.9051, "share_of_estimate": -0.1358},
                {"sector": "F", "alpha": 0.0004, "beta": 14.0858, "share_of_estimate": -0.0074}],
                "sum_negative_alpha": -0.0443},
            "shock_level": {"effective_n_shocks": 3.372, "n_shocks": 5, "max_shock_weight": 0.3999},
        },
    },
}

SS_AKM_INVALID = {
    "model_id": "ss_akm", "kind": "shiftshare", "estimator": "ols", "outcome": "d_emp", "nobs": 330, "n": 330,
    "inference": {"type": "akm", "method": "akm", "label": "AKM", "correction": "akm",
                  "correction_label": "none (AKM 2019, eq. 36; sector clusters)", "clusters": ["sector"],
                  "n_clusters": 5, "ci_type": "interval", "distribution": "normal", "alpha": 0.05,
                  "valid": False, "invalid_reason": "5 sector clusters: AKM unreliable"},
    "coefficients": [{"term": "exposure", "estimate": -0.0433, "std_error": 0.0096, "t": -4.51, "p": 0.00001,
                      "ci_low": -0.0621, "ci_high": -0.0245}],
    "controls": ["(intercept)", "macro_period[ITC_2007-2012]"], "n_sectors": 5, "n_region_clusters": 110,
    "alpha": 0.05, "extra": {"diagnostics_summary": {"effective_shocks": 3.372}},
}

RECORDS = [PANEL_FE, PANEL_IV, SS_RI, SS_AKM_INVALID]
PROVENANCE = ["Source: Eurostat, nama_10r_3empers", "data vintage: embedded:test@sha256:000000000000",
              "partial coverage (flag partial): M-N <- N (M not published)"]
LABELS = {"exposure": "Exposure", "growth": "Employment growth", "d_emp": "Δ employment", "region": "province",
          "macro_area": "Macro area", "macro_period": "Macro area × period", "x2": "Control | x2",
          "employment_start": "Employment, start"}
UNITS = {"growth": "% per year", "d_emp": "100 × log points"}
COLUMN_LABELS = {"twfe": "TWFE", "iv": "2SLS", "ss_ri": "RI", "ss_akm": "AKM"}
COLUMN_GROUPS = {"Panel": ["twfe", "iv"], "Shift-share": ["ss_ri", "ss_akm"]}


FRAME = pd.DataFrame({
    "region": ["ITC11", "ITC12", "ITC13", "ITC14", "ITC11", "ITC12", "ITC13", "ITC14"],
    "period": ["2000-2007"] * 4 + ["2007-2017"] * 4,
    "start": [2000] * 4 + [2007] * 4,
    "end": [2007] * 4 + [2017] * 4,
    "d_emp": [1.5, -2.25, 3.0, None, 0.5, 0.25, -1.0, 4.0],
    "employment_start": [936500.0, 67700.0, 72500.0, 60400.0, 980000.0, 70100.0, 71000.0, 61000.0],
    "share": [0.06, 0.359, 0.966, 0.003, 0.06, 0.359, 0.966, 0.003],
})
