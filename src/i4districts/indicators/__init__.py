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


# Names resolve lazily (PEP 562): every workflow job is a fresh `i4d` process, and importing every
# submodule (scipy.stats, the estimators) would cost each one about a second.
from i4districts.lazy import lazy_package

_LAZY = {
    'ALL_SECTORS': ('i4districts.indicators.specialization', 'ALL_SECTORS'),
    'IndicatorInputError': ('i4districts.indicators._core', 'IndicatorInputError'),
    'SPECIALIZATION_INDICES': ('i4districts.indicators.specialization', 'SPECIALIZATION_INDICES'),
    'concentration_indices': ('i4districts.indicators.concentration', 'concentration_indices'),
    'duclos_esteban_ray': ('i4districts.indicators.polarization', 'duclos_esteban_ray'),
    'education_polarization': ('i4districts.indicators.education', 'education_polarization'),
    'education_spatial_polarization': ('i4districts.indicators.education', 'education_spatial_polarization'),
    'education_tier_shares': ('i4districts.indicators.education', 'education_tier_shares'),
    'ellison_glaeser': ('i4districts.indicators.concentration', 'ellison_glaeser'),
    'esteban_ray': ('i4districts.indicators.polarization', 'esteban_ray'),
    'identify_districts': ('i4districts.indicators.districts', 'identify_districts'),
    'kibs_codes': ('i4districts.indicators.servitization', 'kibs_codes'),
    'location_quotients': ('i4districts.indicators.specialization', 'location_quotients'),
    'occupation_tier_shares': ('i4districts.indicators.polarization', 'occupation_tier_shares'),
    'plant_herfindahl': ('i4districts.indicators.concentration', 'plant_herfindahl'),
    'plant_herfindahl_bounds': ('i4districts.indicators.concentration', 'plant_herfindahl_bounds'),
    'plant_herfindahl_from_size_classes': ('i4districts.indicators.concentration', 'plant_herfindahl_from_size_classes'),
    'read_lfs_education': ('i4districts.indicators.education', 'read_lfs_education'),
    'related_unrelated_variety': ('i4districts.indicators.variety', 'related_unrelated_variety'),
    'routine_intensity': ('i4districts.indicators.polarization', 'routine_intensity'),
    'sector_group_share': ('i4districts.indicators.specialization', 'sector_group_share'),
    'servitization': ('i4districts.indicators.servitization', 'servitization'),
    'size_class_structure': ('i4districts.indicators.size_structure', 'size_class_structure'),
    'spatial_polarization': ('i4districts.indicators.spatial', 'spatial_polarization'),
    'specialization_indices': ('i4districts.indicators.specialization', 'specialization_indices'),
    'specialization_long_table': ('i4districts.indicators.specialization', 'specialization_long_table'),
    'specialization_tables': ('i4districts.indicators.specialization', 'specialization_tables'),
    'theil_decomposition': ('i4districts.indicators.spatial', 'theil_decomposition'),
    'tier_share_changes': ('i4districts.indicators.polarization', 'tier_share_changes'),
    'wolfson': ('i4districts.indicators.polarization', 'wolfson'),
}


lazy_package(__name__, _LAZY, shadowed=('servitization',))


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
