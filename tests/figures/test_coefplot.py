"""Coefficient and period plots from estimation records: points and intervals equal the records'."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from i4districts.errors import InputError
from i4districts.figures.coefplot import coefficient_rows, coefplot, load_records, period_plot, period_rows

Z975 = 1.959963984540054  # standard normal 0.975 quantile (tables)


def shiftshare_record(model_id="ld", est=-0.8, se=0.46, *, term="exposure"):
    """The JSON layout of a shift-share record (ShiftShareResult.to_dict): RI primary, no interval."""
    return {
        "model_id": model_id, "kind": "shiftshare", "estimator": "ols", "outcome": "d_ln_employment", "nobs": 110,
        "alpha": 0.05, "regressor": term,
        "inference": {"type": "ri", "method": "ri", "label": "RI (permuted shifts)", "ci_type": "none",
                      "clusters": ["region"], "n_clusters": 110, "distribution": "randomization", "df": None,
                      "alpha": 0.05, "studentization": "cluster", "permutations": 120, "exact": True},
        "coefficients": [{"term": term, "estimate": est, "std_error": se, "t": est / se, "p": 0.54,
                          "ci_low": None, "ci_high": None}],
        "methods": {
            "akm": {"estimate": est, "std_error": 0.5, "p": 0.1, "ci_low": est - 0.98, "ci_high": est + 0.98,
                    "ci_type": "interval"},
            "akm0": {"estimate": est, "std_error": None, "p": 0.3, "ci_low": None, "ci_high": None,
                     "ci_type": "real_line"},
            "weak": {"estimate": est, "std_error": None, "p": 0.3, "ci_low": 0.4, "ci_high": -1.5,
                     "ci_type": "complement"},
            "ri": {"estimate": est, "std_error": se, "p": 0.54, "ci_low": None, "ci_high": None, "ci_type": "none"},
        },
    }


def panel_record(model_id="fe", df=29):
    return {
        "model_id": model_id, "kind": "panel", "estimator": "within", "outcome": "ln_employment", "nobs": 240,
        "inference": {"type": "clustered", "label": "cluster-robust", "clusters": ["region"], "n_clusters": [30],
                      "distribution": "t", "df": df, "alpha": 0.05},
        "spec": {"estimator": "within"},
        "coefficients": [
            {"term": "const", "estimate": 1.0, "std_error": 0.1, "t": 10, "p": 0.0, "ci_low": 0.8, "ci_high": 1.2},
            {"term": "exposure", "estimate": 0.25, "std_error": 0.1, "t": 2.5, "p": 0.02, "ci_low": 0.05,
             "ci_high": 0.45},
            {"term": "exposure:district", "estimate": -0.1, "std_error": 0.05, "t": -2, "p": 0.05,
             "ci_low": None, "ci_high": None},
        ],
    }


@pytest.fixture(scope="module")
def event_record():
    """A real panel record with event-study terms (i4d.feols on a small synthetic panel; a test fixture only)."""
    import i4districts as i4d

    rng = np.random.default_rng(0)
    n, T = 30, 8
    df = pd.DataFrame({"region": np.repeat([f"R{i:02d}" for i in range(n)], T),
                       "year": np.tile(np.arange(2000, 2000 + T), n)})
    df["event_time"] = np.where(np.repeat(np.arange(n) % 2 == 0, T), 2004.0, np.nan)
    df["y"] = rng.normal(size=len(df)) + 0.5 * (df["year"] >= df["event_time"])
    fit = i4d.feols("y ~ 1 | region + year", df, vcov={"CRV1": "region"}, model_id="event",
                    event_study={"event_time": "event_time", "window": [-3, 3]})
    return json.loads(json.dumps(fit.to_dict()))


def test_rows_use_record_intervals_or_z_se():
    rows = coefficient_rows([shiftshare_record(), panel_record()], labels={"exposure": "Exposure"},
                            model_labels={"ld": "Long difference"})
    assert rows["term"].tolist() == ["exposure", "exposure", "exposure:district"]  # constant dropped
    ss, pe, inter = (rows.iloc[i] for i in range(3))
    assert ss["model_label"] == "Long difference" and ss["term_label"] == "Exposure"
    assert ss["ci_low"] == pytest.approx(-0.8 - Z975 * 0.46) and ss["ci_high"] == pytest.approx(-0.8 + Z975 * 0.46)
    assert "\u00b11.96" in ss["interval"] and "region-cluster SE" in ss["interval"] and "RI" in ss["inference"]
    assert (pe["ci_low"], pe["ci_high"]) == (0.05, 0.45) and pe["interval"] == "95% CI of the record"
    # no interval in the record: t(29) quantile, as the record's inference says
    from scipy import stats

    q = stats.t.ppf(0.975, 29)
    assert inter["ci_low"] == pytest.approx(-0.1 - q * 0.05) and "t(29)" in inter["interval"]
    assert "t(29)" in pe["inference"] and "region (30 clusters)" in pe["inference"]


def test_methods_of_a_shiftshare_record():
    rec = shiftshare_record()
    akm = coefficient_rows([rec], method="akm").iloc[0]
    assert (akm["ci_low"], akm["ci_high"]) == (-0.8 - 0.98, -0.8 + 0.98) and akm["inference"] == "AKM"
    real = coefficient_rows([rec], method="akm0").iloc[0]
    assert real["ci_type"] == "real_line" and math.isinf(real["ci_low"]) and math.isinf(real["ci_high"])
    comp = coefficient_rows([rec], method="weak").iloc[0]
    assert comp["ci_type"] == "complement" and "two rays" in comp["interval"]
    with pytest.raises(InputError, match="method 'nope' not in the record"):
        coefficient_rows([rec], method="nope")
    # a panel record ignores the shift-share method
    assert coefficient_rows([panel_record()], method="akm")["inference"].iloc[0].startswith("cluster-robust")


def _lines(fig, gid):
    return [ln for ax in fig.axes for ln in ax.lines if ln.get_gid() == gid]


def test_plot_points_and_bars_equal_the_records():
    recs = [shiftshare_record("ld", -0.8, 0.46), shiftshare_record("stacked", -0.04, 0.027), panel_record()]
    fig = coefplot(recs, title="Across specifications", model_labels={"ld": "LD", "stacked": "Stacked"})
    rows = fig.i4d_rows
    points = sorted(float(ln.get_xdata()[0]) for ln in _lines(fig, "estimate"))
    assert points == pytest.approx(sorted(rows["estimate"]))
    bars = sorted(tuple(map(float, ln.get_xdata())) for ln in _lines(fig, "ci"))
    expected = sorted((lo, hi) for lo, hi in zip(rows["ci_low"], rows["ci_high"]))
    assert np.allclose(bars, expected)
    panels = [ax.get_gid() for ax in fig.axes]
    assert panels == ["coef-exposure", "coef-exposure:district"]  # one panel per term, own scale
    caption = next(t.get_text() for t in fig.texts if t.get_gid() == "caption")
    assert "LD [ld]" in caption and "RI (permuted shifts)" in caption and "\u00b11.96" in caption
    assert "cluster-robust" in caption and "95% CI of the record" in caption


def test_unbounded_sets_drawn_as_rays():
    rec = shiftshare_record()
    fig = coefplot([rec], method="akm0")
    assert len(_lines(fig, "ci-unbounded")) == 2
    fig = coefplot([rec], method="weak")
    segs = _lines(fig, "ci")
    assert len(segs) == 2 and len(_lines(fig, "ci-unbounded")) == 2


def test_period_rows_and_plot(event_record):
    rows = period_rows(event_record)
    assert rows["level"].tolist() == ["-3", "-2", "-1", "0", "1", "2", "3"]
    ref = rows[rows["reference"]]
    assert ref["level"].tolist() == ["-1"] and ref["estimate"].tolist() == [0.0]
    coefs = {c["term"]: c for c in event_record["coefficients"]}
    est = rows[~rows["reference"]].set_index("term")
    for term, c in coefs.items():
        assert est.loc[term, "estimate"] == pytest.approx(c["estimate"])
        assert est.loc[term, "ci_low"] == pytest.approx(c["ci_low"])
    fig = period_plot([event_record, shiftshare_record()], title="Event study")
    assert [ax.get_gid() for ax in fig.axes] == ["period-event-event"]
    assert len(_lines(fig, "estimate")) == 6 and len(_lines(fig, "reference")) == 1
    assert period_plot([shiftshare_record()]) is None  # no period terms: skipped


def test_period_terms_by_name_for_categorical_interactions():
    rec = panel_record()
    rec["coefficients"] = [
        {"term": "exposure:period[2000-2007]", "estimate": 0.2, "std_error": 0.1, "p": 0.05, "ci_low": 0.0,
         "ci_high": 0.4},
        {"term": "exposure:period[2012-2017]", "estimate": -0.1, "std_error": 0.1, "p": 0.3, "ci_low": -0.3,
         "ci_high": 0.1},
        {"term": "exposure:period[2007-2012]", "estimate": 0.05, "std_error": 0.1, "p": 0.6, "ci_low": -0.15,
         "ci_high": 0.25},
    ]
    rows = period_rows(rec)
    assert rows["level"].tolist() == ["2000-2007", "2007-2012", "2012-2017"]  # ordered by their start
    assert rows["position"].tolist() == [0.0, 1.0, 2.0] and not rows["reference"].any()
    fig = coefplot([rec])
    assert [ax.get_gid() for ax in fig.axes] == ["coef-exposure:period"]  # one panel for the group


def test_load_records_errors(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    with pytest.raises(InputError, match="missing key"):
        load_records([bad])
    with pytest.raises(InputError, match="not found"):
        load_records([tmp_path / "none.json"])
    (tmp_path / "x.json").write_text("not json")
    with pytest.raises(InputError, match="not a JSON"):
        load_records([tmp_path / "x.json"])
    with pytest.raises(InputError, match="no coefficient"):
        coefficient_rows([panel_record()], terms=["nothing"])
