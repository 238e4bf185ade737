"""Figures for the article: the screening flow and the paradigm model (Strauss & Corbin 1998).

Every box is sized from its text: text is wrapped to the box width and the
font shrinks until the measured text extent fits inside the box, so no label
overflows.  ``overflowing_boxes`` re-measures a finished figure for tests.
Saving strips dates and fixes SVG ids so that re-runs are byte-identical.

The article's figures are drawn in any language with a translation file (``in_language``): texts
come from ``language`` (matplotlib shapes and orders right-to-left text itself), and a
right-to-left figure is mirrored so that it reads from the right.
"""

from __future__ import annotations

import contextlib
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no screen needed; notebooks display the saved files
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

from .. import draft, language  # noqa: E402
from ..coding.paradigm import paradigm_roles  # noqa: E402

matplotlib.rcParams.update({
    "svg.hashsalt": "qes-pipeline",  # fixed ids inside SVG files
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "font.family": "DejaVu Sans",
})

DPI = 300
FORMATS = ("svg", "pdf", "png")
METADATA = {
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
    "png": {"Software": None},
}
PAD = 0.012  # inner margin of a box, in axes fractions

COLORS = {
    "stage": "#e8f0fb", "excluded": "#f7f7f7", "included": "#e6f4ea", "edge": "#36454f",
    "causal_condition": "#fde8d7", "contextual_condition": "#e8f0fb", "intervening_condition": "#ede7f6",
    "strategy": "#e6f4ea", "consequence": "#fff8d6", "core": "#fbd5d5", "draft": "#b03a2e",
}


_LANG = language.BASE  # the language being drawn (set by in_language)


def _t(key: str, **values) -> str:
    return language.tr(key, _LANG, **values)


def _bullet(name: str) -> str:
    """A list item; in a right-to-left figure it starts with a right-to-left mark, so that the line runs
    right to left (bullet on the right) even when the name is still in English."""
    return ("\u200f" if language.is_rtl(_LANG) else "") + f"• {name}"


@contextlib.contextmanager
def _drawing_in(lang: str):
    global _LANG
    from matplotlib import font_manager

    files = language.font_files(lang)
    families = []
    known = {e.fname for e in font_manager.fontManager.ttflist}
    for f in files:
        if str(f) not in known:  # once per process: addfont appends even a font it already has
            font_manager.fontManager.addfont(str(f))
        families.append(font_manager.FontProperties(fname=str(f)).get_name())
    rc = {"font.family": list(dict.fromkeys(families)) + ["DejaVu Sans"]} if files else {}
    if lang != language.BASE:
        rc["text.language"] = lang  # language-specific glyph forms (OpenType locl)
    before = _LANG
    _LANG = lang
    try:
        with matplotlib.rc_context(rc):
            yield
    finally:
        _LANG = before


def in_language(lang: str, draw, *args, **kwargs):
    """``draw(*args, **kwargs)`` with its texts in ``lang``; mirrored when ``lang`` is right to left."""
    with _drawing_in(lang):
        fig = draw(*args, **kwargs)
    if language.is_rtl(lang):
        mirror(fig)
    fig._qes_lang = lang  # for the texts save_figure may add (a draft's mark)
    return fig


def mirror(fig):
    """Flip a figure drawn in axes coordinates left for right: boxes, arrows, lines and texts."""
    for ax in fig.axes:
        for p in ax.patches:
            if isinstance(p, FancyArrowPatch):
                (xa, ya), (xb, yb) = p._posA_posB  # noqa: SLF001 -- matplotlib keeps no public getter
                p.set_positions((1 - xa, ya), (1 - xb, yb))
            elif isinstance(p, FancyBboxPatch):
                p.set_x(1 - p.get_x() - p.get_width())
        for line in ax.lines:
            line.set_xdata([1 - x for x in line.get_xdata()])
        for t in ax.texts:
            x, y = t.get_position()
            t.set_position((1 - x, y))
            t.set_horizontalalignment({"left": "right", "right": "left"}.get(t.get_horizontalalignment(), "center"))
    return fig


def save_figure(fig, out_dir: Path | str, stem: str, formats=FORMATS) -> list[Path]:
    """Write ``stem``.svg/.pdf/.png (PNG at 300 dpi) without timestamps; a draft's figure is stamped so."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if draft.REASONS and not getattr(fig, "_qes_draft", False):
        _mark_draft(fig, getattr(fig, "_qes_lang", language.BASE))
    paths = []
    for fmt in formats:
        path = out_dir / f"{stem}.{fmt}"
        fig.savefig(path, format=fmt, dpi=DPI, metadata=METADATA[fmt])
        paths.append(path)
    return paths


DRAFT_FOOTER = 0.45  # inches added below a draft's figure for the line saying what is still open


def _mark_draft(fig, lang: str) -> None:
    """DRAFT across the figure and, in a strip added below it, what is still open (``pipeline.draft``)."""
    height = fig.get_figheight()
    fig.set_figheight(height + DRAFT_FOOTER)
    for ax in fig.axes:  # the drawing keeps its size and moves up, above the strip
        pos = ax.get_position()
        ax.set_position([pos.x0, (pos.y0 * height + DRAFT_FOOTER) / (height + DRAFT_FOOTER), pos.width,
                         pos.height * height / (height + DRAFT_FOOTER)])
    rtl = language.is_rtl(lang)
    fig.text(0.5, 0.5, draft.mark(lang), rotation=30, fontsize=72, color=COLORS["draft"], alpha=0.18,
             ha="center", va="center", fontweight="bold", zorder=10)
    fig.text(0.99 if rtl else 0.01, 0.1 * DRAFT_FOOTER / (height + DRAFT_FOOTER),
             textwrap.fill(draft.said(lang), int(fig.get_figwidth() * 15)), fontsize=7, color=COLORS["draft"],
             ha="right" if rtl else "left", va="bottom", zorder=10)
    fig._qes_draft = True  # once, even when saved again


def _box(ax, x, y, w, h, text, color, fontsize=9.0, bold_first=False, min_fontsize=5.0):
    """A rounded box at (x, y) (lower-left, axes fractions) whose wrapped text fits inside it."""
    patch = FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0,rounding_size=0.01",
                           transform=ax.transAxes, facecolor=color, edgecolor=COLORS["edge"], linewidth=0.8)
    ax.add_patch(patch)
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    box_px = ax.transAxes.transform([(x + PAD, y + PAD), (x + w - PAD, y + h - PAD)])
    avail_w, avail_h = box_px[1] - box_px[0]
    size = fontsize
    while True:
        # Wrap to the number of characters that fit at this size (about 0.55 em per char).
        chars = max(8, int(avail_w / (size * fig.dpi / 72 * 0.55)))
        lines = []
        for para in text.split("\n"):
            lines.extend(textwrap.wrap(para, chars) or [""])
        label = ax.text(x + w / 2, y + h / 2, "\n".join(lines), transform=ax.transAxes, ha="center",
                        va="center", fontsize=size, linespacing=1.25,
                        fontweight="normal", wrap=False)
        ext = label.get_window_extent(renderer)
        if (ext.width <= avail_w and ext.height <= avail_h) or size <= min_fontsize:
            break
        label.remove()
        size -= 0.5
    label._qes_box = patch  # noqa: SLF001 -- lets overflowing_boxes pair text and box
    return patch


def _arrow(ax, start, end):
    ax.add_patch(FancyArrowPatch(start, end, transform=ax.transAxes, arrowstyle="-|>", mutation_scale=10,
                                 linewidth=0.9, color=COLORS["edge"], shrinkA=0, shrinkB=0))


def overflowing_boxes(fig) -> list[str]:
    """Texts whose drawn extent leaves the box they belong to (empty list: everything fits)."""
    renderer = fig.canvas.get_renderer()
    bad = []
    for ax in fig.axes:
        for t in ax.texts:
            patch = getattr(t, "_qes_box", None)
            if patch is None:
                continue
            tb, pb = t.get_window_extent(renderer), patch.get_window_extent(renderer)
            if tb.x0 < pb.x0 or tb.x1 > pb.x1 or tb.y0 < pb.y0 or tb.y1 > pb.y1:
                bad.append(t.get_text())
    return bad


def _reason_text(reasons: dict[str, int] | None) -> str:
    if not reasons:
        return ""
    return "\n" + "\n".join(_t("flow.reason", reason=label, n=n) for label, n in reasons.items())


def prisma_flow(flow, reasons_by_stage: dict[str, dict[str, int]] | None = None, identified: int | None = None):
    """The multi-stage flow the reference study used: one box per stage, excluded records beside it.

    ``flow`` is ``screening.flow(log)``; ``reasons_by_stage`` maps a stage to
    {reason label: count} for the side boxes.
    """
    reasons_by_stage = reasons_by_stage or {}
    stages = flow.to_dict("records")
    n_rows = len(stages) + 2
    fig = plt.figure(figsize=(7.0, 1.25 * n_rows))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_axis_off()
    row_h = 1 / n_rows
    bh = row_h * 0.62
    main_x, main_w = 0.06, 0.48
    side_x, side_w = 0.62, 0.34
    if identified is None:
        identified = stages[0]["records_in"] if stages else 0

    def y_of(i):
        return 1 - (i + 1) * row_h + (row_h - bh) / 2

    _box(ax, main_x, y_of(0), main_w, bh, _t("flow.identified", n=identified), COLORS["stage"])
    stage_names = language.section("stages", _LANG)
    for i, st in enumerate(stages, start=1):
        label = stage_names.get(st["stage"], st["stage"])
        _box(ax, main_x, y_of(i), main_w, bh, _t("flow.stage", stage=label, n=st["records_in"]), COLORS["stage"])
        _arrow(ax, (main_x + main_w / 2, y_of(i - 1)), (main_x + main_w / 2, y_of(i) + bh))
        side = _t("flow.excluded", stage=label, stage_lower=label.lower(), n=st["excluded"]) + _reason_text(
            reasons_by_stage.get(st["stage"]))
        waiting = st["records_in"] - st["excluded"] - st["records_out"]
        if waiting:  # a review in progress: the records still to decide at this stage, said where they wait
            side += _t("flow.pending", n=waiting)
        _box(ax, side_x, y_of(i), side_w, bh, side, COLORS["excluded"])
        _arrow(ax, (main_x + main_w, y_of(i) + bh / 2), (side_x, y_of(i) + bh / 2))
    last = len(stages) + 1
    included = stages[-1]["records_out"] if stages else 0
    _box(ax, main_x, y_of(last), main_w, bh, _t("flow.included", n=included)
         + ("" if stages else _t("flow.nothing_yet")), COLORS["included"])
    _arrow(ax, (main_x + main_w / 2, y_of(last - 1)), (main_x + main_w / 2, y_of(last) + bh))
    return fig


def paradigm_model(codebook, core: str):
    """Strauss & Corbin's paradigm: causal conditions → core phenomenon → strategies → consequences,
    with contextual and intervening conditions acting on the strategies.  Boxes list the categories
    the codebook gives each role; the core box names the computed core category.
    """
    roles = paradigm_roles(codebook)

    def body(role):
        return language.section("roles", _LANG)[role] + "\n" + "\n".join(_bullet(name) for name in roles[role])

    fig = plt.figure(figsize=(11.0, 6.2))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_axis_off()
    w, h = 0.21, 0.26
    ymid = 0.5 - h / 2
    xs = [0.02, 0.27, 0.52, 0.77]
    _box(ax, xs[0], ymid, w, h, body("causal_condition"), COLORS["causal_condition"])
    _box(ax, xs[1], ymid, w, h, _t("paradigm.core", core=core), COLORS["core"])
    _box(ax, xs[2], ymid, w, h, body("strategy"), COLORS["strategy"])
    _box(ax, xs[3], ymid, w, h, body("consequence"), COLORS["consequence"])
    for a, b in zip(xs[:-1], xs[1:]):
        _arrow(ax, (a + w, 0.5), (b, 0.5))
    top_y, bottom_y = 0.70, 0.04
    _box(ax, xs[2] - 0.06, top_y, w + 0.12, h, body("contextual_condition"), COLORS["contextual_condition"])
    _box(ax, xs[2] - 0.06, bottom_y, w + 0.12, h, body("intervening_condition"), COLORS["intervening_condition"])
    _arrow(ax, (xs[2] + w / 2, top_y), (xs[2] + w / 2, ymid + h))
    _arrow(ax, (xs[2] + w / 2, bottom_y + h), (xs[2] + w / 2, ymid))
    cats = codebook[codebook["level"] == "category"]
    unassigned = cats.loc[cats["role"] == "", "name"].tolist()
    if unassigned:  # imported categories wait for a role: shown apart, never silently left out
        shown = [textwrap.shorten(n, 34) for n in unassigned[:6]]
        more = _t("paradigm.more", n=len(unassigned) - 6) if len(unassigned) > 6 else ""
        _box(ax, xs[0], bottom_y, w, h, _t("paradigm.unassigned") + "\n"
             + "\n".join(_bullet(n) for n in shown) + more, COLORS["excluded"], fontsize=7)
    return fig


def _nothing_yet(fig, ax, title: str, message: str):
    ax.set_axis_off()
    ax.set_title(title, fontsize=10)
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=10, color="#555555", transform=ax.transAxes)
    return fig


READABLE_ROWS = 40  # studies a per-cell heatmap shows legibly on one page; above, the one-page design


def evidence_heatmap(matrix, codebook):
    """Study × category counts of coded segments: one labelled cell per count for a small review; above
    ``READABLE_ROWS`` studies one page with the studies sorted by their profile and no per-cell numbers
    (the full matrix is the study × category table)."""
    import numpy as np

    names = codebook.set_index("node_id")["name"]
    if len(matrix) > READABLE_ROWS:
        return _evidence_page(matrix, names)
    fig, ax = plt.subplots(figsize=(8.5, 0.42 * len(matrix) + 2.6))
    if matrix.size == 0:  # no study or no category yet: say so instead of an empty axis
        return _nothing_yet(fig, ax, "Coded segments per study and category",
                            "No included study or no category yet")
    data = matrix.to_numpy()
    im = ax.imshow(data, cmap="Blues", aspect="auto")
    ax.set_xticks(range(matrix.shape[1]), [f"{c}\n" + textwrap.fill(names[c], 13) for c in matrix.columns],
                  fontsize=6.5)
    ax.set_yticks(range(matrix.shape[0]), matrix.index, fontsize=8)
    for (i, j), v in np.ndenumerate(data):
        ax.text(j, i, str(v), ha="center", va="center", fontsize=7,
                color="white" if v > data.max() / 2 else "black")
    fig.colorbar(im, ax=ax, label="coded segments", shrink=0.6)
    ax.set_title("Coded segments per study and category", fontsize=10)
    fig.tight_layout()
    return fig


def _evidence_page(matrix, names):
    """The heatmap of a large review on one page: rows ordered by each study's leading category and then
    its counts, drawn as one image without resampling (``interpolation="none"`` keeps vector files small),
    study labels only when they fit."""
    import numpy as np

    data = matrix.to_numpy()
    order = np.lexsort(tuple(-data[:, j] for j in reversed(range(data.shape[1]))) + (data.argmax(axis=1),))
    data, labels = data[order], matrix.index.to_numpy()[order]
    fig, ax = plt.subplots(figsize=(8.5, 11.0))
    im = ax.imshow(data, cmap="Blues", aspect="auto", interpolation="none")
    ax.set_xticks(range(matrix.shape[1]), [f"{c}\n" + textwrap.fill(names[c], 13) for c in matrix.columns],
                  fontsize=6.5)
    fits = len(labels) <= 120
    ax.set_yticks(range(len(labels)) if fits else [], labels if fits else [], fontsize=4)
    ax.set_ylabel(f"{len(labels)} studies, ordered by their leading category"
                  + ("" if fits else " (names in tables/study_category_matrix)"), fontsize=8)
    bar = fig.colorbar(im, ax=ax, label="coded segments", shrink=0.6)
    bar.solids.set_rasterized(False)  # matplotlib rasterizes a long colour bar at the figure's dpi
    ax.set_title("Coded segments per study and category", fontsize=10)
    fig.tight_layout()
    return fig


CONFIDENCE_COLORS = {"high": "#1b7837", "moderate": "#7fbf7b", "low": "#f4a582", "very low": "#b2182b",
                     "not assessed": "#9e9e9e"}


def cerqual_findings(soqf):
    """Each finding's contributing studies, the row in the colour of its GRADE-CERQual confidence (grey:
    not assessed): which studies carry a finding, and how much confidence the reviewers give it."""
    studies = sorted({s for v in soqf["studies"] for s in str(v).split(";") if s})
    fig, ax = plt.subplots(figsize=(8.5, 0.42 * max(len(soqf), 1) + 2.8))
    if not len(soqf) or not studies:
        return _nothing_yet(fig, ax, "Findings by confidence and contributing studies",
                            "No finding with contributing studies yet")
    for i, r in enumerate(soqf.to_dict("records")):
        xs = [studies.index(s) for s in str(r["studies"]).split(";") if s]
        ax.scatter(xs, [i] * len(xs), s=36, color=CONFIDENCE_COLORS.get(r["confidence"], "#9e9e9e"), zorder=3)
    ax.set_yticks(range(len(soqf)), [f"{r['finding_id']}: {r['confidence']}, {r['n_studies']} studies"
                                     for r in soqf.to_dict("records")], fontsize=8)
    fits = len(studies) <= 60
    ax.set_xticks(range(len(studies)) if fits else [], studies if fits else [], rotation=90, fontsize=7)
    ax.set_xlabel("contributing studies" + ("" if fits else f" ({len(studies)}; names in tables/cerqual_soqf)"),
                  fontsize=8)
    ax.set_ylim(len(soqf) - 0.5, -0.5)
    ax.grid(True, color="#e6e6e6", zorder=0)
    seen = [c for c in CONFIDENCE_COLORS if c in set(soqf["confidence"])]
    ax.legend(handles=[plt.Line2D([], [], marker="o", linestyle="", color=CONFIDENCE_COLORS[c], label=c)
                       for c in seen], title="GRADE-CERQual confidence", fontsize=7, title_fontsize=7,
              loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.set_title("Findings by confidence and contributing studies", fontsize=10)
    fig.tight_layout()
    return fig


def cooccurrence_network(links, codebook, core_id: str):
    """Categories as nodes, edges weighted by the number of studies in which both are coded."""
    import networkx as nx

    names = codebook.set_index("node_id")["name"]
    g = nx.Graph()
    for c in links.index:
        g.add_node(c)
    for a in links.index:
        for b in links.columns:
            if a < b and links.loc[a, b] > 0:
                g.add_edge(a, b, weight=int(links.loc[a, b]))
    pos = nx.circular_layout(sorted(g.nodes))  # deterministic, no random seed involved
    fig, ax = plt.subplots(figsize=(8, 7))
    ax.set_axis_off()
    if not len(g):
        return _nothing_yet(fig, ax, "Category co-occurrence within studies", "No category yet")
    weights = [g[u][v]["weight"] for u, v in g.edges]
    top = max(weights) if weights else 1
    nx.draw_networkx_edges(g, pos, ax=ax, width=[0.5 + 4 * w / top for w in weights], edge_color="#8a9aa9")
    nx.draw_networkx_edge_labels(g, pos, ax=ax, edge_labels={(u, v): g[u][v]["weight"] for u, v in g.edges},
                                 font_size=6)
    colors = [COLORS["core"] if n == core_id else COLORS["stage"] for n in g.nodes]
    nx.draw_networkx_nodes(g, pos, ax=ax, node_color=colors, node_size=900, edgecolors=COLORS["edge"])
    nx.draw_networkx_labels(g, pos, ax=ax, labels={n: n for n in g.nodes}, font_size=8)
    for n, (x, y) in pos.items():
        ax.text(x * 1.42, y * 1.24, textwrap.fill(names[n], 20), ha="center", va="center", fontsize=7)
    ax.set_xlim(-1.75, 1.75)
    ax.set_ylim(-1.5, 1.5)
    ax.set_title("Category co-occurrence within studies (edge = studies coding both)", fontsize=10)
    return fig


def saturation_plot(curve):
    """Distinct initial codes as studies are added: publication order and random-order band."""
    fig, ax = plt.subplots(figsize=(6.5, 4))
    if curve.empty:
        return _nothing_yet(fig, ax, "Saturation of the open coding", "No included study yet")
    ax.fill_between(curve["studies"], curve["codes_random_low"], curve["codes_random_high"], color="#c9d9ef",
                    label="random orders, 95% band")
    ax.plot(curve["studies"], curve["codes_random_mean"], color="#4a6fa5", linestyle="--", label="random orders, mean")
    ax.plot(curve["studies"], curve["codes_publication_order"], color="#b03a2e", marker="o", markersize=3,
            label="publication order")
    ax.set_xlabel("studies added")
    ax.set_ylabel("distinct initial codes")
    ax.set_title("Saturation of the open coding", fontsize=10)
    ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def _n(value) -> str:
    return _t("prisma.not_reported") if value is None else str(value)


OTHER_ARM = ("website_results", "organisation_results", "citations_results", "other_sought_reports",
             "other_assessed")


def prisma2020(c: dict):
    """The PRISMA 2020 flow diagram (Page et al. 2021) from ``prisma.counts`` or ``prisma.read_csv``.

    Identification, screening and included phases; per-source counts and exclusion reasons
    as the counts give them; the previous-studies arm when an earlier round included studies.
    """
    previous = c.get("previous_studies") or 0
    other = any(c.get(k) for k in OTHER_ARM)
    width = (9.5 if previous else 8.0) * (1.5 if other else 1.0)
    fig = plt.figure(figsize=(width, 9.0))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_axis_off()
    right = 0.64 if other else 0.97  # the other-methods arm takes the right third
    scale = (right - 0.08) / 0.89
    x0 = (0.30 if previous else 0.08) if not other else (0.22 if previous else 0.06)
    main_w = (0.34 if previous else 0.42) * (scale if other else 1.0)
    side_x = x0 + main_w + (0.03 if other else 0.05)
    side_w = right - side_x
    rows_y = [0.80, 0.62, 0.46, 0.30, 0.07]
    h = 0.13

    def listed(d):
        return "".join(_t("prisma.listed", name=k, n=v) for k, v in (d or {}).items())

    ident = _t("prisma.identified", n=_n(c.get("database_results"))) + listed(c.get("database_specific_results"))
    if c.get("register_results"):
        ident += _t("prisma.registers", n=c["register_results"]) + listed(c.get("register_specific_results"))
    removed = _t("prisma.removed", duplicates=_n(c.get("duplicates")), automatic=_n(c.get("excluded_automatic")),
                 other=_n(c.get("excluded_other")))
    reasons = c.get("dbr_excluded") or {}
    excluded_total = sum(reasons.values())
    def awaiting(phase):  # a review in progress: the records still waiting in that phase, in its side box
        n = c.get(f"pending_{phase}") or 0
        return _t(f"prisma.awaiting_{phase}", n=n) if n else ""

    boxes = [
        (ident, removed),
        (_t("prisma.screened", n=_n(c.get("records_screened"))),
         _t("prisma.excluded", n=_n(c.get("records_excluded"))) + awaiting("screening")),
        (_t("prisma.sought", n=_n(c.get("dbr_sought_reports"))),
         _t("prisma.not_retrieved", n=_n(c.get("dbr_notretrieved_reports"))) + awaiting("retrieval")),
        (_t("prisma.assessed", n=_n(c.get("dbr_assessed"))),
         _t("prisma.reports_excluded", n=excluded_total) + "".join(_t("prisma.reason", reason=k, n=v)
                                                                  for k, v in reasons.items())
         + awaiting("assessment")),
    ]
    for i, (main, side) in enumerate(boxes):
        _box(ax, x0, rows_y[i], main_w, h, main, COLORS["stage"], fontsize=8.5)
        _box(ax, side_x, rows_y[i], side_w, h, side, COLORS["excluded"], fontsize=8.5)
        _arrow(ax, (x0 + main_w, rows_y[i] + h / 2), (side_x, rows_y[i] + h / 2))
        if i:
            _arrow(ax, (x0 + main_w / 2, rows_y[i - 1]), (x0 + main_w / 2, rows_y[i] + h))
    included = _t("prisma.new_included", studies=_n(c.get("new_studies")), reports=_n(c.get("new_reports")))
    if previous:
        included += _t("prisma.total_included", studies=_n(c.get("total_studies")), reports=_n(c.get("total_reports")))
        _box(ax, 0.08, rows_y[0], 0.17, h, _t("prisma.previous", studies=previous, reports=_n(c.get("previous_reports"))),
             COLORS["excluded"], fontsize=8)
        ax.plot([0.165, 0.165], [rows_y[0], rows_y[4] + h / 2], transform=ax.transAxes, color=COLORS["edge"],
                linewidth=0.9)
        _arrow(ax, (0.165, rows_y[4] + h / 2), (x0, rows_y[4] + h / 2))
    if other:
        ox, ow, osx, osw = 0.67, 0.15, 0.84, 0.14
        ident_other = _t("prisma.other_identified") + "".join(
            _t("prisma.other_source", source=_t(label), n=_n(c.get(k)))
            for k, label in (("website_results", "prisma.websites"), ("organisation_results", "prisma.organisations"),
                             ("citations_results", "prisma.citations")))
        reasons_other = c.get("other_excluded") or {}
        for y, main, side in ((rows_y[0], ident_other, None),
                              (rows_y[2], _t("prisma.sought", n=_n(c.get("other_sought_reports"))),
                               _t("prisma.not_retrieved", n=_n(c.get("other_notretrieved_reports")))),
                              (rows_y[3], _t("prisma.assessed", n=_n(c.get("other_assessed"))),
                               _t("prisma.reports_excluded", n=sum(reasons_other.values()))
                               + "".join(_t("prisma.reason", reason=k, n=v) for k, v in reasons_other.items()))):
            _box(ax, ox, y, ow, h, main, COLORS["stage"], fontsize=7.5)
            if side:
                _box(ax, osx, y, osw, h, side, COLORS["excluded"], fontsize=7.5)
                _arrow(ax, (ox + ow, y + h / 2), (osx, y + h / 2))
        _arrow(ax, (ox + ow / 2, rows_y[0]), (ox + ow / 2, rows_y[2] + h))
        _arrow(ax, (ox + ow / 2, rows_y[2]), (ox + ow / 2, rows_y[3] + h))
        _arrow(ax, (ox + ow / 2, rows_y[3]), (x0 + main_w, rows_y[4] + h / 2))
        ax.text(ox + (0.98 - ox) / 2, rows_y[0] + h + 0.03, _t("prisma.other_heading"),
                ha="center", fontsize=9, fontweight="bold", transform=ax.transAxes)
    _box(ax, x0, rows_y[4], main_w, h + 0.03, included, COLORS["included"], fontsize=8.5)
    _arrow(ax, (x0 + main_w / 2, rows_y[3]), (x0 + main_w / 2, rows_y[4] + h + 0.03))
    for label, y0, y1 in ((_t("prisma.identification"), rows_y[0], rows_y[0] + h),
                          (_t("prisma.screening"), rows_y[3], rows_y[1] + h),
                          (_t("prisma.included"), rows_y[4], rows_y[4] + h + 0.03)):
        bar = FancyBboxPatch((0.005 if not previous else 0.005, y0), 0.035, y1 - y0,
                             boxstyle="round,pad=0,rounding_size=0.008", transform=ax.transAxes,
                             facecolor="#9cb8d9", edgecolor=COLORS["edge"], linewidth=0.6)
        ax.add_patch(bar)
        ax.text(0.0225, (y0 + y1) / 2, label, rotation=90, ha="center", va="center", fontsize=8,
                transform=ax.transAxes, fontweight="bold")
    if previous:
        ax.text(0.165, rows_y[0] + h + 0.03, _t("prisma.previous_heading"), ha="center", fontsize=8.5,
                fontweight="bold",
                transform=ax.transAxes)
    ax.text(x0 + (right - x0) / 2, rows_y[0] + h + 0.03, _t("prisma.heading"),
            ha="center", fontsize=9, fontweight="bold", transform=ax.transAxes)
    return fig
