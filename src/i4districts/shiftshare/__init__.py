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


# Names resolve lazily (PEP 562): every workflow job is a fresh `i4d` process, and importing every
# submodule (scipy.stats, the estimators) would cost each one about a second.
from i4districts.lazy import lazy_package

_LAZY = {
    'ADOPTION_COLUMNS': ('i4districts.shiftshare.adoption', 'ADOPTION_COLUMNS'),
    'ALL_METHODS': ('i4districts.shiftshare.results', 'ALL_METHODS'),
    'AdoptionTableError': ('i4districts.shiftshare.adoption', 'AdoptionTableError'),
    'ExposureInputError': ('i4districts.shiftshare.errors', 'ExposureInputError'),
    'FirstStage': ('i4districts.shiftshare.diagnostics', 'FirstStage'),
    'ILLUSTRATIVE_NOTE': ('i4districts.shiftshare.adoption', 'ILLUSTRATIVE_NOTE'),
    'METHODS': ('i4districts.shiftshare.results', 'METHODS'),
    'MethodResult': ('i4districts.shiftshare.results', 'MethodResult'),
    'NORMALISATIONS': ('i4districts.shiftshare.normalise', 'NORMALISATIONS'),
    'PlaceboResult': ('i4districts.shiftshare.placebo', 'PlaceboResult'),
    'RI': ('i4districts.shiftshare.results', 'RI'),
    'RotembergWeights': ('i4districts.shiftshare.diagnostics', 'RotembergWeights'),
    'SPEC_SCHEMA': ('i4districts.shiftshare.spec', 'SPEC_SCHEMA'),
    'ShareDesign': ('i4districts.shiftshare.akm', 'ShareDesign'),
    'ShiftShareExposure': ('i4districts.shiftshare.exposure', 'ShiftShareExposure'),
    'ShiftShareInputError': ('i4districts.shiftshare.errors', 'ShiftShareInputError'),
    'ShiftShareResult': ('i4districts.shiftshare.results', 'ShiftShareResult'),
    'ShiftShareSpec': ('i4districts.shiftshare.spec', 'ShiftShareSpec'),
    'ShockLevel': ('i4districts.shiftshare.diagnostics', 'ShockLevel'),
    'SpecError': ('i4districts.shiftshare.errors', 'SpecError'),
    'adjusted_penetration': ('i4districts.shiftshare.exposure', 'adjusted_penetration'),
    'adoption_changes': ('i4districts.shiftshare.exposure', 'adoption_changes'),
    'baseline_shares': ('i4districts.shiftshare.exposure', 'baseline_shares'),
    'build_exposure': ('i4districts.shiftshare.exposure', 'build_exposure'),
    'control_matrix': ('i4districts.shiftshare.design', 'control_matrix'),
    'exposure_table': ('i4districts.shiftshare.exposure', 'exposure_table'),
    'first_stage_strength': ('i4districts.shiftshare.diagnostics', 'first_stage_strength'),
    'fit_shiftshare': ('i4districts.shiftshare.design', 'fit_shiftshare'),
    'illustrative_adoption': ('i4districts.shiftshare.adoption', 'illustrative_adoption'),
    'ivreg_ss': ('i4districts.shiftshare.akm', 'ivreg_ss'),
    'leave_one_out_shift': ('i4districts.shiftshare.instruments', 'leave_one_out_shift'),
    'load_spec': ('i4districts.shiftshare.spec', 'load_spec'),
    'model_design': ('i4districts.shiftshare.design', 'model_design'),
    'named_countries_shift': ('i4districts.shiftshare.instruments', 'named_countries_shift'),
    'normalise_exposure': ('i4districts.shiftshare.normalise', 'normalise_exposure'),
    'ols_t_statistics': ('i4districts.shiftshare.placebo', 'ols_t_statistics'),
    'panel_adoption': ('i4districts.shiftshare.adoption', 'panel_adoption'),
    'parse_spec': ('i4districts.shiftshare.spec', 'parse_spec'),
    'placebo': ('i4districts.shiftshare.placebo', 'placebo'),
    'placebo_shiftshare': ('i4districts.shiftshare.placebo', 'placebo_shiftshare'),
    'pretrend_check': ('i4districts.shiftshare.diagnostics', 'pretrend_check'),
    'randomization_test': ('i4districts.shiftshare.ri', 'randomization_test'),
    'reg_ss': ('i4districts.shiftshare.akm', 'reg_ss'),
    'rotemberg_weights': ('i4districts.shiftshare.diagnostics', 'rotemberg_weights'),
    'sector_adoption_table': ('i4districts.shiftshare.adoption', 'sector_adoption_table'),
    'sector_clusters': ('i4districts.shiftshare.design', 'sector_clusters'),
    'share_design': ('i4districts.shiftshare.akm', 'share_design'),
    'share_matrix': ('i4districts.shiftshare.design', 'share_matrix'),
    'shift_share_exposure': ('i4districts.shiftshare.exposure', 'shift_share_exposure'),
    'shiftshare_diagnostics': ('i4districts.shiftshare.diagnostics', 'shiftshare_diagnostics'),
    'shock_level': ('i4districts.shiftshare.diagnostics', 'shock_level'),
    'write_result_json': ('i4districts.shiftshare.results', 'write_result_json'),
    'write_result_parquet': ('i4districts.shiftshare.results', 'write_result_parquet'),
}


lazy_package(__name__, _LAZY, shadowed=('placebo',))


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
