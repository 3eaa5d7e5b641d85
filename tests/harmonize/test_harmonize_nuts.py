"""NUTS version detection and conversion (real Eurostat tables + synthetic properties)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from i4districts.harmonize import HarmonizeError
from i4districts.harmonize.correspondence import Correspondence, resolve_links
from i4districts.harmonize.nuts import (
    REPORT_COLUMNS,
    NutsVersionError,
    check_nuts_version,
    check_table_nuts_version,
    convert_nuts,
    detect_nuts_version,
    flag_nuts_version,
    version_code_sets,
    weights_from_overlap,
    weights_from_parts,
)

SARDINIA_2016 = ["ITG25", "ITG26", "ITG27", "ITG28", "ITG29", "ITG2A", "ITG2B", "ITG2C"]


@pytest.fixture(scope="module")
def sardinia_total_2016(sample) -> pd.DataFrame:
    s = sample[sample["geo"].isin(SARDINIA_2016) & (sample["nace"] == "TOTAL") & (sample["year"] == 2016)]
    return pd.DataFrame({"region": s["geo"].astype(str).to_numpy(), "value": s["employment"].astype(float).to_numpy()})


def test_sardinia_hand_checked_cell(sardinia_total_2016, corr_16_21):
    # Published 2016 total employment (persons): ITG25 Sassari 113 500, ITG29 Olbia-Tempio 63 500.
    # Eurostat: ITG2D (NUTS 2021) = ex-ITG25 + ex-ITG29  ->  113 500 + 63 500 = 177 000.
    v = sardinia_total_2016.set_index("region")["value"]
    assert (v["ITG25"], v["ITG29"]) == (113500.0, 63500.0)
    out, report = convert_nuts(sardinia_total_2016, corr_16_21.at_level(3), missing_weights="flag")
    cell = out.set_index("region").loc["ITG2D"]
    assert cell["value"] == 177000.0 and cell["flag"] == ""
    # the targets of the unweighted splits are NaN and flagged, never dropped
    flagged = out.set_index("region").loc[["ITG2E", "ITG2F", "ITG2G", "ITG2H"]]
    assert flagged["value"].isna().all() and (flagged["flag"] == "needs_weights").all()
    moved = report[(report["code_to"] == "ITG2D")].set_index("code_from")
    assert list(report.columns[:5]) == REPORT_COLUMNS
    assert moved.loc["ITG25", "value_moved"] == 113500.0 and moved.loc["ITG29", "rule"] == "merge"


def test_sardinia_with_weights_hand_computed(sardinia_total_2016, corr_16_21):
    # Illustrative weights (not official): ITG28 -> F 0.1, G 0.6, H 0.3; ITG2A -> E 0.4, F 0.6.
    w = pd.DataFrame({"code_from": ["ITG28"] * 3 + ["ITG2A"] * 2,
                      "code_to": ["ITG2F", "ITG2G", "ITG2H", "ITG2E", "ITG2F"],
                      "weight": [0.1, 0.6, 0.3, 0.4, 0.6]})
    out, report = convert_nuts(sardinia_total_2016, corr_16_21, weights=w)
    v = out.set_index("region")["value"]
    # ITG2E = 55 100 + 0.4*19 500 = 62 900
    # ITG2F = 230 300 + 29 600 + 35 600 + 0.1*53 100 + 0.6*19 500 = 312 510
    # ITG2G = 0.6*53 100 = 31 860 ; ITG2H = 0.3*53 100 = 15 930 ; total 600 200 preserved
    assert v["ITG2D"] == 177000.0
    assert v["ITG2E"] == pytest.approx(62900.0)
    assert v["ITG2F"] == pytest.approx(312510.0)
    assert v["ITG2G"] == pytest.approx(31860.0)
    assert v["ITG2H"] == pytest.approx(15930.0)
    assert v.sum() == pytest.approx(sardinia_total_2016["value"].sum()) == pytest.approx(600200.0)
    assert out.set_index("region").loc["ITG2G", "flag"] == "split_weights"
    split = report[report["rule"] == "split"]
    assert split["value_moved"].sum() == pytest.approx(53100 + 19500)


def test_split_without_weights_is_refused(sardinia_total_2016, corr_16_21):
    with pytest.raises(HarmonizeError, match=r"splits need weights.*ITG28 -> \['ITG2F', 'ITG2G', 'ITG2H'\]"):
        convert_nuts(sardinia_total_2016, corr_16_21)


def test_partial_weights_must_sum_to_one(sardinia_total_2016, corr_16_21):
    w = pd.DataFrame({"code_from": ["ITG28", "ITG28"], "code_to": ["ITG2G", "ITG2H"], "weight": [0.5, 0.4]})
    with pytest.raises(HarmonizeError, match="sum to 1"):
        convert_nuts(sardinia_total_2016, corr_16_21, weights=w)
    w = pd.DataFrame({"code_from": ["ITC11"], "code_to": ["ITG2H"], "weight": [1.0]})
    with pytest.raises(HarmonizeError, match="not links"):
        convert_nuts(sardinia_total_2016, corr_16_21, weights=w)


def test_version_detection_real_codes(sample, corr_13_16, corr_16_21):
    versions = version_code_sets(corr_13_16, corr_16_21)
    assert list(versions) == ["2013", "2016", "2021"]
    codes = sample["geo"].astype(str).unique()
    det = detect_nuts_version(codes, versions)
    # Italian NUTS are identical in 2013 and 2016; Sardinia's old codes exclude 2021
    assert det.candidates == ("2013", "2016") and det.version == "2016"
    with pytest.raises(NutsVersionError, match=r"only in NUTS 2021: \['ITG2D'\]"):
        detect_nuts_version([*codes, "ITG2D"], versions)
    mixed = detect_nuts_version([*codes, "ITG2D"], versions, on_mixed="majority")
    assert mixed.version == "2016" and mixed.foreign == {"ITG2D": ("2021",)}
    with pytest.raises(NutsVersionError, match="in no known version"):
        detect_nuts_version(["ITC11", "ITQ99"], versions)


def test_nuts2021_code_in_2016_panel_is_flagged_not_dropped(sample, corr_16_21):
    versions = version_code_sets(corr_16_21)
    panel = sample[(sample["nuts_level"] == 3) & (sample["year"] == 2016) & (sample["nace"] == "TOTAL")]
    panel = panel[["geo", "year", "employment"]].astype({"geo": str}).rename(columns={"geo": "region"})
    panel = panel.reset_index(drop=True)
    intruder = pd.DataFrame({"region": ["ITG2D"], "year": [2016], "employment": [177000]})
    mixed = pd.concat([panel, intruder], ignore_index=True)
    flagged = flag_nuts_version(mixed, "2016", versions)
    assert len(flagged) == len(mixed)  # nothing dropped
    assert flagged.loc[flagged["region"] == "ITG2D", "flag"].tolist() == ["nuts2021_code"]
    assert (flagged.loc[flagged["region"] != "ITG2D", "flag"] == "").all()
    # conversion refuses the foreign code by default, keeps it flagged on request
    with pytest.raises(NutsVersionError, match="ITG2D"):
        convert_nuts(mixed.rename(columns={"employment": "value"}), corr_16_21, by=["year"],
                     missing_weights="flag")
    italy = mixed[~mixed["region"].str.startswith("ITG2")].rename(columns={"employment": "value"})
    kept = pd.concat([italy, intruder.rename(columns={"employment": "value"})], ignore_index=True)
    out, _ = convert_nuts(kept, corr_16_21, by=["year"], foreign_codes="keep")
    assert out.loc[out["region"] == "ITG2D", "flag"].tolist() == ["nuts2021_code"]
    # a foreign code that collides with a converted target is refused, not added up
    with pytest.raises(NutsVersionError, match="also produced"):
        convert_nuts(mixed.rename(columns={"employment": "value"}), corr_16_21, by=["year"],
                     foreign_codes="keep", missing_weights="flag")


def _toy_corr(rows, codes_from, codes_to) -> Correspondence:
    raw = pd.DataFrame(rows, columns=["code_from", "code_to", "link"])
    links = resolve_links(raw, codes_from, codes_to)
    return Correspondence("A", "B", links, frozenset(codes_from), frozenset(codes_to))


def test_discontinued_and_new_are_reported_not_silent():
    corr = _toy_corr([("XX1", "XX1", "whole")], {"XX1", "XX2"}, {"XX1", "XX3"})
    df = pd.DataFrame({"region": ["XX1", "XX2"], "value": [5.0, 7.0]})
    out, rep = convert_nuts(df, corr)
    assert out.set_index("region")["flag"].to_dict() == {"XX1": "", "XX3": "new_no_source"}
    disc = rep[rep["rule"] == "discontinued"].iloc[0]
    assert disc["code_from"] == "XX2" and disc["code_to"] is None and disc["value_moved"] == 7.0
    assert rep[rep["rule"] == "new"]["code_to"].tolist() == ["XX3"]


def test_nan_source_gives_nan_target_and_bad_columns_refused():
    corr = _toy_corr([("XX1", "XX9", "whole"), ("XX2", "XX9", "whole")], {"XX1", "XX2"}, {"XX9"})
    out, _ = convert_nuts(pd.DataFrame({"region": ["XX1", "XX2"], "value": [1.0, np.nan]}), corr)
    assert np.isnan(out["value"].iloc[0])
    with pytest.raises(HarmonizeError, match=r"\['unit'\]"):
        convert_nuts(pd.DataFrame({"region": ["XX1"], "value": [1.0], "unit": ["persons"]}), corr)


def test_weights_from_parts_and_overlap():
    # municipal populations: m1 (old A, new X) 30, m2 (A, Y) 10, m3 (A, Y) 60 -> w(A->X)=0.3, w(A->Y)=0.7
    parts = pd.DataFrame({"code_from": ["XXA"] * 3, "code_to": ["XXX", "XXY", "XXY"], "value": [30, 10, 60]})
    w = weights_from_parts(parts).set_index("code_to")["weight"]
    assert w.to_dict() == pytest.approx({"XXX": 0.3, "XXY": 0.7})
    corr = _toy_corr([("XXA", "XXX", "partial"), ("XXA", "XXY", "partial")], {"XXA"}, {"XXX", "XXY"})
    w2 = weights_from_overlap(corr, pd.DataFrame({"region": ["XXX", "XXY"], "value": [25.0, 75.0]}))
    assert w2.set_index("code_to")["weight"].to_dict() == pytest.approx({"XXX": 0.25, "XXY": 0.75})
    out, _ = convert_nuts(pd.DataFrame({"region": ["XXA"], "value": [200.0]}), corr, weights=w2)
    assert out.set_index("region")["value"].to_dict() == pytest.approx({"XXX": 50.0, "XXY": 150.0})


def test_weights_from_overlap_refuses_unidentified(corr_16_21):
    # Sardinia: ITG2F has several sources, so a 2021 value cannot tell how ITG28 was split
    with pytest.raises(HarmonizeError, match="not identified"):
        weights_from_overlap(corr_16_21, pd.DataFrame({"region": ["ITG2F", "ITG2G", "ITG2H", "ITG2E"],
                                                       "value": [1.0, 1.0, 1.0, 1.0]}))


# ------------------------------------------------------------------ properties

codes_st = st.integers(min_value=2, max_value=12)


@settings(max_examples=60, deadline=None)
@given(n=codes_st, seed=st.integers(0, 10_000), years=st.integers(1, 3))
def test_recode_then_inverse_is_identity(n, seed, years):
    rng = np.random.default_rng(seed)
    old = [f"XX{i:03d}" for i in range(n)]
    new = [f"YY{i:03d}" for i in rng.permutation(n)]
    corr = _toy_corr([(a, b, "whole") for a, b in zip(old, new)], set(old), set(new))
    assert set(corr.links["rule"]) == {"recode"}
    df = pd.DataFrame([(c, y, float(rng.integers(0, 10**6))) for c in old for y in range(2000, 2000 + years)],
                      columns=["region", "year", "value"])
    fwd, rep = convert_nuts(df, corr, by=["year"])
    back, _ = convert_nuts(fwd.drop(columns="flag"), corr.inverse(), by=["year"])
    pd.testing.assert_frame_equal(back.drop(columns="flag").sort_values(["region", "year"]).reset_index(drop=True),
                                  df.sort_values(["region", "year"]).reset_index(drop=True))
    assert len(rep) == len(df) and (rep["rule"] == "recode").all()


@settings(max_examples=60, deadline=None)
@given(n=codes_st, seed=st.integers(0, 10_000))
def test_conversion_preserves_totals(n, seed):
    # random many-to-many correspondence: each old region goes to 1-3 new regions with random weights
    rng = np.random.default_rng(seed)
    old = [f"XX{i:03d}" for i in range(n)]
    new = [f"YY{i:03d}" for i in range(max(1, n // 2 + 1))]
    rows, weights = [], []
    for a in old:
        k = int(rng.integers(1, min(3, len(new)) + 1))
        targets = rng.choice(new, size=k, replace=False)
        w = rng.dirichlet(np.ones(k))
        rows += [(a, t, "partial" if k > 1 else "whole") for t in targets]
        weights += [(a, t, x) for t, x in zip(targets, w)]
    used = {r[1] for r in rows}
    corr = _toy_corr(rows, set(old), used)
    df = pd.DataFrame({"region": old, "value": rng.integers(0, 10**6, size=n).astype(float)})
    out, rep = convert_nuts(df, corr, weights=pd.DataFrame(weights, columns=["code_from", "code_to", "weight"]))
    assert out["value"].sum() == pytest.approx(df["value"].sum(), rel=1e-12)
    assert not out["value"].isna().any()
    # independent reference: dense matrix product  value_new = Wᵀ value_old
    targets = sorted(used)
    W = np.zeros((n, len(targets)))
    for a, t, x in weights:
        W[old.index(a), targets.index(t)] = x
    expected = W.T @ df["value"].to_numpy()
    np.testing.assert_allclose(out.set_index("region").loc[targets, "value"].to_numpy(), expected, rtol=1e-12)


def test_input_schema_failures_are_collected():
    from i4districts.validation import TableValidationError

    corr = _toy_corr([("XX1", "XX9", "whole")], {"XX1"}, {"XX9"})
    df = pd.DataFrame({"region": ["XX1", "XX1", None], "value": ["1", "2", "3"]})
    with pytest.raises(TableValidationError) as ei:
        convert_nuts(df, corr, table="emp.parquet")
    assert {f.check for f in ei.value.failures} == {"duplicate_key", "null_key", "dtype"}
    assert "emp.parquet" in str(ei.value)


def test_target_with_absent_source_is_nan_and_flagged(corr_16_21):
    # ITG2D = ITG25 + ITG29; with ITG29 absent in 2017 the 2021 value would be understated
    df = pd.DataFrame({"region": ["ITG25", "ITG29", "ITG25"], "year": [2016, 2016, 2017],
                       "value": [113500.0, 63500.0, 114000.0]})
    out, rep = convert_nuts(df, corr_16_21.at_level(3), by=["year"])
    got = out.set_index(["region", "year"])
    assert got.loc[("ITG2D", 2016), "value"] == 177000.0
    assert np.isnan(got.loc[("ITG2D", 2017), "value"]) and got.loc[("ITG2D", 2017), "flag"] == "missing_source"
    assert rep[(rep["year"] == 2017)]["value_moved"].tolist() == [114000.0]  # reported, not lost


def test_check_nuts_version_names_foreign_codes(corr_13_16, corr_16_21, shared_data, monkeypatch):
    from i4districts.errors import InputError

    versions = version_code_sets(corr_13_16, corr_16_21)
    assert check_nuts_version(["ITC11", "ITG25"], versions, "2016") == "2016"
    assert check_nuts_version(["ITC11", "ITG2D"], versions) == "2021"
    with pytest.raises(InputError, match=r"not NUTS 2016: \['ITG2D \(nuts2021_code\)'\]"):
        check_nuts_version(["ITC11", "ITG2D"], versions, "2016")
    with pytest.raises(NutsVersionError, match="only in NUTS 2021"):
        check_nuts_version(["ITG25", "ITG2D"], versions)
    with pytest.raises(HarmonizeError, match="unknown NUTS version"):
        check_nuts_version(["ITC11"], versions, "1999")
    # the table-level check finds the sheets in $I4D_SHARED_DATA/nuts and skips non-NUTS codes
    monkeypatch.setenv("I4D_SHARED_DATA", str(shared_data))
    assert check_table_nuts_version(["ITC11", "ITG2D"]) == "2021"
    assert check_table_nuts_version(["0101", "0102"]) is None
    with pytest.raises(NutsVersionError, match="not NUTS codes"):
        check_table_nuts_version(["0101"], version="2016")
