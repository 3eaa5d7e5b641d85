"""Shift-share inference: AKM and AKM0 (Adão, Kolesár, Morales 2019).

A numpy/scipy reimplementation of the R package ShiftShareSE (``reg_ss``,
``ivreg_ss``): homoskedastic, EHW, region-cluster, AKM and AKM0 inference for
shift-share OLS and IV with controls, weights and sector clusters, dropping
collinear sectors of the share matrix like R's ``lm.wfit``.

Entry points: :func:`fit_shiftshare` (tables + validated spec),
:func:`reg_ss` / :func:`ivreg_ss` (arrays), :func:`write_result_json`.
"""

from i4districts.shiftshare.akm import ShareDesign, ivreg_ss, reg_ss, share_design
from i4districts.shiftshare.design import (
    control_matrix,
    fit_shiftshare,
    sector_clusters,
    share_matrix,
)
from i4districts.shiftshare.errors import ShiftShareInputError, SpecError
from i4districts.shiftshare.results import (
    METHODS,
    MethodResult,
    ShiftShareResult,
    write_result_json,
    write_result_parquet,
)
from i4districts.shiftshare.spec import SPEC_SCHEMA, ShiftShareSpec, load_spec, parse_spec

__all__ = [
    "METHODS",
    "SPEC_SCHEMA",
    "MethodResult",
    "ShareDesign",
    "ShiftShareInputError",
    "ShiftShareResult",
    "ShiftShareSpec",
    "SpecError",
    "control_matrix",
    "fit_shiftshare",
    "ivreg_ss",
    "load_spec",
    "parse_spec",
    "reg_ss",
    "sector_clusters",
    "share_design",
    "share_matrix",
    "write_result_json",
    "write_result_parquet",
]
