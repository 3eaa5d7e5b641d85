"""Regional indicators: specialization, variety, size structure, servitization,
industrial-district identification (ISTAT/Sforzi), concentration and polarization.

Every function takes a tidy long DataFrame and returns a DataFrame; formulas,
units and references are in each module's and function's docstring (grep the
indicator's name). Key columns default to the vocabulary of
:mod:`i4districts.vocabulary` (``region, sector, year, value``); output keys
follow the names passed. Bad input raises :class:`IndicatorInputError` (an
:class:`i4districts.errors.InputError`).

=====================  =======================================================
module                 indicators
=====================  =======================================================
``specialization``     location quotient, Krugman, Hoover, Herfindahl (absolute,
                       normalised, relative), entropy (Shannon, relative/Theil),
                       Gini of specialization, manufacturing share
``variety``            related and unrelated variety (Frenken et al. 2007)
``size_structure``     employment shares and LQs by firm-size class
``servitization``      KIBS per manufacturing job, KIBS LQ, servitization LQ
``districts``          ISTAT/Sforzi industrial districts, large-firm-led systems
``concentration``      Hoover localization, locational Gini, Ellison–Glaeser
``polarization``       GMS occupation tiers (ISCO-88 and ISCO-08), RTI share,
                       Esteban–Ray, Duclos–Esteban–Ray, Wolfson
``education``          education tiers of employment (LFS), hollowing-out
``spatial``            spatial polarization across regions, Theil decomposition
=====================  =======================================================
"""

from ._core import IndicatorInputError
from .concentration import (
    concentration_indices,
    ellison_glaeser,
    plant_herfindahl,
    plant_herfindahl_bounds,
    plant_herfindahl_from_size_classes,
)
from .education import (
    education_polarization,
    education_spatial_polarization,
    education_tier_shares,
    read_lfs_education,
)
from .districts import identify_districts
from .polarization import (
    duclos_esteban_ray,
    esteban_ray,
    occupation_tier_shares,
    routine_intensity,
    tier_share_changes,
    wolfson,
)
from .servitization import kibs_codes, servitization
from .size_structure import size_class_structure
from .spatial import spatial_polarization, theil_decomposition
from .specialization import (
    ALL_SECTORS,
    SPECIALIZATION_INDICES,
    location_quotients,
    sector_group_share,
    specialization_indices,
    specialization_long_table,
    specialization_tables,
)
from .variety import related_unrelated_variety

__all__ = [
    "ALL_SECTORS",
    "IndicatorInputError",
    "SPECIALIZATION_INDICES",
    "concentration_indices",
    "duclos_esteban_ray",
    "education_polarization",
    "education_spatial_polarization",
    "education_tier_shares",
    "ellison_glaeser",
    "esteban_ray",
    "identify_districts",
    "kibs_codes",
    "location_quotients",
    "occupation_tier_shares",
    "plant_herfindahl",
    "plant_herfindahl_bounds",
    "plant_herfindahl_from_size_classes",
    "read_lfs_education",
    "related_unrelated_variety",
    "routine_intensity",
    "sector_group_share",
    "servitization",
    "size_class_structure",
    "spatial_polarization",
    "specialization_indices",
    "specialization_long_table",
    "specialization_tables",
    "theil_decomposition",
    "tier_share_changes",
    "wolfson",
]
