"""The exposure object: shares and shifts kept with the exposure, so AKM applies to it directly.

Done-when of issue 9, item 2: on the ADH data, AKM standard errors computed
from a :class:`ShiftShareExposure` equal the stand-alone shift-share path
(``fit_shiftshare`` / ``reg_ss`` with the ADH share matrix) to 1e-12; and in a
hand-made case ``exposure = W @ shifts`` exactly with the object's own W.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from i4districts import errors
from i4districts.shiftshare import (
    ExposureInputError,
    ShiftShareExposure,
    ShiftShareInputError,
    ShiftShareSpec,
    SpecError,
    adoption_changes,
    baseline_shares,
    build_exposure,
    exposure_table,
    fit_shiftshare,
    leave_one_out_shift,
    normalise_exposure,
    reg_ss,
    shift_share_exposure,
)
from i4districts.shiftshare.design import control_matrix

ADH_SPECS = {
    "first_stage": dict(outcome="shock", regressor="IV"),
    "reduced_form": dict(outcome="d_sh_empl", regressor="IV"),
    "iv": dict(outcome="d_sh_empl", endogenous="shock", instrument="IV"),
}


@pytest.fixture(scope="module")
def adh_exposure(adh_shares) -> ShiftShareExposure:
    """ADH as an exposure object: 'regions' are the 1444 commuting-zone x period rows."""
    shares = adh_shares.rename(columns={"row": "region"})
    sectors = np.sort(shares["sector"].unique())
    rng = np.random.default_rng(1)
    shifts = pd.DataFrame({"sector": sectors, "year": 0, "shift": rng.normal(size=sectors.size)})
    return ShiftShareExposure(shares=shares, shifts=shifts, table=shift_share_exposure(shares, shifts))


def _assert_same(a, b, tol=1e-12):
    assert a.n == b.n and a.n_sectors == b.n_sectors and a.dropped_sectors == b.dropped_sectors
    assert a.n_sector_clusters == b.n_sector_clusters
    for ma, mb in zip(a.methods, b.methods, strict=True):
        assert ma.method == mb.method and ma.ci_type == mb.ci_type
        for f in ("estimate", "std_error", "p", "ci_low", "ci_high"):
            np.testing.assert_allclose(getattr(ma, f), getattr(mb, f), rtol=tol, atol=0, err_msg=f"{ma.method}.{f}")


@pytest.mark.parametrize("name", list(ADH_SPECS))
def test_adh_akm_from_the_exposure_object_equals_the_standalone_path(name, adh_exposure, adh_regions,
                                                                     adh_shares, adh_spec_kwargs):
    spec = ShiftShareSpec(**ADH_SPECS[name], **adh_spec_kwargs)
    standalone = fit_shiftshare(adh_regions, adh_shares, spec)
    regions = adh_regions.assign(region=adh_regions["row"])
    # two ADH commuting-zone periods have no share cells: zero rows of W, as in ShiftShareSE
    via_object = adh_exposure.fit(regions, spec, missing="zero")
    assert via_object.n_sectors == 770
    _assert_same(via_object, standalone)
    assert via_object.method("akm").std_error == pytest.approx(standalone.method("akm").std_error, rel=1e-12)
    assert via_object.method("akm0").ci_low == pytest.approx(standalone.method("akm0").ci_low, rel=1e-12)


def test_adh_design_is_the_adh_share_matrix(adh_exposure, adh_regions, adh_W, adh_design, adh_spec_kwargs):
    regions = adh_regions.assign(region=adh_regions["row"])
    design = adh_exposure.design(regions, period="t2", weights="weights", sector_cluster="floor(sector/10)",
                                 missing="zero")
    W, labels, _ = adh_W
    np.testing.assert_array_equal(design.W, W)
    assert design.sectors == tuple(labels)
    Z, _ = control_matrix(regions, adh_spec_kwargs["controls"])
    w = regions["weights"].to_numpy()
    kw = dict(weights=w, region_cluster=regions["statefip"].to_numpy(), methods="all")
    y, x = regions["d_sh_empl"].to_numpy(), regions["IV"].to_numpy()
    _assert_same(reg_ss(y, x, design, Z, **kw), reg_ss(y, x, adh_design, Z, **kw))


# ------------------------------------------------------------------ hand-made
def _panel() -> pd.DataFrame:
    # base year 2000: R1 (C 20, F 60, J 20) -> .2 .6 .2 ; R2 (C 50, F 50) -> .5 .5 0 ; R3 (J 10) -> 0 0 1
    rows = [("R1", "C", 20.0), ("R1", "F", 60.0), ("R1", "J", 20.0), ("R2", "C", 50.0), ("R2", "F", 50.0),
            ("R3", "J", 10.0), ("R1", "C", 999.0)]
    df = pd.DataFrame(rows, columns=["region", "sector", "value"])
    df["year"] = [2000] * 6 + [2001]
    return df


def _shifts() -> pd.DataFrame:
    return pd.DataFrame({"sector": ["C", "F", "J"] * 2, "year": [2001] * 3 + [2002] * 3,
                         "shift": [1.0, 2.0, 4.0, -1.0, 0.5, 3.0]})


def test_hand_made_exposure_is_W_times_shifts():
    obj = build_exposure(_panel(), _shifts(), base_year=2000)
    got = obj.table.set_index(["region", "year"])["exposure"]
    # R1 2001: .2*1 + .6*2 + .2*4 = 2.2 ; R2 2002: .5*-1 + .5*.5 = -.25 ; R3: the J shift
    assert got["R1", 2001] == pytest.approx(2.2, rel=1e-15)
    assert got["R2", 2002] == pytest.approx(-0.25, rel=1e-15)
    assert got["R3", 2001] == 4.0 and got["R3", 2002] == 3.0
    regions = pd.DataFrame({"region": ["R1", "R2", "R3"] * 2, "year": [2001] * 3 + [2002] * 3})
    regions = obj.join(regions)
    W, labels, col_sector = obj.share_matrix(regions["region"].tolist(), period=regions["year"].to_numpy())
    assert labels == [(2001, "C"), (2001, "F"), (2001, "J"), (2002, "C"), (2002, "F"), (2002, "J")]
    assert list(col_sector) == ["C", "F", "J"] * 2
    np.testing.assert_allclose(W @ obj.shift_vector(labels), regions["exposure"], rtol=0, atol=1e-15)
    np.testing.assert_array_equal(W[0], [.2, .6, .2, 0, 0, 0])
    np.testing.assert_array_equal(W[4], [0, 0, 0, .5, .5, 0])
    design = obj.design(regions)  # period 'year' by default
    np.testing.assert_array_equal(design.W, W)
    # pooled periods: one column per sector, W @ g_t for each year
    Wp, lp, _ = obj.share_matrix(regions["region"].tolist())
    assert lp == ["C", "F", "J"]
    np.testing.assert_allclose(Wp[:3] @ np.array([1.0, 2.0, 4.0]), regions["exposure"][:3], atol=1e-15)


def test_hand_made_fit_equals_fit_shiftshare():
    obj = build_exposure(_panel(), _shifts(), base_year=2000)
    rng = np.random.default_rng(0)
    regions = obj.join(pd.DataFrame({"region": ["R1", "R2", "R3"] * 2, "year": [2001] * 3 + [2002] * 3}))
    regions["y"] = 0.7 * regions["exposure"] + rng.normal(size=6)
    spec = ShiftShareSpec(outcome="y", regressor="exposure", methods=("ehw", "akm", "akm0"), period="year")
    res = obj.fit(regions, spec)
    long = pd.DataFrame({"row": np.repeat(np.arange(6), 3), "sector": ["C", "F", "J"] * 6,
                         "share": np.tile([.2, .6, .2, .5, .5, 0, 0, 0, 1.0], 2)})
    long = long[long["share"] > 0]
    ref = fit_shiftshare(regions.assign(row=np.arange(6)), long, spec)
    _assert_same(res, ref, tol=1e-14)
    assert res.n == 6 and res.n_sectors == 6


def test_instrument_shares_the_shares():
    obj = build_exposure(_panel(), _shifts(), base_year=2000)
    country = pd.concat([_shifts().assign(country=c, shift=_shifts()["shift"] * k)
                         for c, k in (("IT", 1.0), ("DE", 2.0), ("FR", 4.0))])
    loo = leave_one_out_shift(country)
    inst = obj.with_shifts(loo[loo.country == "IT"].drop(columns="country"))
    assert inst.shares is obj.shares
    np.testing.assert_allclose(inst.table["exposure"], 3.0 * obj.table["exposure"], rtol=1e-15)


def test_write_read_roundtrip(tmp_path):
    obj = build_exposure(_panel(), _shifts(), base_year=2000, notes=["n1"])
    obj.write(tmp_path / "expo")
    assert sorted(p.name for p in (tmp_path / "expo").iterdir()) == [
        "exposure.json", "exposure.parquet", "shares.parquet", "shifts.parquet"]
    back = ShiftShareExposure.read(tmp_path / "expo")
    for part in ("shares", "shifts", "table"):
        pd.testing.assert_frame_equal(getattr(back, part), getattr(obj, part))
    assert back.base_year == 2000 and back.notes == ("n1",)
    obj.with_shifts(_shifts().assign(shift=1.0)).table.to_parquet(tmp_path / "expo" / "exposure.parquet")
    with pytest.raises(errors.InputError, match="checksum"):
        ShiftShareExposure.read(tmp_path / "expo")
    with pytest.raises(errors.InputError, match="not an exposure directory"):
        ShiftShareExposure.read(tmp_path)


def test_regions_without_shares_are_refused():
    obj = build_exposure(_panel(), _shifts(), base_year=2000)
    with pytest.raises(ShiftShareInputError, match=r"regions table: 'region' has regions without exposure shares: \['R9'\]"):
        obj.share_matrix(["R1", "R9"])
    with pytest.raises(ShiftShareInputError, match=r"has no exposure for"):
        obj.join(pd.DataFrame({"region": ["R1"], "year": [1999]}))


# ---------------------------------------------------------- pipeline step logic
def _adoption() -> pd.DataFrame:
    return pd.DataFrame({"sector": ["C", "F", "J"] * 3, "year": np.repeat([2000, 2001, 2002], 3),
                         "value": [10.0, 20.0, 30.0, 12.0, 21.0, 35.0, 15.0, 25.0, 36.0],
                         "unit": "percent of enterprises"})


@pytest.mark.parametrize("normalisation", ["none", "sd"])
def test_exposure_table_level_and_annual_change(normalisation):
    panel = _panel()
    table, obj = exposure_table(panel, _adoption(), base_year=2000, normalisation=normalisation)
    assert list(table.columns) == ["region", "year", "exposure", "exposure_change", "unit"]
    # the step's computation written out
    shares = baseline_shares(panel, base_year=2000)
    level = _adoption().rename(columns={"value": "shift"})[["sector", "year", "shift"]]
    change = adoption_changes(level, periods=[(2000, 2001), (2001, 2002)], value="shift")
    ref = shift_share_exposure(shares, level).merge(
        shift_share_exposure(shares, change).rename(columns={"exposure": "exposure_change"}),
        on=["region", "year"], how="left")
    ref = normalise_exposure(ref, columns=["exposure", "exposure_change"], method=normalisation, base_year=2000)
    pd.testing.assert_frame_equal(table.drop(columns="unit"), ref)
    if normalisation == "none":
        t = table.set_index(["region", "year"])
        # R1 2001: level .2*12 + .6*21 + .2*35 = 22 ; change .2*2 + .6*1 + .2*5 = 2.0
        assert t.loc[("R1", 2001), "exposure"] == pytest.approx(22.0, rel=1e-15)
        assert t.loc[("R1", 2001), "exposure_change"] == pytest.approx(2.0, rel=1e-15)
        assert set(table["unit"]) == {"percent of enterprises"}
    else:
        assert table.loc[table.year > 2000, "exposure_change"].std(ddof=1) == pytest.approx(1.0)
        assert set(table["unit"]) == {"standard deviations"}
    # the object is the annual change: its exposure is the un-normalised exposure_change
    raw, _ = exposure_table(panel, _adoption(), base_year=2000, normalisation="none")
    pd.testing.assert_frame_equal(obj.table.rename(columns={"exposure": "exposure_change"}),
                                  raw.loc[raw.year > 2000, ["region", "year", "exposure_change"]]
                                  .reset_index(drop=True))
    assert obj.base_year == 2000 and set(obj.shifts["year"]) == {2001, 2002}


def test_one_error_class():
    assert ExposureInputError is ShiftShareInputError
    assert issubclass(ShiftShareInputError, errors.FieldError)
    assert SpecError is errors.SpecError
    err = ShiftShareInputError("shares table", "sector", "has sectors absent from the shifts table", ["G"])
    assert str(err) == "shares table: 'sector' has sectors absent from the shifts table: ['G']"
