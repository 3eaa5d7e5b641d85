"""Employment of a synthetic world: municipality × ATECO division × size class × year, with local units.

Data-generating process (SLL ``r`` with target base-year employment ``E_r``, division ``k``, ISTAT
group ``g``, size class ``c``, year ``t``; ``z`` standard normal; constants named in capitals below):

1. **Manufacturing share** ``m_r = v_r e_M`` with the national share ``e_M = 0.16``, so ``v_r`` is the
   system's manufacturing LQ by construction. Near-misses draw ``v_r`` per type
   (:data:`RELATIVE_SHARES`, e.g. services_prevail ``U(1.15, 1.25)``, catch_all ``U(1.6, 1.8)``);
   districts ``v_r = λ w_r``, ``w_r ~ U(0.85, 1.15)``; background ``v_r = κ u_r``, ``u_r ~ U(0.5, 1)``.
   The employment-weighted mean of ``v`` is 1: ``λ`` is set so that ``κ = 0.6``, clipped to
   ``[1.8, 3.6]``, then ``κ`` is solved; a scale whose ``κ`` falls outside ``[0.08, 0.8]`` is
   refused (its background could not stay clearly below LQ 1).
2. **Non-manufacturing split** ``n_rk ∝ pi_k τ_type(k) exp(σ_n z)`` over the other divisions
   (reference weights ``pi_k`` of :mod:`.divisions`; σ_n = 0.5 for background systems, 0.2 for
   planted ones; tilts ``τ``: urban business services ×1.8 and agriculture ×0.1, rural agriculture ×4
   and business ×0.6, tourist 55/56 ×3.5, 68 ×1.5, 93 ×2, service business ×1.2 and consumer ×1.1,
   services_prevail business ×3). A services_prevail system's business services are then set to
   the national share plus ``max(0.08, 3 (m_r - e_M))``, so they prevail over manufacturing.
3. **Manufacturing split.** Persons ``M_rk = m_r E_r q_rk`` with ``q_rk ∝ Q_k exp(σ z)`` (``Q`` the
   manufacturing split of ``pi``; σ = 0.2, 0.1 for near-misses). A large-firm system's dominant
   group gets ``U(0.55, 0.65)`` of manufacturing. Districts, catch_all, large_main and single_medium
   systems are *controlled*: planted groups first (district main group ``U(0.45, 0.70)`` of
   manufacturing; a district's secondary group an LQ ``U(1.8, 2.5)``; a large_main main group an LQ
   ``U(3, 4)`` and at least 668 persons; a single_medium main group explicit, below), then every
   other ISTAT group gets ``c_rg e_g E_r`` persons, an LQ ``c_rg`` by construction (``e_g`` the
   national share of ``g``, by fixed-point passes; districts ``U(0.3, 1.2)`` including the catch-all,
   large_main and single_medium ``U(1.0, 1.4)``, catch_all 0.3), and the rest goes to the main group
   (districts) or to the catch-all ``OTH`` (division 23) for near-misses. The main group of
   large_main and single_medium systems is one of the two ISTAT groups with the smallest national
   share once the districts are placed, so its LQ stands far above the others'.
4. **Size classes** ``p_rkc``: each division's profile (:data:`.divisions.PROFILES`) times
   ``exp(0.15 z)``, renormalised; district main/secondary groups ``(0.35, 0.45, 0.20, 0)`` and the
   rest of district manufacturing with its large share ×0.3 (moved to medium); large-firm dominant
   group ``(0.05, 0.08, 0.12, 0.75)``; catch_all manufacturing ``(0.40, 0.45, 0.15, 0)``; large_main
   and single_medium non-main manufacturing ``(0.7, 0.3, 0, 0)``.
5. **Units and persons** of SLL cell ``(r, k, c)`` with expected persons ``μ = E_r s_rk p_rkc``,
   largest class first: large: if ``μ >= 400``, ``N = max(1, round(μ/700))``, ``E = N max(μ/N, 400)``,
   else ``μ`` moves to medium; medium: if ``μ >= 55``, ``N = max(1, round(μ/110))``,
   ``E = N clip(μ/N, 80, 150)``, else it moves to small; small: if ``μ < 10`` it moves to micro;
   small and micro: mean unit size ``a ~ U(16, 28)`` / ``U(1.6, 4.5)``, units by systematic rounding
   across the divisions of the SLL, ``N_k = floor(C_k + U) - floor(C_(k-1) + U)``,
   ``C_k = Σ_(j<=k) μ_j / a_j``, one ``U ~ U(0, 1)`` per SLL and class (unbiased for each cell; sums
   over consecutive divisions are off by at most a unit at each end), ``E = round(N a)``. Explicit
   cells: the large_main plant (1 unit, 60% of the main group: SME share 0.4) and the
   single_medium main group (one unit of 120 persons in W50_249, 2 units / 40 persons in W10_49,
   10 units / 30 persons in W0_9, all in the group's largest division). A background system whose
   drawn manufacturing share exceeds ``0.85 e_M`` (small systems are lumpy) loses manufacturing
   cells, in random order, until it does not (:data:`BACKGROUND_LQ_CAP`).
6. **Municipalities.** The ``N`` units of an SLL cell are split over its municipalities by a
   multinomial draw with the dispersed (manufacturing, agriculture, construction, utilities,
   mining) or concentrated (services) location weights of :mod:`.world`; persons follow the units
   (``E_m = E n_m / N``, largest-remainder rounding), so every unit keeps the cell's mean size.
7. **Years.** ``E_mkct ≈ E_mkc,t0 exp(G_rt)`` with ``G_rt`` the SLL's cumulative log growth
   (:mod:`.outcomes`): cells are rounded so that each SLL total is exactly
   ``rint(E_r,t0 exp(G_rt))`` (largest remainder within the SLL), so rounding never biases growth.
   Within-SLL composition is constant up to rounding, a deliberate simplification: base-year
   shares are every year's shares. Units ``U_t = clip(U_t0, ceil(E_t / hi_c), floor(E_t / lo_c))``,
   so ``lo_c U_t <= E_t <= hi_c U_t`` always holds (``|G| <= ln 1.45`` is checked: the mean unit
   sizes of step 5 leave that much room).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from i4districts.errors import ConfigError

from .divisions import MAX_FACTOR, PROFILES, SIZE_CLASSES, SIZE_LABELS, division_table
from .truth import BACKGROUND_TYPES, DISTRICT, NEAR_MISS_STEPS
from .world import Geography

SINGLE_MEDIUM_CELLS: tuple[tuple[int, int, int], ...] = ((0, 10, 30), (1, 2, 40), (2, 1, 120))
"""single_medium main group: (size class index, units, persons)."""
LARGE_MAIN_PLANT_SHARE = 0.6
#: large_main: LQ of the main group by construction (at least LARGE_MAIN_MIN_GROUP persons, so the plant has 400+).
LARGE_MAIN_GROUP_LQ = (3.0, 4.0)
LARGE_MAIN_MIN_GROUP = 400.0 / 0.6 + 1.0
LARGE_FIRM_GROUP_SHARE = (0.55, 0.65)
#: services_prevail: business-services share = national share + max(this, 3 (m_r - e_M)).
SERVICES_PREVAIL_MARGIN = 0.08
#: Size mix of the non-main manufacturing of large_main and single_medium systems (micro-led: step 2 passes).
NEAR_MISS_OTHER_MIX = (0.7, 0.3, 0.0, 0.0)
DISTRICT_MAIN_SHARE = (0.45, 0.70)
#: A district's secondary group: its LQ by construction.
SECONDARY_LQ = (1.8, 2.5)
CATCH_ALL_GROUP = "OTH"
#: A small-class cell expecting fewer persons than this becomes micro units (no lumpy single 10-49 unit).
SMALL_MIN_EXPECTED = 10.0
#: Controlled types -> range of the LQ given to every other ISTAT group (the catch-all included for districts;
#: for near-misses the catch-all absorbs the rest of manufacturing, for districts the main group does).
CONTROLLED_LQ: dict[str, tuple[float, float]] = {
    DISTRICT: (0.3, 1.2), "large_main": (1.0, 1.4), "single_medium": (1.0, 1.4), "catch_all": (0.3, 0.3),
}
#: National manufacturing share of persons employed (latent): every system's share is ``v_r`` times it.
NATIONAL_MANUFACTURING_SHARE = 0.16
#: Log-normal noise of each non-manufacturing division weight of a background / planted system.
NONMANUFACTURING_SIGMA = 0.5
PLANTED_NONMANUFACTURING_SIGMA = 0.2
#: Planted near-miss type -> range of ``v_r`` (the system's manufacturing LQ by construction).
RELATIVE_SHARES: dict[str, tuple[float, float]] = {
    "large_firm": (1.9, 2.5), "large_main": (1.8, 2.2), "single_medium": (1.6, 2.0),
    "services_prevail": (1.15, 1.25), "catch_all": (1.6, 1.8),
}
#: Districts: ``v_r = λ w_r``, ``w_r ~ U(0.8, 1.2)``, ``λ`` within DISTRICT_LEVEL.
DISTRICT_SPREAD = (0.85, 1.15)
DISTRICT_LEVEL = (1.8, 3.6)
#: Background ``u_r`` range, the target ``κ`` and its allowed range (a background LQ is ``κ u_r <= κ``).
BACKGROUND_RELATIVE = (0.5, 1.0)
BACKGROUND_KAPPA_TARGET = 0.6
BACKGROUND_KAPPA = (0.08, 0.8)
#: A background system whose drawn manufacturing LQ exceeds this loses manufacturing cells until it does not.
BACKGROUND_LQ_CAP = 0.85


@dataclass(frozen=True)
class Cells:
    """Base-year cells (non-zero only): SLL or municipality index, division index, size index, persons, units."""

    owner: np.ndarray
    division: np.ndarray
    size: np.ndarray
    employment: np.ndarray
    units: np.ndarray


def _div_arrays():
    t = division_table()
    manuf = (t["macro"] == "manufacturing").to_numpy()
    w = t["weight"].to_numpy()
    Q = np.where(manuf, w, 0.0) / w[manuf].sum()
    P = np.where(manuf, 0.0, w) / w[~manuf].sum()
    mix = np.array([PROFILES[p] for p in t["profile"]])
    return t, manuf, Q, P, mix


def compose(geo: Geography, rng: np.random.Generator) -> dict[str, object]:
    """Latent composition ``s_rk``, size mixes ``p_rkc`` and explicit cells (module docstring, steps 1-3)."""
    t, manuf, Q, P, mix = _div_arrays()
    sll = geo.sll
    types = sll["type"].to_numpy()
    E = sll["target_employment"].to_numpy(dtype=float)
    R, K = len(sll), len(t)
    group = t["group"].to_numpy()
    macro = t["macro"].to_numpy()
    section = t["section"].to_numpy()
    div = t["division"].to_numpy()
    main = sll["main_group"].to_numpy()
    sec = sll["secondary_group"].to_numpy()

    # non-manufacturing split (docstring step 2)
    tilt = np.ones((R, K))
    business, consumer, agri = macro == "business_services", macro == "consumer_services", section == "A"
    for typ, rules in {
        "urban": ((business, 1.8), (agri, 0.1)),
        "rural": ((agri, 4.0), (business, 0.6)),
        "tourist": ((np.isin(div, ["55", "56"]), 3.5), (div == "68", 1.5), (div == "93", 2.0)),
        "service": ((business, 1.2), (consumer, 1.1)),
        "services_prevail": ((business, 3.0),),
    }.items():
        rows = types == typ
        for mask, f in rules:
            tilt[np.ix_(rows, mask)] *= f
    nsig = np.where(np.isin(types, BACKGROUND_TYPES), NONMANUFACTURING_SIGMA, PLANTED_NONMANUFACTURING_SIGMA)
    nonm = P[None, :] * tilt * np.exp(nsig[:, None] * rng.standard_normal((R, K)))
    nonm /= nonm.sum(axis=1, keepdims=True)

    # manufacturing shares m_r = v_r e_M (step 1)
    v = np.zeros(R)
    for typ, (lo, hi) in RELATIVE_SHARES.items():
        idx = types == typ
        v[idx] = rng.uniform(lo, hi, idx.sum())
    dist = types == DISTRICT
    w = rng.uniform(*DISTRICT_SPREAD, dist.sum())
    bg = np.isin(types, BACKGROUND_TYPES)
    u = rng.uniform(*BACKGROUND_RELATIVE, bg.sum())
    other = (v * E)[~bg & ~dist].sum()
    lam = (E.sum() - BACKGROUND_KAPPA_TARGET * (u * E[bg]).sum() - other) / (w * E[dist]).sum()
    lam = float(np.clip(lam, *DISTRICT_LEVEL))
    kappa = float((E.sum() - other - lam * (w * E[dist]).sum()) / (u * E[bg]).sum())
    if not BACKGROUND_KAPPA[0] <= kappa <= BACKGROUND_KAPPA[1]:
        raise ConfigError(f"synth: with districts at manufacturing LQ {lam:.2f} on average, background systems would "
                          f"need an LQ of up to {kappa:.2f} (allowed {BACKGROUND_KAPPA[0]}-{BACKGROUND_KAPPA[1]}) for "
                          "the national share to hold: change n_districts or n_near_misses relative to n_sll")
    v[dist] = lam * w
    v[bg] = kappa * u
    e_m = NATIONAL_MANUFACTURING_SHARE
    m = v * e_m

    # manufacturing persons by division M_rk (step 3)
    near = np.isin(types, list(NEAR_MISS_STEPS))
    sigma = np.where(near, 0.1, 0.2)
    q0 = Q[None, :] * np.exp(sigma[:, None] * rng.standard_normal((R, K)))
    q0[:, ~manuf] = 0.0
    M = (m * E)[:, None] * q0 / q0.sum(axis=1, keepdims=True)
    groups = sorted(g for g in np.unique(group[manuf]) if g)
    gcols = {g: group == g for g in groups}
    for r in np.flatnonzero(types == "large_firm"):  # dominant group, the rest of manufacturing as drawn
        cols = gcols[main[r]]
        share = rng.uniform(*LARGE_FIRM_GROUP_SHARE)
        M[r, cols] *= share * m[r] * E[r] / M[r, cols].sum()
        M[r, manuf & ~cols] *= (1 - share) * m[r] * E[r] / M[r, manuf & ~cols].sum()
    explicit: list[tuple[int, int, int, int, int]] = []  # (sll, division, size, units, persons)
    plan: dict[int, dict[str, object]] = {}
    main = main.copy()

    def make_plan(r: int) -> None:
        typ = types[r]
        lo, hi = CONTROLLED_LQ[typ]
        planted: dict[str, float] = {}
        planted_lq: dict[str, float] = {}
        if typ == DISTRICT:
            planted[main[r]] = rng.uniform(*DISTRICT_MAIN_SHARE)
        elif typ == "large_main":
            planted_lq[main[r]] = rng.uniform(*LARGE_MAIN_GROUP_LQ)
        secondary = {sec[r]: rng.uniform(*SECONDARY_LQ)} if typ == DISTRICT and sec[r] else {}
        fixed = {main[r]} if typ == "single_medium" else set()
        taken = {*planted, *planted_lq, *secondary, *fixed}
        others = [g for g in groups if g not in taken and (typ == DISTRICT or g != CATCH_ALL_GROUP)]
        plan[r] = {"planted": planted, "planted_lq": planted_lq, "secondary": secondary,
                   "lq": dict(zip(others, rng.uniform(lo, hi, len(others)))),
                   "sink": main[r] if typ == DISTRICT else CATCH_ALL_GROUP}
        if typ == "single_medium":
            cols = gcols[main[r]]
            d_star = int(np.flatnonzero(cols)[np.argmax(Q[cols])])
            explicit.extend((r, d_star, c, n_units, persons) for c, n_units, persons in SINGLE_MEDIUM_CELLS)

    def national() -> dict[str, float]:
        return {g: (M[:, gcols[g]].sum() + sum(p for _, d, _, _, p in explicit if group[d] == g)) / E.sum()
                for g in groups}

    def apply_plans(passes: int) -> None:  # fixed point on the national group shares
        explicit_persons = np.zeros(R)
        for r, _, _, _, persons in explicit:
            explicit_persons[r] += persons
        for _ in range(passes):
            nat = national()
            for r, pl in plan.items():
                total = m[r] * E[r] - explicit_persons[r]
                target = {g: total * s for g, s in pl["planted"].items()}
                target.update({g: max(c * nat[g] * E[r], LARGE_MAIN_MIN_GROUP) for g, c in pl["planted_lq"].items()})
                room = total - sum(target.values())
                if room < 0:
                    raise ConfigError(f"synth: system {sll['sll'].iloc[r]} ({types[r]}) has no room for its groups")
                for part, limit in ((pl["secondary"], 0.5), (pl["lq"], 1.0)):
                    persons = {g: c * nat[g] * E[r] for g, c in part.items()}
                    if sum(persons.values()) > limit * room:
                        f = limit * room / sum(persons.values())
                        persons = {g: x * f for g, x in persons.items()}
                    target.update(persons)
                    room -= sum(persons.values())
                target[pl["sink"]] = target.get(pl["sink"], 0.0) + total - sum(target.values())
                M[r] = 0.0
                for g, persons in target.items():
                    cols = gcols[g]
                    M[r, cols] = persons * q0[r, cols] / q0[r, cols].sum()

    for r in np.flatnonzero(np.isin(types, [DISTRICT, "catch_all"])):
        make_plan(r)
    apply_plans(2)
    # large_main / single_medium: main group = one of the two ISTAT groups with the smallest national share
    nat = national()
    smallest = sorted((g for g in groups if g != CATCH_ALL_GROUP), key=lambda g: (nat[g], g))[:2]
    for r in np.flatnonzero(np.isin(types, ["large_main", "single_medium"])):
        main[r] = str(rng.choice(smallest))
        make_plan(r)
    apply_plans(3)
    shares = M / E[:, None] + (1.0 - m)[:, None] * nonm
    # services_prevail: business services exceed their national share by more than manufacturing does
    sp = np.flatnonzero(types == "services_prevail")
    rest_cols = ~manuf & ~business
    for _ in range(2 if sp.size else 0):
        nat_b = float((shares[:, business] * E[:, None]).sum() / E.sum())
        for r in sp:
            target = nat_b + max(SERVICES_PREVAIL_MARGIN, 3.0 * (m[r] - e_m))
            shares[r, business] = target * nonm[r, business] / nonm[r, business].sum()
            shares[r, rest_cols] = (1.0 - m[r] - target) * nonm[r, rest_cols] / nonm[r, rest_cols].sum()

    # size mixes (step 4)
    p = mix[None, :, :] * np.exp(0.15 * rng.standard_normal((R, K, 4)))
    p /= p.sum(axis=2, keepdims=True)
    for r in range(R):
        typ = types[r]
        if typ == DISTRICT:
            planted_cols = np.isin(group, [main[r], sec[r]]) & manuf
            other = manuf & ~planted_cols
            moved = p[r, other, 3] * 0.7
            p[r, other, 3] -= moved
            p[r, other, 2] += moved
            p[r, planted_cols] = (0.35, 0.45, 0.20, 0.0)
        elif typ == "large_firm":
            p[r, group == main[r]] = (0.05, 0.08, 0.12, 0.75)
        elif typ == "catch_all":
            p[r, manuf] = (0.40, 0.45, 0.15, 0.0)
        elif typ in ("large_main", "single_medium"):
            main_cols = group == main[r]
            p[r, manuf & ~main_cols] = NEAR_MISS_OTHER_MIX
            if typ == "large_main":
                persons = shares[r, main_cols].sum() * E[r]
                plant = LARGE_MAIN_PLANT_SHARE * persons
                if plant < 400:
                    raise ConfigError(f"synth: large_main system {sll['sll'].iloc[r]} is too small for its plant")
                d_star = int(np.flatnonzero(main_cols)[np.argmax(Q[main_cols])])
                explicit.append((r, d_star, 3, 1, int(round(plant))))
                shares[r, main_cols] *= 1 - LARGE_MAIN_PLANT_SHARE
                p[r, main_cols] = (0.375, 0.625, 0.0, 0.0)
    return {"shares": shares, "size_mix": p, "explicit": explicit, "manufacturing_share": m, "main_group": main,
            "national_manufacturing_share": e_m, "background_kappa": kappa}


def draw_sll_cells(geo: Geography, comp: dict[str, object], rng: np.random.Generator) -> Cells:
    """SLL × division × size class cells with units and persons (module docstring, step 4)."""
    E = geo.sll["target_employment"].to_numpy(dtype=float)
    shares = comp["shares"]
    mu = E[:, None, None] * shares[:, :, None] * comp["size_mix"]
    R, K, _ = mu.shape
    N = np.zeros(mu.shape, dtype=np.int64)
    out = np.zeros(mu.shape, dtype=np.int64)
    # large
    m3 = mu[..., 3]
    ok = m3 >= 400
    n3 = np.where(ok, np.maximum(1, np.round(m3 / 700)), 0).astype(np.int64)
    N[..., 3] = n3
    out[..., 3] = np.where(ok, np.round(n3 * np.maximum(m3 / np.maximum(n3, 1), 400)), 0)
    m2 = mu[..., 2] + np.where(ok, 0.0, m3)
    ok = m2 >= 55
    n2 = np.where(ok, np.maximum(1, np.round(m2 / 110)), 0).astype(np.int64)
    N[..., 2] = n2
    out[..., 2] = np.where(ok, np.round(n2 * np.clip(m2 / np.maximum(n2, 1), 80, 150)), 0)
    m1 = mu[..., 1] + np.where(ok, 0.0, m2)
    small_ok = m1 >= SMALL_MIN_EXPECTED
    m0 = mu[..., 0] + np.where(small_ok, 0.0, m1)
    m1 = np.where(small_ok, m1, 0.0)
    for c, (lo, hi), mm in ((1, (16.0, 28.0), m1), (0, (1.6, 4.5), m0)):
        a = rng.uniform(lo, hi, (R, K))
        cum = np.floor(np.cumsum(mm / a, axis=1) + rng.uniform(size=(R, 1)))  # systematic rounding
        n = np.diff(cum, axis=1, prepend=0.0).astype(np.int64)
        N[..., c] = n
        out[..., c] = np.round(n * a)
    _cap_background(geo, out, N, comp["national_manufacturing_share"], rng)
    r_i, k_i, c_i = np.nonzero(N)
    cells = [(r_i, k_i, c_i, out[r_i, k_i, c_i], N[r_i, k_i, c_i])]
    if comp["explicit"]:
        ex = np.array(comp["explicit"], dtype=np.int64)
        cells.append((ex[:, 0], ex[:, 1], ex[:, 2], ex[:, 4], ex[:, 3]))
    owner, division, size, emp, units = (np.concatenate(x) for x in zip(*cells))
    key = (owner * K + division) * 4 + size
    if np.unique(key).size != key.size:
        raise AssertionError("synth: explicit cells collide with generated cells")
    order = np.argsort(key, kind="stable")
    return Cells(owner[order], division[order], size[order], emp[order].astype(np.int64), units[order])


def _cap_background(geo: Geography, out: np.ndarray, N: np.ndarray, e_m: float, rng: np.random.Generator) -> None:
    """Drop manufacturing cells of background systems whose manufacturing share exceeds ``BACKGROUND_LQ_CAP e_M``."""
    manuf = (division_table()["macro"] == "manufacturing").to_numpy()
    types = geo.sll["type"].to_numpy()
    total = out.sum(axis=(1, 2)).astype(float)
    mshare = out[:, manuf].sum(axis=(1, 2)) / np.maximum(total, 1.0)
    cap = BACKGROUND_LQ_CAP * e_m
    for r in np.flatnonzero(np.isin(types, BACKGROUND_TYPES) & (mshare > cap)):
        k_i, c_i = np.nonzero((out[r] > 0) & manuf[:, None])
        for j in rng.permutation(k_i.size):
            mp = out[r, manuf].sum()
            if mp <= cap * out[r].sum():
                break
            out[r, k_i[j], c_i[j]] = 0
            N[r, k_i[j], c_i[j]] = 0


def split_to_municipalities(geo: Geography, cells: Cells, rng: np.random.Generator) -> Cells:
    """Split each SLL cell's units (and persons, in proportion) over the SLL's municipalities (step 5)."""
    t = division_table()
    dispersed_div = t["macro"].isin(["manufacturing", "other"]).to_numpy()
    sll_index = geo.municipalities["sll_index"].to_numpy()
    start = np.searchsorted(sll_index, np.arange(len(geo.sll)))
    stop = np.searchsorted(sll_index, np.arange(len(geo.sll)), side="right")
    bounds = np.searchsorted(cells.owner, np.arange(len(geo.sll) + 1))
    parts = []
    for r in range(len(geo.sll)):
        a, b = bounds[r], bounds[r + 1]
        if a == b:
            continue
        m0, m1 = start[r], stop[r]
        n_units, persons = cells.units[a:b], cells.employment[a:b]
        if m1 - m0 == 1:
            counts = n_units[:, None]
        else:
            w = np.where(dispersed_div[cells.division[a:b]][:, None],
                         geo.weight_dispersed[None, m0:m1], geo.weight_concentrated[None, m0:m1])
            counts = rng.multinomial(n_units, w / w.sum(axis=1, keepdims=True))
        raw = persons[:, None] * counts / n_units[:, None]
        base = np.floor(raw).astype(np.int64)
        frac = raw - base
        short = persons - base.sum(axis=1)
        rank = np.argsort(np.argsort(-frac, axis=1, kind="stable"), axis=1, kind="stable")
        base += (rank < short[:, None]).astype(np.int64)
        ci, mi = np.nonzero(counts)
        parts.append((m0 + mi, a + ci, base[ci, mi], counts[ci, mi]))
    muni, src, emp, units = (np.concatenate(x) for x in zip(*parts))
    key = (muni.astype(np.int64) * len(t) + cells.division[src]) * 4 + cells.size[src]
    order = np.argsort(key, kind="stable")
    return Cells(muni[order], cells.division[src][order], cells.size[src][order], emp[order], units[order])


def _controlled_round(raw: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Round ``raw`` to integers whose sum per ``group`` is ``rint`` of the group's exact sum (largest remainder)."""
    base = np.floor(raw)
    frac = raw - base
    target = np.rint(np.bincount(group, weights=raw, minlength=n_groups))
    short = (target - np.bincount(group, weights=base, minlength=n_groups)).astype(np.int64)
    order = np.lexsort((-frac, group))
    g_sorted = group[order]
    start = np.searchsorted(g_sorted, np.arange(n_groups))
    position = np.arange(raw.size) - start[g_sorted]
    bump = np.zeros(raw.size, dtype=np.int64)
    bump[order] = (position < short[g_sorted]).astype(np.int64)
    return base.astype(np.int64) + bump


def expand_years(cells: Cells, owner_sll: np.ndarray, growth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Persons and units of every cell in every year: arrays (n_cells * n_years,) in (cell, year) order (step 6).

    ``growth`` is ``G_rt`` (n_sll x n_years, log), ``owner_sll`` the SLL of each cell's owner. Cells are
    rounded so that each SLL's total is ``rint(E_r,t0 exp(G_rt))`` (largest remainder within the SLL):
    rounding never biases an SLL's growth.
    """
    if np.abs(growth).max() > np.log(MAX_FACTOR):
        raise ConfigError(f"synth: cumulative SLL growth reaches {np.abs(growth).max():.3f} (log), beyond "
                          f"ln {MAX_FACTOR}: cells would leave their size class; lower the outcome model's effects")
    n_sll, n_years = growth.shape
    emp = np.empty((cells.employment.size, n_years), dtype=np.int64)
    for j in range(n_years):
        raw = cells.employment * np.exp(growth[owner_sll, j])
        emp[:, j] = _controlled_round(raw, owner_sll, n_sll)
    lo = np.array([SIZE_CLASSES[s][0] for s in SIZE_LABELS])[cells.size][:, None]
    hi = np.array([SIZE_CLASSES[s][1] for s in SIZE_LABELS])[cells.size][:, None]
    lower = np.ceil(emp / hi).astype(np.int64)
    upper = np.floor(emp / lo).astype(np.int64)
    if (lower > upper).any():
        raise AssertionError("synth: a cell left its size class")
    units = np.clip(np.broadcast_to(cells.units[:, None], emp.shape), lower, upper)
    del lower, upper
    return emp.ravel(), units.ravel()
