"""The book build itself: it succeeds with warnings as errors, every notebook runs within its
time and memory budget, and the rendered pages carry no tracebacks, stderr or log noise."""

from __future__ import annotations

import html as html_lib
import json
import re
import sys

import pytest

import budgets as bd
from calibrate import MAX_FACTOR, REFERENCE_SECONDS
from conftest import NOTEBOOKS, ROOT, toc_files

pytestmark = pytest.mark.book

def record(key: str, value) -> None:
    """Keep a measurement in _build/test-report.json for maintainers (and closing notes)."""
    path = ROOT / "_build" / "test-report.json"
    path.parent.mkdir(exist_ok=True)
    report = json.loads(path.read_text()) if path.exists() else {}
    report[key] = value
    path.write_text(json.dumps(report, indent=2) + "\n")


def test_build_succeeds_with_warnings_as_errors(built_book):
    assert built_book.returncode == 0, "jupyter-book build failed:\n" + built_book.log[-6000:]
    assert "build succeeded" in built_book.log
    sphinx_warnings = re.findall(r"^.*: (?:WARNING|ERROR|CRITICAL):.*$", built_book.log, re.M)
    assert not sphinx_warnings, sphinx_warnings


def speed_factor(*speeds: dict) -> float:
    """How much slower than the machine the budgets were set on this one is (at least 1), from
    tests/calibrate.py's workload measured before and after the build: the slower of the two,
    since the machine's speed can change during a build.  A machine more than MAX_FACTOR times
    slower fails."""
    seconds = max(speed["seconds"] for speed in speeds)
    factor = seconds / REFERENCE_SECONDS
    assert factor <= MAX_FACTOR, (
        f"the calibration workload took {seconds:.1f} s, {factor:.1f} times the reference "
        f"{REFERENCE_SECONDS} s: too slow a machine to judge the time budgets")
    return max(1.0, factor)


def test_every_notebook_executed_within_budget(built_book, machine_speed, machine_speed_after):
    """Time budgets are safety nets (tests/budgets.py): the goal times a margin of 1.5, times
    this machine's measured speed; the goals themselves are recorded, not asserted."""
    assert built_book.returncode == 0, built_book.log[-3000:]
    stems = {nb.stem for nb in NOTEBOOKS}
    assert set(built_book.exec_seconds) == stems, (
        f"execution times found for {sorted(built_book.exec_seconds)}, notebooks {sorted(stems)}")
    report = ", ".join(f"{k}: {v:.1f} s" for k, v in sorted(built_book.exec_seconds.items()))
    factor = speed_factor(machine_speed, machine_speed_after)
    total = sum(built_book.exec_seconds.values())
    print("notebook execution times:", report, f"; the whole book {total:.0f} s")
    print(f"calibration workload {machine_speed['seconds']:.2f} s before the build, "
          f"{machine_speed_after['seconds']:.2f} s after: budgets x {factor:.2f}")
    record("notebook_seconds", built_book.exec_seconds)
    record("calibration", {**machine_speed, "after_build": machine_speed_after,
                           "reference_seconds": REFERENCE_SECONDS,
                           "budget_factor": round(factor, 3)})
    record("time_goals_missed", {
        stem: round(seconds, 1) for stem, seconds in sorted(built_book.exec_seconds.items())
        if seconds > bd.goal_seconds(stem)})
    for stem, seconds in built_book.exec_seconds.items():
        allowed = bd.time_budget(stem) * factor
        assert seconds <= allowed, (
            f"{stem} took {seconds:.1f} s > {bd.time_budget(stem):.0f} s x {factor:.2f} "
            f"(this machine's speed) = {allowed:.0f} s")
    assert total <= bd.book_time_budget() * factor, (
        f"the whole book took {total:.0f} s > {bd.book_time_budget():.0f} s x {factor:.2f}")


def test_chapters_that_meet_their_goals_are_not_listed_as_missing_them():
    """tests/budgets.py's NOT_YET_AT_GOAL only names real chapters, each missing a goal: a
    chapter listed there has a budget above its goal's, so it must be a real exception."""
    stems = {nb.stem for nb in NOTEBOOKS}
    assert set(bd.NOT_YET_AT_GOAL) <= stems, set(bd.NOT_YET_AT_GOAL) - stems
    for stem, (seconds, peak) in bd.NOT_YET_AT_GOAL.items():
        assert seconds > bd.goal_seconds(stem) or peak > bd.GOAL_MEMORY_MB, (
            f"{stem} meets its goals ({seconds} s, {peak} MB): remove it from NOT_YET_AT_GOAL")


def test_every_kernel_stays_within_memory_budget(built_book):
    """Each kernel's peak (recorded by the kernel itself as it exits) against its chapter's
    memory budget.  Sphinx reads documents in sorted order, so the kernels, in start order,
    are the notebooks in sorted order (test_instructors_table_reports_this_builds_measurements
    checks the pairing against the peak each chapter glues)."""
    assert built_book.returncode == 0, built_book.log[-3000:]
    assert len(built_book.kernels) == len(NOTEBOOKS), (
        f"expected one kernel record per notebook, got {built_book.kernels}")
    peaks = {nb.stem: round(kernel["peak_mb"])
             for nb, kernel in zip(NOTEBOOKS, built_book.kernels, strict=True)}
    print("kernel peak memory (MB):", peaks)
    record("kernel_peak_mb", peaks)
    record("memory_goals_missed",
           {stem: peak for stem, peak in peaks.items() if peak > bd.GOAL_MEMORY_MB})
    for stem, peak in peaks.items():
        assert peak <= bd.memory_budget_mb(stem), (
            f"{stem}'s kernel peaked at {peak} MB > {bd.memory_budget_mb(stem):.0f} MB")


def pages(built_book):
    return {f: (built_book.html / f).with_suffix(".html") for f in toc_files()}


def test_every_toc_page_is_rendered(built_book):
    for name, path in pages(built_book).items():
        assert path.exists(), f"{name} was not rendered to {path}"


NOISE = [
    (re.compile(r"Traceback \(most recent call last\)"), "a traceback"),
    (re.compile(r'class="[^"]*\boutput stderr\b'), "a stderr output"),
    (re.compile(r"\b(Warning|WARNING|W0000|I0000|E0000)\b[:\]]"), "a warning or log line"),
    (re.compile(r"tensorflow/|oneDNN|cuda_|absl::"), "TensorFlow log noise"),
    (re.compile(r"\{glue:|\{cite:"), "an unresolved glue or cite role"),
]


def test_rendered_pages_show_no_errors_or_noise(built_book):
    for name, path in pages(built_book).items():
        html = path.read_text()
        for pattern, what in NOISE:
            if name.startswith("book/api/") and what == "TensorFlow log noise":
                continue    # utils.quiet's docstring names the noise it silences
            match = pattern.search(html)
            if match:
                context = html[max(0, match.start() - 200):match.end() + 200]
                pytest.fail(f"{name} shows {what}: ...{context}...")


def test_chapters_have_exercises_solutions_and_captioned_figures(built_book):
    for nb in NOTEBOOKS:
        html = (built_book.html / "notebooks" / nb.name).with_suffix(".html").read_text()
        exercises = re.findall(r'class="[^"]*\bexercise\b', html)
        solutions = re.findall(r'class="[^"]*\bsolution\b[^"]*\bdropdown\b', html)
        assert len(exercises) >= 3, f"{nb.stem}: {len(exercises)} exercises"
        assert len(solutions) >= 3, f"{nb.stem}: {len(solutions)} folded solutions"
        figures = re.findall(r"<figure.*?</figure>", html, flags=re.S)
        assert figures, f"{nb.stem} has no captioned figure"
        for fig in figures:
            assert "<figcaption" in fig, f"{nb.stem}: a figure without caption"
            alts = re.findall(r'<img[^>]*alt="([^"]*)"', fig)
            assert alts and all(a.strip() for a in alts), f"{nb.stem}: image without alt text"
        # solutions are executed: their code cells have outputs inside the solution block
        assert "cell_output" in html


def glued(built_book, stem: str) -> dict[str, str]:
    """The values a notebook glued into its prose (their text/plain reprs), from the
    ``<stem>.glue.json`` that myst-nb writes beside the executed notebook."""
    path = built_book.html.parent / "jupyter_execute" / "notebooks" / f"{stem}.glue.json"
    return {name: next(v for k, v in out["data"].items() if k.endswith("text/plain"))
            for name, out in json.loads(path.read_text()).items()}


def number(text: str) -> float:
    """The number in a glued value's repr: '0.9', 'np.float64(0.9)' or '3'."""
    match = re.search(r"-?\d+(?:\.\d*)?(?:e[-+]?\d+)?", text)
    assert match, f"no number in glued value {text!r}"
    return float(match.group())


def test_chapter_5c_prose_claims_hold(built_book):
    """The claims chapter 5c's prose makes around its glued numbers, and issue 9's acceptance:
    the codes beat colour by 0.15 mean IoU on the noisy landscape."""
    assert built_book.returncode == 0, built_book.log[-3000:]
    g = {k: number(v) for k, v in glued(built_book, "05c_autoencoder_segmentation").items()
         if k not in ("sweep_best", "worst_other_name", "val_losses", "loss_order")}
    record("05c_mean_iou", {k: round(v, 3) for k, v in g.items() if k.startswith(
        ("ae_", "colour", "multiscale", "SOM"))})
    assert g["ae_mean_noisy"] - g["colour_noisy"] >= 0.15
    assert g["ae_mean_texture"] > g["colour_texture"]              # "better than colour"
    assert g["multiscale_texture"] < g["colour_local_std_texture"]  # smoothing fails texture
    assert g["ceiling16"] < g["colour_clean"]                       # "below plain colour"
    assert g["worst_ae"] > g["worst_other"]                         # best worst case
    assert g["err_rebuilt"] < 0.5 * g["err_noisy"]                  # "removes most noise"
    assert g["ae_mean_clean"] < g["colour_clean"]                   # "a little below"
    assert abs(g["ae_mean_noisy"] - g["multiscale_noisy"]) < 0.05   # "close to smoothing"
    assert g["ae_min_texture"] <= g["ae_mean_texture"] <= g["ae_max_texture"]


def test_chapter_6_prose_claims_hold(built_book):
    """The claims chapter 6's prose makes around its glued numbers (issue 14)."""
    assert built_book.returncode == 0, built_book.log[-3000:]
    raw = glued(built_book, "06_your_own_grids")
    g = {k: number(v) for k, v in raw.items() if not any(c.isalpha() for c in
                                                         v.replace("np.float64", ""))}
    record("06_results", {k: round(v, 3) for k, v in g.items()})
    assert g["leak_low"] <= g["leak_majority"] and "no better" in raw["leak_verdict"]
    assert g["lat_book5"] > 0.9 and g["lat_ours5"] < 0.1              # lattice / no lattice
    # the counts stay near the largest class; relation-aware methods far above it
    assert g["cls_level_counts_low"] <= g["cls_largest_class_acc"] <= g[
        "cls_level_counts_high"]
    for name in ("directional_network", "directional_features"):
        assert g[f"cls_{name}_low"] > g["cls_largest_class_high"] + 0.3
    # pixels and counts know nothing; the distractors dominate the full features
    assert g["clu_level_counts_nmi"] < 0.05 and g["clu_PCA_of_pixels_nmi"] < 0.05
    best = g["clu_block_2_levels_1-2_GMM_nmi"]
    assert best > g["clu_directional_block_5_high"] and best > g["clu_directional_block_2_high"]
    # shift: no flag and the same accuracy as generated; distractor strays flagged but harmless;
    # strays of every level flagged and harmful
    assert "none" in raw["shift_same_flagged"] and g["shift_same_acc"] > 0.9
    same = g["shift_same_acc"]
    assert "3, 4" in raw["shift_s34_flagged"] and abs(g["shift_s34_acc"] - same) < 0.03
    assert "1, 2, 3, 4" in raw["shift_s14_flagged"] and g["shift_s14_acc"] < same - 0.1
    # "a low top probability is a second alarm ... here its confidence fell"
    assert "falls" in raw["conf_moves"] and g["shift_s14_conf"] < g["shift_same_conf"] - 0.1
    # the mixture: by the silhouette "no better separated" than k-means, so nothing without
    # labels prefers it
    assert "no better" in raw["sil_gmm_verdict"] and g["sil_pairs_gmm"] <= g["sil_pairs_km"]
    # without the self-relations k-means does far better ("most of what k-means followed")
    assert g["dir_pair_low"] > g["clu_block_2_levels_1-2_high"] + 0.1
    # the exercise: flat on `pairs` ("not well separated at any k"), the classes on the
    # relations between the two levels
    assert g["sil_high"] - g["sil_low"] < 0.05 and g["sil_high"] < 0.3
    assert g["sil2_best"] == 4 and g["sil2_high"] > g["sil_high"] + 0.2


def test_chapter_2_other_clusterers_prose_claims_hold(built_book):
    """The claims of chapter 2's "Beyond k-means" section and its table (issue 12)."""
    assert built_book.returncode == 0, built_book.log[-3000:]
    raw = glued(built_book, "02_kmeans_segmentation")
    g = {k: number(v) for k, v in raw.items() if re.search(r"\d", v) and k.startswith(
        ("gmm_", "agglo_", "db_", "kmeans_", "noisy_colour", "uncertain", "full_var", "link_",
         "hdb_", "homed_", "smallest_", "band_"))}
    assert "tied" in raw["gmm_best_clean"]
    record("02_other_clusterers", {k: round(v, 3) for k, v in g.items()})
    # tied mixture: best on the clean image; full covariances collapse onto the blends
    assert g["gmm_tied_clean"] > g["kmeans_clean"] > g["gmm_full_clean"] + 0.2
    assert g["full_var_clean"] < 1e-3 < g["full_var_noisy"]
    assert g["gmm_tied_noisy"] > g["noisy_colour_miou"]            # "a little above k-means"
    assert g["uncertain_in_band"] > 90                               # uncertainty on the blends
    # agglomerative: contiguity fails, superpixels are the best on the noisy image
    assert g["agglo_four_clean"] < 0.5 < g["agglo_super_clean"]
    assert g["agglo_super_noisy"] > max(g["gmm_tied_noisy"], g["noisy_colour_miou"])
    assert g["gmm_tied_clean"] > g["agglo_super_clean"]
    # DBSCAN: one cluster on the clean image, never four terrains
    assert raw["db_clean_clusters"].strip("'\"") == "1, 1, 1" and g["db_best"] < 0.5
    assert "largest k tried" in raw["bic_k"]
    # linkage: single linkage chains into one huge region on both images, average on the noisy
    # one; Ward, complete and average close on the clean image; Ward best on the noisy one
    for name in ("clean", "noisy"):
        assert g[f"link_single_{name}_largest"] > 50 > 2 * g[f"link_ward_{name}_largest"]
        assert g[f"link_single_{name}_iou"] < g[f"link_ward_{name}_iou"] - 0.3
    assert g["link_average_noisy_largest"] > 3 * g["link_ward_noisy_largest"]
    assert g["link_average_noisy_iou"] < g["link_ward_noisy_iou"] - 0.2
    assert g["link_clean_spread"] < 0.05 and raw["link_noisy_best"].strip("'\"") == "ward"
    # HDBSCAN: pure cores on the clean image, noise in the blends; at 200 four clusters that
    # miss the smallest terrain; at most two clusters on the noisy image, none at 200
    assert g["hdb_clean_100_clusters"] > 4 and g["hdb_purity_100"] > 99
    assert g["hdb_band_clean_100"] > 95 > 2 * g["band_share"]
    assert g["hdb_clean_100_iou"] > g["db_best"] + 0.3
    assert g["hdb_clean_200_clusters"] == 4 and g["hdb_clean_200_terrains"] < 4
    assert g["smallest_noise_200"] > 95
    assert g["hdb_noisy_max"] <= 2 and g["hdb_noisy_200_clusters"] == 0
    assert g["hdb_noisy_200_noise"] == 100
    # homing the noise recovers k-means' score at 100, not at 200 (a terrain has no core)
    assert "as good as" in raw["homed_vs_kmeans"] and g["homed_100"] >= g["kmeans_clean"] - 0.01
    assert g["homed_200"] < g["homed_100"] - 0.2


def test_instructors_table_reports_this_builds_measurements(built_book):
    """The instructors' table (generated by book/_ext/build_report.py) lists every notebook with
    the execution time this build logged and the peak memory its kernel glued, and that peak
    agrees with the one measured from outside the kernel (issue 13)."""
    assert built_book.returncode == 0, built_book.log[-3000:]
    html = (built_book.html / "book" / "instructors.html").read_text()
    table = re.search(r'<table[^>]*chapter-resources.*?</table>', html, flags=re.S)
    assert table, "no chapter-resources table on the instructors' page"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(0), flags=re.S)

    def cells(row):
        return [re.sub(r"<[^>]+>", "", c).strip()
                for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)]

    body = [cells(r) for r in rows[1:]]
    assert len(body) == len(NOTEBOOKS) + 1, body        # a row per notebook, and the total
    assert [b[0] for b in body[:-1]] == [title(nb.stem) for nb in NOTEBOOKS]
    peaks_outside = [k["peak_mb"] for k in built_book.kernels]
    for nb, row, outside in zip(NOTEBOOKS, body, peaks_outside, strict=False):
        assert float(row[1]) == pytest.approx(built_book.exec_seconds[nb.stem], abs=0.051), row
        inside = number(glued(built_book, nb.stem)["peak_mb"])
        assert float(row[2].replace(",", "")) == pytest.approx(inside, abs=0.51), row
        # the last cell runs just before the kernel exits: the same peak, seen from inside
        assert 0.9 * outside <= inside <= outside + 1, (nb.stem, inside, outside)
    total = float(body[-1][1])
    assert total == pytest.approx(sum(built_book.exec_seconds.values()), abs=0.1 * len(NOTEBOOKS))
    machine = re.search(r'chapter-resources-machine[^>]*>\s*Measured on: ([^<]+)', html)
    assert machine and "CPU core" in machine.group(1), "the machine is not named"


def title(stem: str) -> str:
    nb = json.loads((ROOT / "notebooks" / f"{stem}.ipynb").read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            first = "".join(cell["source"]).split("\n")[0]
            if first.startswith("# "):
                return first[2:].strip()
    raise AssertionError(f"{stem} has no title")


GLUE_ROLE = re.compile(r"\{glue:text\}`([^`]+?)::([^`]+):([^:`]*)`")


def test_methods_page_pastes_the_chapters_numbers(built_book):
    """Every number of "Which method when" is pasted from a chapter: each glue reference of the
    page's source appears in the built page formatted from that chapter's glued value."""
    assert built_book.returncode == 0, built_book.log[-3000:]
    source = (ROOT / "book" / "methods.md").read_text()
    html = (built_book.html / "book" / "methods.html").read_text()
    pasted = re.findall(r'<span class="pasted-text">([^<]*)</span>', html)
    references = GLUE_ROLE.findall(source)
    assert len(references) >= 40, "the page pastes fewer numbers than expected"
    assert len(pasted) == len(references), (len(pasted), len(references))
    for (doc, key, fmt), shown in zip(references, pasted, strict=True):
        value = glued(built_book, doc.rsplit("/", 1)[-1].removesuffix(".ipynb"))[key]
        if fmt.endswith("d"):
            expected = format(int(number(value)), fmt)
        elif fmt[-1] in "feg%":
            expected = format(number(value), fmt)
        else:
            expected = value.strip("'\"")
        assert html_lib.unescape(shown) == expected, (key, shown, expected)


def test_the_site_offers_the_student_edition_of_these_notebooks(built_book):
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    import student_edition

    site_zip = built_book.html / student_edition.ZIP_NAME
    assert site_zip.exists(), "the build wrote no student edition"
    fresh = built_book.html.parent / "fresh-student-edition.zip"
    student_edition.write_zip(student_edition.build(), fresh)
    assert site_zip.read_bytes() == fresh.read_bytes(), "the site's zip is not today's notebooks"


def test_chapter_4b_per_tile_scaling_claims_hold(built_book):
    """Chapter 4b's section on the source article's per-tile min-max scaling (issue 12)."""
    assert built_book.returncode == 0, built_book.log[-3000:]
    raw = glued(built_book, "04b_multilabel_multiband")
    g = {k: number(raw[k]) for k in ("minmax_f1", "const_f1", "norm_f1", "drift_norm_f1",
                                     "drift_minmax_f1", "long_minmax_f1", "long_best_lost",
                                     "drift_max")}
    record("04b_per_tile_scaling", {k: round(v, 3) for k, v in g.items()})
    assert abs(g["minmax_f1"] - g["const_f1"]) < 0.02             # "the constant answer's score"
    assert "water" in raw["minmax_lost"] and "snow" in raw["minmax_lost"]
    assert g["drift_minmax_f1"] == g["minmax_f1"]                 # immune to the drift
    assert g["minmax_f1"] < g["drift_norm_f1"] < g["norm_f1"]     # hurt, still far better
    assert g["long_minmax_f1"] < g["norm_f1"] - 0.1 and g["long_best_lost"] < 0.3   # budget


def test_chapter_4c_claims_hold(built_book):
    """Chapter 4c (issue 12): side by side against stacked, the seam probes, separable
    convolutions, focal loss; the words its prose puts around the glued numbers."""
    assert built_book.returncode == 0, built_book.log[-3000:]
    raw = glued(built_book, "04c_side_by_side")
    words = ("side_worst", "edge_side_vs_stacked",
             "water_focal_verdict", "snow_focal_verdict", "grouped_verdict",
             "grouped_consequence", "split_pool_verdict", "machine",
             "w16_time_verdict", "w64_time_verdict")
    g = {k: number(v) for k, v in raw.items() if k not in words}
    w = {k: raw[k].strip("'\"") for k in words}
    record("04c_side_by_side", {k: round(v, 3) for k, v in g.items()})
    # side by side loses, forest most ("the one biome that needs all three bands"), and is slower
    assert g["side_f1"] < g["stacked_f1"] - 0.02 and w["side_worst"] == "forest"
    # How much slower an epoch is (side_epoch_ratio) is glued, not asserted: a ratio of two
    # wall-clock times from one run measured 2.3 here and 1.23 on a busy machine (issue 26).
    # per-part convolutions recover the score
    assert g["part_gap"] < 0.02 and g["part_f1"] > g["side_f1"] + 0.02
    # probes: the edges are hard for everyone; the side-by-side network's extra false alarms
    assert g["edge_worst_gap"] > 0.1 and g["n_edge"] >= 200
    for key in ("stacked", "side", "part"):
        assert g[f"{key}_edge_high"] < g[f"{key}_inner_low"]             # "far less often"
    assert g["side_alarm_low"] > g["stacked_alarm_high"]               # separated, not noise
    assert g["side_alarm_low"] > g["part_alarm_high"]
    assert w["edge_side_vs_stacked"] != "lower than"                   # "as the probes suggested"
    assert g["split_pool_share"] > 0.8
    # the seam's share of outputs (exercise): pure arithmetic
    assert abs(g["seam_share1"] - 4 / 96) < 1e-12 and abs(g["seam_share2"] - 8 / 48) < 1e-12
    # separable convolutions: weights and multiply-adds cut at any width, same score. The
    # seconds are one run's and are not asserted (issue 34): only that the words around them
    # say what the glued shares say.
    assert g["w16_param_share"] < 0.25 and g["w64_param_share"] < 0.2
    assert g["w16_macs_share"] < 0.35 and g["w64_macs_share"] < g["w16_macs_share"]
    for width in (16, 64):
        ratio = g[f"w{width}_time_share"] / g[f"w{width}_macs_share"]
        verdict = ("far less than" if ratio > 1.5 else
                   "about as much as" if ratio > 1 / 1.5 else "more than")
        assert w[f"w{width}_time_verdict"] == verdict
    assert g["w64_f1_gap"] < 0.01
    # focal loss: the words match the numbers; shares as the prose says
    for biome in ("water", "snow"):
        smaller = g[f"{biome}_loss_gap"] < g[f"{biome}_seed_spread"]
        assert w[f"{biome}_focal_verdict"] == ("smaller than" if smaller else "larger than")
        assert smaller           # book/methods.md: "by less than the spread between seeds"
    assert g["water_share"] < g["snow_share"] < 0.3                    # "the rarest labels"
    # grouped filters "cost nothing here"; the consequence drawn matches the spread
    assert g["grouped_gap"] > -0.01
    within = abs(g["grouped_gap"]) <= g["micro_seed_spread"]
    assert (w["grouped_verdict"] == "within") == within


def test_chapter_4a_budget_and_objects_anywhere_claims_hold(built_book):
    """Chapter 4a's sections on budgets and on objects anywhere (issue 12): the words its prose
    puts around the glued numbers."""
    assert built_book.returncode == 0, built_book.log[-3000:]
    raw = glued(built_book, "04a_relations_cnn")
    words = ("climbers", "order_budget", "order_final", "order_changed", "rel_verdict",
             "stem2_vs_5", "stem2_vs_lattice", "stem10_verdict", "order_reading")
    w = {k: raw[k].strip("'\"") for k in words}
    g = {k: number(raw[k]) for k in raw if k.startswith(("lattice", "anywhere", "stem2_",
                                                          "hidden", "dir_lead", "rel_",
                                                          "n_epochs"))
         and k not in words}
    record("04a_budget_and_anywhere", {**{k: round(v, 3) for k, v in g.items()}, **w})
    # "no network closed the gap": the directional lead holds at every epoch from the second
    assert g["dir_lead"] > 0.05
    assert (w["order_changed"] == "changes") == (w["order_budget"] != w["order_final"])
    # "their ranking is about the budget" only when two more epochs changed it
    assert (w["order_changed"] == "changes") == w["order_reading"].endswith("the budget")
    assert (w["rel_verdict"] == "not the budget") == (g["rel_gain"] < 0.02)
    # objects anywhere: the lattice was worth something; finer stems buy accuracy with time
    assert g["lattice_worth"] > 0.02
    assert g["anywhere10_acc"] < g["anywhere5_acc"] < g["anywhere2_acc"]
    # "at ... times the multiply-adds": counted, not timed (the seconds are one run's, issue 34)
    assert g["stem2_macs"] > 1.5
    assert (w["stem10_verdict"] == "no better than chance") == (g["anywhere10_low"] <= 0.5)
    assert w["stem2_vs_5"] == ("separates" if g["anywhere2_low"] > g["anywhere5_high"]
                               else "does not separate")
    # the exercise: "the shares fall with the block size as the errors do"
    assert g["hidden10"] > g["hidden5"] > g["hidden2"]


def test_chapter_7_real_data_claims_hold(built_book):
    """Chapter 7 (issue 27): the words its prose puts around the glued numbers."""
    assert built_book.returncode == 0, built_book.log[-3000:]
    raw = glued(built_book, "07_real_data")
    words = ("best_digit_net", "pix_vs_dir", "dir_same", "best_digit_clu", "arc_best",
             "arc_dir_vs_counts", "arc_all_above_chance", "slopes_verdict", "machine")
    w = {k: raw[k].strip("'\"") for k in words}
    g = {k: number(v) for k, v in raw.items() if k not in words}
    record("07_real_data", {**{k: round(v, 3) for k, v in g.items()}, **w})
    # digits: pixels far ahead of relations; counts above the largest class; saturation
    assert w["pix_vs_dir"] == "far ahead of"
    assert g["dcls_pixels_low"] > g["dcls_directional_features_high"] + 0.1
    assert g["dcls_level_counts_low"] > g["dcls_largest_class_high"]
    assert g["dir_saturated"] > 60                      # "almost every digit"
    net = "cnn_pool" if w["best_digit_net"].startswith("cnn_pool") else "directional"
    assert g[f"dcls_{net}_network_acc"] >= max(g["dcls_cnn_pool_network_acc"],
                                               g["dcls_directional_network_acc"])
    # moved: pixels collapse, directional features identical, pooling keeps most of its score
    assert g["dmov_pixels_acc"] < g["dcls_pixels_acc"] - 0.5 and g["pixel_drop"] > 0.5
    assert w["dir_same"] == "exactly the same"
    assert g["dmov_directional_features_acc"] == g["dcls_directional_features_acc"]
    assert g["pool_gap"] < 0.05
    # clustering: the reference points (about 0.74 and 0.9), relations hardly above counts
    assert 0.68 < g["dclu_pixels_nmi"] < 0.8 and g["dclu_t_SNE_of_the_PCA_nmi"] > 0.85
    assert w["best_digit_clu"] == "t-SNE of the PCA"
    assert g["dclu_directional_features_nmi"] - g["dclu_level_counts_nmi"] < 0.05
    assert g["dclu_contrastive_encoder_nmi"] < g["dclu_pixels_nmi"]
    # "four epochs of training added little" over the same network untrained
    assert abs(g["dclu_contrastive_encoder_nmi"] - g["dclu_untrained_encoder_nmi"]) < 0.1
    # co-occurrence: local texture classifies "much better" than the directional counts,
    # clusters at "only" a fraction of the pixels; moves only in its background pairs
    assert g["dcls_co_occurrence_low"] > g["dcls_directional_features_high"] + 0.1
    assert g["dclu_co_occurrence_nmi"] < 0.5 * g["dclu_pixels_nmi"]
    assert g["dmov_co_occurrence_acc"] < g["dcls_co_occurrence_acc"]
    # ARC: NMI inflated by chance; every representation above chance by AMI; colours first
    assert g["arc_directional_features_chance_nmi"] > 0.3
    assert w["arc_all_above_chance"] == "every"
    for name in ("shape", "colours_present", "colour_counts", "pixels_padded",
                 "directional_features", "co_occurrence", "directional_and_colours"):
        assert g[f"arc_{name}_ami_low"] > g[f"arc_{name}_chance_ami_high"], name
    assert w["arc_best"] == "colour counts" and w["arc_dir_vs_counts"] == "below"
    assert g["arc_directional_features_ami_high"] < g["arc_colour_counts_ami_low"]
    # the gallery's clusters: one catch-all, and many of a single grid
    assert g["arc_largest"] > 0.2 * g["arc_grids"] and g["arc_median_size"] <= 2
    assert g["arc_singletons"] > 0.5 * g["arc_clusters"]
    # terrain: real spectra flatter than every Perlin seed; skewed heights; sea level
    assert w["slopes_verdict"] == "flatter than every"
    assert g["jack_slope"] > g["perlin_slope_high"] and g["van_slope"] > g["perlin_slope_high"]
    assert g["jack_water"] > g["perlin_water"] + 15
    assert abs(g["sea_share"] - g["water_default"]) < 5          # "a coincidence"
    # the real segmentation: a little above the map's proportions; glaciers on pale ground
    assert g["circular_iou"] > 0.9
    assert 0 < g["rmnp_gain"] < 0.15 and g["rmnp_agree"] > g["rmnp_chance"]
    assert g["rmnp_glacier"] > 1.5 * g["rmnp_pale"]


def test_co_occurrence_baselines_claims_hold(built_book):
    """Issue 23: the classical co-occurrence and adjacency baselines in chapters 4a, 5b and 6,
    and the words their prose puts around them."""
    assert built_book.returncode == 0, built_book.log[-3000:]
    a = {k: number(v) for k, v in glued(built_book, "04a_relations_cnn").items()
         if k.startswith("acc_")}
    b = {k: number(v) for k, v in glued(built_book, "05b_relational_latent_space").items()
         if k.startswith(("co_occurrence", "adjacency", "directional", "relation_facts",
                          "counts", "contrastive", "PCA_pixels"))}
    c = {k: number(v) for k, v in glued(built_book, "06_your_own_grids").items()
         if k.startswith(("cls_", "clu_")) and not v.startswith(("'", '"'))}
    record("co_occurrence", {"04a": a, "05b": b, "06": c})
    # 4a: far below the directional network; "mostly through the background pairs";
    # "longer offsets help a little"; undirected adjacency at chance
    assert a["acc_cooc"] < a["acc_dir"] - 0.2
    assert a["acc_cooc_nobg"] < a["acc_cooc"] - 0.05 and a["acc_cooc_nobg"] < 0.56
    assert a["acc_cooc"] < a["acc_cooc16"] < a["acc_dir"] - 0.1
    assert a["acc_adjacency"] < 0.56
    # 5b: pairs at one short offset "see little of what separates" the families
    assert b["co_occurrence_high"] < b["directional_low"]
    assert b["adjacency_nmi"] < b["directional_low"]
    # "where they do not (relations, directional, encoder against counts, co-occurrence,
    # adjacency and PCA on pixels), the ranking is clear"
    for good in ("relation_facts", "directional", "contrastive"):
        for poor in ("counts", "co_occurrence", "adjacency", "PCA_pixels"):
            assert b[f"{good}_low"] > b[f"{poor}_high"], (good, poor)
    # 6: far below the directional features at distances 1-4; far better once the offsets
    # cover the 7-18 cells between the objects
    assert c["cls_co-occurrence_d_1-4_high"] < c["cls_directional_features_low"]
    assert c["cls_co-occurrence_d_1-16_low"] > c["cls_co-occurrence_d_1-4_high"]
    assert c["clu_co-occurrence_d_1-16_nmi"] < c["clu_block_2_levels_1-2_GMM_low"]


def test_encoder_off_the_lattice_claims_hold(built_book):
    """Issue 24: the contrastive encoder with views made from objects, on chapter 5b's families
    drawn anywhere and on chapter 6's grids; the levels and the number of clusters chosen
    without labels; and the words the prose puts around them."""
    assert built_book.returncode == 0, built_book.log[-3000:]
    raw_b = glued(built_book, "05b_relational_latent_space")
    b = {k: number(v) for k, v in raw_b.items()
         if k.startswith(("any_", "stab_")) and not k.endswith("_edge") and k != "any_dir_vs_cl"}
    raw_c = glued(built_book, "06_your_own_grids")
    c = {k: number(v) for k, v in raw_c.items()
         if k.startswith(("enc_", "dir_pair_", "stab_"))
         and k not in ("dir_pair_levels", "enc_choice", "enc_sil_pick", "stab_vs_sil",
                       "enc_carriers")}
    record("encoder_anywhere", {"05b": b, "06": c,
                                "levels": [raw_c["dir_pair_levels"], raw_c["enc_choice"]]})
    # 5b: off the lattice; counts at chance; the encoder groups by family, not by place
    assert b["any_lattice"] < 0.1 and b["any_counts_nmi"] < 0.05
    assert b["any_contrastive_nmi"] >= 0.85 and b["any_contrastive_pos"] < 0.05
    # issue 38: "above / level with / below the encoder", judged by the two intervals
    word = ("above" if b["any_directional_low"] > b["any_contrastive_high"] else "below"
            if b["any_directional_high"] < b["any_contrastive_low"] else "level with")
    assert word in raw_b["any_dir_vs_cl"]
    # "never reaches 0.95": stability fails on the families
    assert b["stab_k6_top"] < 0.95 and b["stab_k12_top"] < 0.95
    # "(the largest k tried...)" exactly when the most stable k is the last one tried
    for key in ("stab_k6", "stab_k12"):
        assert ("largest k tried" in raw_b[f"{key}_edge"]) == (b[key] == b["stab_k_max"]), key
    # 6: the silhouette of the directional features picks levels 1 and 2
    assert "1 and 2" in raw_c["dir_pair_levels"]
    assert c["dir_pair_sil"] > c["dir_pair_sil_next"]
    # issue 38: the encoder's largest excess over scattered grids picks levels 1-2 and k = 4,
    # without labels or k; "every other representation at most ..."
    assert "1-2" in raw_c["enc_choice"] and c["enc_k"] == 4
    assert c["enc_excess"] > 2 * c["enc_excess_next"]
    # "Here the list holds 1 representation: levels 1-2 (k = 4)": one carrier, the choice
    assert raw_c["enc_carriers"].strip("'") == "1 representation: levels 1-2 (k = 4)"
    assert c["enc_nmi"] >= 0.85 and c["enc_pos_nmi"] < 0.05
    assert c["enc_all_nmi"] < 0.1                      # all levels at once: the failure
    # "highest plain silhouette belongs to ... as well"
    assert raw_c["enc_sil_pick"].strip("'") == raw_c["enc_choice"].strip("'")
    # the largest stable k is the number of classes; k = 2 merges classes reproducibly
    assert c["stab_k"] == 4 and c["stab_after"] < 0.95 and c["stab_k2"] >= 0.95
    assert ("agrees" in raw_c["stab_vs_sil"]) == (c["stab_k"] == c["enc_k"])


def test_every_page_states_the_licences(built_book):
    """Issue 26: the footer of every page gives the licence of the text and of the code."""
    assert built_book.returncode == 0, built_book.log[-3000:]
    pages = sorted(built_book.html.rglob("*.html"))
    chapters = [p for p in pages if p.parent.name == "notebooks"]
    assert chapters, "no chapter pages were built"
    for page in chapters + [built_book.html / "book" / "intro.html"]:
        text = page.read_text()
        assert "creativecommons.org/licenses/by/4.0" in text and "MIT" in text, page.name


@pytest.mark.parametrize("stem", ["05b_relational_latent_space", "06_your_own_grids",
                                  "07_real_data"])
def test_printed_output_fits_the_page(built_book, stem):
    """Issue 39: what the chapters read as a student prints fits the page (79 characters, as
    their code does): tables and long lines no longer scroll off at 1280 px."""
    assert built_book.returncode == 0, built_book.log[-3000:]
    path = built_book.html.parent / "jupyter_execute" / "notebooks" / f"{stem}.ipynb"
    nb = json.loads(path.read_text())
    wide = [(i, line) for i, cell in enumerate(nb["cells"]) for out in cell.get("outputs", [])
            if out.get("output_type") == "stream"
            for line in "".join(out["text"]).splitlines() if len(line) > 79]
    assert not wide, f"{stem}: printed lines wider than 79 characters: {wide[:5]}"


API_PAGES = ("landscapes", "relations", "latent", "data", "plotting")


def test_api_reference_has_sources_and_names_the_chapters(built_book):
    """Issue 36: the API pages are generated from the docstrings, every entry has a [source]
    link to the code that runs and ends with the chapters that use it."""
    assert built_book.returncode == 0, built_book.log[-3000:]
    documented = set()
    for name in API_PAGES:
        text = (built_book.html / "book" / "api" / f"{name}.html").read_text()
        entries = re.findall(r'<dt class="sig sig-object py" id="(utils\.[\w.]+)"', text)
        assert entries, f"book/api/{name}: no documented object"
        documented.update(entries)
        assert text.count('class="viewcode-link"') >= len(
            [e for e in entries if e.count(".") == 2 and not e.split(".")[-1].isupper()]), (
            f"book/api/{name}: entries without a [source] link")
        assert "Used in chapters:" in text, f"book/api/{name}: entries do not name chapters"
        assert "../../notebooks/" in text, f"book/api/{name}: no link to a chapter"
    for member in ("utils.contrastive.fit_contrastive", "utils.layers.DirectionalContext",
                   "utils.contrastive.ContrastiveLearner", "utils.io.load_grids"):
        assert member in documented, f"{member} is not in the API reference"
    source = built_book.html / "_modules" / "utils" / "contrastive.html"
    assert "def fit_contrastive" in html_lib.unescape(re.sub(r"<[^>]+>", "", source.read_text()))


def test_every_python_reference_in_the_pages_links_to_the_api(built_book):
    """Issue 36: every {func}, {class} and {mod} of a chapter or page is a link to its API
    entry (the build's nitpicky mode fails on a utils target that resolves nowhere; this
    checks what the reader gets)."""
    assert built_book.returncode == 0, built_book.log[-3000:]
    total = 0
    for name, path in pages(built_book).items():
        if name.startswith("book/api/"):
            continue
        text = path.read_text()
        for match in re.finditer(r'<code class="xref py[^"]*"', text):
            total += 1
            before = text[max(0, match.start() - 400):match.start()]
            link = re.search(r'<a class="reference internal" href="([^"]*)"[^>]*>$', before)
            where = text[match.start():][:200]
            assert link, f"{name}: a Python reference that links nowhere: {where}"
            assert re.match(r"(\.\./)*(book/)?api/", link.group(1)), (
                f"{name}: {link.group(1)} is not an API page")
    assert total >= 30, f"only {total} Python references in the book: are the roles rendered?"


def test_every_figure_image_has_an_opaque_background(built_book):
    """Issue 36: a figure drawn on a transparent background turns unreadable on the site's
    dark mode (black axes and text on a dark page); every PNG of the site is opaque."""
    from PIL import Image

    assert built_book.returncode == 0, built_book.log[-3000:]
    images = sorted((built_book.html / "_images").glob("*.png"))
    assert len(images) >= 20, f"only {len(images)} PNG figures in the site"
    see_through = []
    for path in images:
        with Image.open(path) as image:
            if image.mode in ("RGBA", "LA") or "transparency" in image.info:
                alpha = image.convert("RGBA").getchannel("A")
                if alpha.getextrema()[0] < 255:
                    see_through.append(path.name)
    assert not see_through, f"PNGs with transparent pixels: {see_through[:10]}"
