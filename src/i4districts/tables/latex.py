"""LaTeX rendering of a :class:`~i4districts.tables.render.Table`: booktabs fragment and a standalone document.

The fragment is a ``table`` float (caption, ``\\label{tab:<name>}``, a booktabs ``tabular``
with column spanners drawn by ``\\cmidrule``, block rules, and a notes block under the
tabular); it needs only ``\\usepackage{booktabs}``. :func:`standalone` wraps it in an
``article`` document that compiles with ``pdflatex`` from Debian's ``texlive-latex-base``
(article, geometry, fontenc) and ``texlive-latex-recommended`` (booktabs).
:func:`check_balanced` is the structural check used where no TeX engine is installed.
"""

from __future__ import annotations

import re

from .render import Table, column_groups, grid, has_stub, header_labels

__all__ = ["latex_escape", "to_latex", "standalone", "check_balanced", "PACKAGES"]

PACKAGES: tuple[str, ...] = ("booktabs",)
"""LaTeX packages the fragment needs (the standalone document loads them)."""

_SPECIAL = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
            "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}",
            "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
            "²": r"\textsuperscript{2}", "³": r"\textsuperscript{3}", "×": r"$\times$", "·": r"$\cdot$",
            "−": r"$-$", "–": "--", "—": "---", "Δ": r"$\Delta$", "∞": r"$\infty$", "∪": r"$\cup$",
            "≥": r"$\geq$", "≤": r"$\leq$", "≈": r"$\approx$", "α": r"$\alpha$", "β": r"$\beta$",
            "σ": r"$\sigma$", "χ": r"$\chi$", "…": r"\dots{}", "’": "'", "‘": "`", "“": "``", "”": "''",
            "←": r"$\leftarrow$", "→": r"$\rightarrow$", "✓": "yes", "✗": "no", "\u00a0": "~",
            "Σ": r"$\Sigma$", "γ": r"$\gamma$", "δ": r"$\delta$", "ε": r"$\varepsilon$", "μ": r"$\mu$",
            "ρ": r"$\rho$", "τ": r"$\tau$", "θ": r"$\theta$", "λ": r"$\lambda$", "π": r"$\pi$",
            "±": r"$\pm$", "≠": r"$\neq$", "√": r"$\surd$", "∑": r"$\sum$", "€": r"EUR", "°": r"$^\circ$"}


def _fallback(ch: str) -> str:
    """Characters pdflatex's T1/utf8 set-up cannot typeset (outside Latin-1) become their Unicode name,
    so a table never fails to compile because of a symbol in a label or note."""
    if ord(ch) < 256:
        return ch
    import unicodedata

    return f"[{unicodedata.name(ch, 'U+%04X' % ord(ch)).lower()}]"


def latex_escape(text: object) -> str:
    """Plain text as LaTeX: special characters escaped, ``"quoted"`` as ````quoted''``, and the
    symbols tables use (``²``, ``×``, ``Δ``, ``–``, ``∞`` ...) as LaTeX commands."""
    s = re.sub(r'"([^"]*)"', lambda m: f"\x01{m.group(1)}\x02", str(text))
    out = "".join(_SPECIAL[ch] if ch in _SPECIAL else _fallback(ch) for ch in s)
    out = out.replace("\x01", "``").replace("\x02", "''").replace('"', "''")
    return re.sub(r"(?<!\\)\$\$", "", out)  # adjacent math ($-$$\alpha$ -> $-\alpha$), never display math


_ALIGN = {"right": "r", "left": "l", "center": "c"}


def to_latex(table: Table) -> str:
    """The ``table`` float with a booktabs ``tabular`` and a notes block (needs ``booktabs``)."""
    g = grid(table)
    keys = [c.key for c in table.columns]
    k = len(keys)
    stub = has_stub(table)
    lead = 1 if stub else 0
    align = ("l" if stub else "") + "".join("c" if table.numbered else _ALIGN.get(c.align, "r")
                                            for c in table.columns)
    lines = [r"\begin{table}[htbp]", r"\centering", rf"\caption{{{latex_escape(table.title)}}}",
             rf"\label{{tab:{_label(table.name)}}}", rf"\begin{{tabular}}{{{align}}}", r"\toprule"]
    runs = column_groups(table)
    if any(grp is not None for grp, _, _ in runs):
        cells, rules = [""] * lead, []
        for grp, a, b in runs:
            n = b - a + 1
            if grp is None:
                cells += [""] * n
                continue
            cells.append(rf"\multicolumn{{{n}}}{{c}}{{{latex_escape(grp)}}}")
            rules.append(rf"\cmidrule(lr){{{a + 1 + lead}-{b + 1 + lead}}}")
        lines.append(" & ".join(cells) + r" \\")
        lines.append(" ".join(rules))
    first = [latex_escape(table.stub)] if stub else []
    if table.numbered:
        lines.append(" & ".join([*first, *(f"({i})" for i in range(1, k + 1))]) + r" \\")
        lines.append(" & ".join([""] * lead + [latex_escape(c.label) for c in table.columns]) + r" \\")
    else:
        lines.append(" & ".join([*first, *(latex_escape(h) for h in header_labels(table))]) + r" \\")
    lines.append(r"\midrule")
    block = None
    for i, r in g.iterrows():
        if r["block"] != block:
            if i > 0:
                lines.append(r"\midrule")
            heading = table.blocks.get(r["block"], "") if table.show_blocks else ""
            if heading:
                lines.append(rf"\multicolumn{{{k + lead}}}{{l}}{{\textit{{{latex_escape(heading)}}}}} \\")
            block = r["block"]
        row = [r["label"], *[r[c] for c in keys]] if stub else [r[c] for c in keys]
        lines.append(" & ".join(latex_escape(x) for x in row) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    if table.notes:
        lines += [r"\par\smallskip", r"\begin{minipage}{\linewidth}\footnotesize\raggedright",
                  r"\textit{Notes:} " + latex_escape(table.notes[0]) + r"\par"]
        lines += [latex_escape(n) + r"\par" for n in table.notes[1:]]
        lines.append(r"\end{minipage}")
    lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"


def _label(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9:._-]", "-", name)


def standalone(table: Table) -> str:
    """A complete ``article`` document holding the table (landscape A4), compilable with ``pdflatex``."""
    return "\n".join([
        r"\documentclass[11pt]{article}",
        r"\usepackage[T1]{fontenc}",
        r"\usepackage[utf8]{inputenc}",
        r"\usepackage[a4paper,landscape,margin=1.5cm]{geometry}",
        *[rf"\usepackage{{{p}}}" for p in PACKAGES],
        r"\pagestyle{empty}",
        r"\begin{document}",
        to_latex(table).rstrip("\n"),
        r"\end{document}",
    ]) + "\n"


def check_balanced(tex: str) -> list[str]:
    """Structural problems of a LaTeX text: unmatched ``\\begin``/``\\end``, unbalanced braces, an odd
    number of ``$`` on a line. Empty list when none (comments after ``%`` are ignored)."""
    problems: list[str] = []
    stack: list[tuple[str, int]] = []
    depth = 0
    for lineno, raw in enumerate(tex.splitlines(), start=1):
        line = re.sub(r"(?<!\\)%.*", "", raw)
        bare = re.sub(r"\\[\\{}$&%#_]", "", line)
        for m in re.finditer(r"\\(begin|end)\{([^}]*)\}", line):
            if m.group(1) == "begin":
                stack.append((m.group(2), lineno))
            elif not stack:
                problems.append(f"line {lineno}: \\end{{{m.group(2)}}} without \\begin")
            elif stack[-1][0] != m.group(2):
                problems.append(f"line {lineno}: \\end{{{m.group(2)}}} closes \\begin{{{stack[-1][0]}}} "
                                f"of line {stack[-1][1]}")
                stack.pop()
            else:
                stack.pop()
        for ch in bare:
            depth += ch == "{"
            depth -= ch == "}"
            if depth < 0:
                problems.append(f"line {lineno}: closing brace without an opening one")
                depth = 0
        if bare.count("$") % 2:
            problems.append(f"line {lineno}: odd number of $")
    problems += [f"line {n}: \\begin{{{env}}} never closed" for env, n in stack]
    if depth:
        problems.append(f"{depth} brace(s) never closed")
    return problems
