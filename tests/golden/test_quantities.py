"""The quantities pinned per model, read from hand-built records with known numbers."""

from __future__ import annotations

from i4districts.golden.quantities import DESIGN_TERM, MODEL_TERM, family, record_quantities

from .conftest import shiftshare_record


def test_coefficients_and_alternative_inference_methods():
    q = record_quantities(shiftshare_record(estimate=-0.5, std_error=0.25))
    assert q["exposure"] == {
        "estimate": -0.5, "std_error": 0.25, "t": -2.0, "p": 0.125,
        "std_error[akm]": 0.3, "p[akm]": 0.095, "ci_low[akm]": -1.088, "ci_high[akm]": 0.088,
        "p[akm0]": 0.2,  # AKM0's interval may be unbounded: no std_error, no ci -> left out, not null
        "std_error[ri]": 0.25, "p[ri]": 0.125,
    }


def test_sample_inference_and_design_diagnostics():
    q = record_quantities(shiftshare_record())
    assert q[MODEL_TERM] == {"nobs": 100, "rank": 4, "n_clusters": 100, "n_region_clusters": 100,
                             "n_sector_clusters": 4, "n_sectors": 4, "estimator": "ols", "inference": "ri",
                             "correction": "ri"}
    d = q[DESIGN_TERM]
    assert (d["effective_n_shocks"], d["hhi"], d["max_shock_weight"], d["n_shocks"], d["shock_std_error"]) == (
        2.5, 0.4, 0.5, 4, 0.2)
    assert (d["rotemberg_alpha[C]"], d["rotemberg_beta[F]"], d["rotemberg_share[C]"]) == (1.1, 0.6, 0.88)
    assert d["rotemberg_top_sector"] == "C" and d["rotemberg_sum_negative_alpha"] == -0.1
    assert (d["placebo_rejection[ri]"], d["placebo_rejection[akm]"], d["placebo_draws"], d["placebo_seed"]) == (
        0.05, 0.07, 200, 0)
    assert d["ri_exact"] is True and d["ri_permutations"] == 24
    assert "first_stage_f" not in d  # null in the record


def test_panel_record_with_two_way_clusters():
    rec = {"model_id": "fe", "kind": "panel", "estimator": "within", "nobs": 500, "n_entities": 50, "n_periods": 10,
           "df_resid": 440, "r2": 0.3, "r2_within": 0.1, "first_stage_f": None,
           "inference": {"type": "clustered", "clusters": ["region", "year"], "n_clusters": [50, 10],
                         "correction": "CR1"},
           "coefficients": [{"term": "x", "estimate": 1.0, "std_error": 0.5, "t": 2.0, "p": 0.05,
                             "ci_low": 0.0, "ci_high": 2.0}]}
    q = record_quantities(rec)
    assert q["x"] == {"estimate": 1.0, "std_error": 0.5, "t": 2.0, "p": 0.05, "ci_low": 0.0, "ci_high": 2.0}
    assert q[MODEL_TERM]["n_clusters[region]"] == 50 and q[MODEL_TERM]["n_clusters[year]"] == 10
    assert q[MODEL_TERM]["inference"] == "clustered" and q[MODEL_TERM]["n_entities"] == 50
    assert DESIGN_TERM not in q  # no shift-share diagnostics


def test_family_is_the_name_before_the_qualifier():
    assert family("std_error[akm]") == "std_error" and family("nobs") == "nobs"
    assert family("rotemberg_alpha[G-I]") == "rotemberg_alpha"
