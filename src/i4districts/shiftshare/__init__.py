"""Shift-share exposure and inference: construction, AKM and AKM0 (Adão, Kolesár, Morales 2019).

Exposure construction (:mod:`.exposure`, :mod:`.instruments`,
:mod:`.normalise`, :mod:`.adoption`): base-year shares, shift-share exposure,
adoption changes, adjusted penetration, leave-one-out and named-countries
instrument shifts, and the sector adoption tables. :func:`build_exposure`
returns a :class:`ShiftShareExposure` that keeps the share matrix and the
shifts, so AKM/AKM0 inference applies directly to the exposure
(:meth:`ShiftShareExposure.design`, :meth:`ShiftShareExposure.fit`).

Inference: a numpy/scipy reimplementation of the R package ShiftShareSE
(``reg_ss``, ``ivreg_ss``): homoskedastic, EHW, region-cluster, AKM and AKM0
inference for shift-share OLS and IV with controls, weights and sector
clusters, dropping collinear sectors of the share matrix like R's ``lm.wfit``.

Entry points: :func:`fit_shiftshare` (tables + validated spec),
:func:`reg_ss` / :func:`ivreg_ss` (arrays), :func:`write_result_json`.
"""

from i4districts.shiftshare.adoption import (
    ADOPTION_COLUMNS,
    ILLUSTRATIVE_NOTE,
    AdoptionTableError,
    illustrative_adoption,
    panel_adoption,
    sector_adoption_table,
)
from i4districts.shiftshare.akm import ShareDesign, ivreg_ss, reg_ss, share_design
from i4districts.shiftshare.design import (
    control_matrix,
    fit_shiftshare,
    sector_clusters,
    share_matrix,
)
from i4districts.shiftshare.diagnostics import (
    FirstStage,
    RotembergWeights,
    ShockLevel,
    first_stage_strength,
    pretrend_check,
    rotemberg_weights,
    shiftshare_diagnostics,
    shock_level,
)
from i4districts.shiftshare.errors import ExposureInputError, ShiftShareInputError, SpecError
from i4districts.shiftshare.exposure import (
    ShiftShareExposure,
    adjusted_penetration,
    adoption_changes,
    baseline_shares,
    build_exposure,
    exposure_table,
    shift_share_exposure,
)
from i4districts.shiftshare.instruments import leave_one_out_shift, named_countries_shift
from i4districts.shiftshare.normalise import NORMALISATIONS, normalise_exposure
from i4districts.shiftshare.placebo import PlaceboResult, placebo, placebo_shiftshare
from i4districts.shiftshare.design import model_design
from i4districts.shiftshare.placebo import ols_t_statistics
from i4districts.shiftshare.ri import randomization_test
from i4districts.shiftshare.results import (
    ALL_METHODS,
    METHODS,
    RI,
    MethodResult,
    ShiftShareResult,
    write_result_json,
    write_result_parquet,
)
from i4districts.shiftshare.spec import SPEC_SCHEMA, ShiftShareSpec, load_spec, parse_spec

__all__ = [
    "model_design",
    "ols_t_statistics",
    "randomization_test",
    "ADOPTION_COLUMNS",
    "ILLUSTRATIVE_NOTE",
    "ALL_METHODS",
    "METHODS",
    "NORMALISATIONS",
    "RI",
    "SPEC_SCHEMA",
    "AdoptionTableError",
    "ExposureInputError",
    "FirstStage",
    "PlaceboResult",
    "RotembergWeights",
    "ShockLevel",
    "MethodResult",
    "ShareDesign",
    "ShiftShareExposure",
    "ShiftShareInputError",
    "ShiftShareResult",
    "ShiftShareSpec",
    "SpecError",
    "adjusted_penetration",
    "adoption_changes",
    "baseline_shares",
    "build_exposure",
    "control_matrix",
    "exposure_table",
    "first_stage_strength",
    "fit_shiftshare",
    "illustrative_adoption",
    "ivreg_ss",
    "leave_one_out_shift",
    "load_spec",
    "named_countries_shift",
    "normalise_exposure",
    "panel_adoption",
    "parse_spec",
    "placebo",
    "placebo_shiftshare",
    "pretrend_check",
    "reg_ss",
    "rotemberg_weights",
    "sector_adoption_table",
    "sector_clusters",
    "shift_share_exposure",
    "shiftshare_diagnostics",
    "shock_level",
    "share_design",
    "share_matrix",
    "write_result_json",
    "write_result_parquet",
]
