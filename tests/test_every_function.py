"""One bad call for every public function of ``utils``, and a check that none is missing.

Each module's own test file holds its detailed table of bad calls; this file makes sure that no
public function is left without one: a new function fails ``test_the_table_covers_every_public
function`` until it gets a row here.  Each row is a careless call (the wrong type, a wrong
shape, an empty or out-of-range value) that must raise ``TypeError`` or ``ValueError`` whose
message names the parameter.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import numpy as np
import pytest

from words import names

ROOT = Path(__file__).resolve().parents[1]
NO_ARGUMENTS = {"plotting.use_book_style", "quiet.quiet_tensorflow", "timing.machine_summary",
                "timing.peak_memory_mb", "timing.release_freed_memory", "real_data.rmnp_scene"}


def public_functions() -> set[str]:
    names = set()
    for path in sorted((ROOT / "utils").glob("*.py")):
        if path.stem.startswith("_"):
            continue
        module = importlib.import_module(f"utils.{path.stem}")
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name, None)
            if inspect.isfunction(obj) and obj.__module__ == module.__name__:
                names.add(f"{path.stem}.{name}")
    return names


def _m(name):
    return importlib.import_module(f"utils.{name}")


G = np.zeros((4, 10, 10), dtype=np.uint8)       # four empty 10 x 10 grids
IMG = np.zeros((4, 4, 3))
NAN = np.array([[0.0, np.nan], [1.0, 2.0]])

# "module.function": (bad call, words the message must contain)
BAD = {
    "arrangements.make_arrangements": (lambda: _m("arrangements").make_arrangements(0), "n"),
    "arrangements.check_templates": (
        lambda: _m("arrangements").check_templates({"a": ((1, 0, 0),)}), "templates"),
    "arrangements.random_templates": (lambda: _m("arrangements").random_templates("3"), "n"),
    "arrangements.augment": (lambda: _m("arrangements").augment(G, drop=2.0), "drop"),
    "arrangements.check_lattice_grids": (
        lambda: _m("arrangements").check_lattice_grids(G, 3), "block"),
    "objects.find_objects": (lambda: _m("objects").find_objects(G, n_levels=0), "n_levels"),
    "objects.keep_levels": (lambda: _m("objects").keep_levels(G, "12"), "levels"),
    "objects.grid_quarter": (lambda: _m("objects").grid_quarter(G[0]), "grids"),
    "clustering.stability_curve": (
        lambda: _m("clustering").stability_curve(np.ones((10, 2)), [2], fraction=1.0),
        "fraction"),
    "objects.augment_objects": (lambda: _m("objects").augment_objects(G, add=-1), "add"),
    "bands.landscape_bands": (lambda: _m("bands").landscape_bands(0), "n_maps"),
    "bands.standardise_bands": (lambda: _m("bands").standardise_bands("x"), "reference"),
    "bands.minmax_per_tile": (lambda: _m("bands").minmax_per_tile(np.ones((4, 4))), "tiles"),
    "bands.biome_map": (lambda: _m("bands").biome_map(np.ones((2, 4, 4, 2))), "tiles"),
    "bands.biome_labels": (
        lambda: _m("bands").biome_labels(np.ones((2, 4, 4, 3)), min_cells=17), "min_cells"),
    "bands.side_by_side": (lambda: _m("bands").side_by_side(np.ones((4, 4, 3))), "tiles"),
    "bands.seam_probes": (
        lambda: _m("bands").seam_probes(np.ones((2, 8, 8, 3)), width=4), "width"),
    "clustering.cluster": (lambda: _m("clustering").cluster(NAN, 2), "features"),
    "clustering.bic_curve": (lambda: _m("clustering").bic_curve(np.ones((5, 2)), [0]), "ks"),
    "clustering.silhouette_curve": (
        lambda: _m("clustering").silhouette_curve(np.ones((5, 2)), [1]), "ks"),
    "diagnose.leak_check": (lambda: _m("diagnose").leak_check(G, [0, 1]), "labels"),
    "diagnose.lattice_fraction": (lambda: _m("diagnose").lattice_fraction(G, 0), "block"),
    "diagnose.shift_check": (lambda: _m("diagnose").shift_check(G, None), "new"),
    "example_data.make_example_grids": (
        lambda: _m("example_data").make_example_grids(2), "n"),
    "example_data.write_example_data": (
        lambda: _m("example_data").write_example_data(None), "folder"),
    "example_data.make_family_grids": (
        lambda: _m("example_data").make_family_grids(10, jitter=4), "jitter"),
    "example_data.place_blob": (
        lambda: _m("example_data").place_blob(np.zeros((9, 9), np.uint8), (4, 4), 0,
                                              np.random.default_rng(0)), "level"),
    "representations.scatter_objects": (
        lambda: _m("representations").scatter_objects(G, n_levels=0), "n_levels"),
    "representations.embed_through_levels": (
        lambda: _m("representations").embed_through_levels(None, G), "model"),
    "representations.excess_silhouette": (
        lambda: _m("representations").excess_silhouette(NAN, NAN, [2]), "features"),
    "representations.choose_representation": (
        lambda: _m("representations").choose_representation([], {}), "representations"),
    "io.load_grids": (lambda: _m("io").load_grids(None), "path"),
    "io.read_labels": (lambda: _m("io").read_labels(3, []), "labels"),
    "io.pad_grids": (lambda: _m("io").pad_grids(G, 0), "block"),
    "landscape.normalise": (lambda: _m("landscape").normalise(NAN), "heights"),
    "landscape.terrain_classes": (
        lambda: _m("landscape").terrain_classes(np.zeros((2, 2)), (0.6, 0.4, 0.8)),
        "thresholds"),
    "landscape.colourise": (lambda: _m("landscape").colourise("map"), "heights"),
    "landscape.level_thresholds": (
        lambda: _m("landscape").level_thresholds(np.zeros((2, 2)), levels=1), "levels"),
    "landscape.quantise": (
        lambda: _m("landscape").quantise(np.zeros((2, 2)), method="median"), "method"),
    "landscape.synthetic_landscape": (
        lambda: _m("landscape").synthetic_landscape(0), "shape"),
    "landscape.noisy_image": (lambda: _m("landscape").noisy_image(IMG, -1.0), "sigma"),
    "landscape.texture_landscape": (
        lambda: _m("landscape").texture_landscape(32, grain=0), "grain"),
    "vae.build_autoencoder": (
        lambda: _m("vae").build_autoencoder((50, 50), latent_dim=0), "latent_dim"),
    "vae.fit_autoencoder": (
        lambda: _m("vae").fit_autoencoder("a model", None, None), "model"),
    "vae.encode": (lambda: _m("vae").encode("a model", None), "model"),
    "vae.decode": (lambda: _m("vae").decode("a model", None), "model"),
    "vae.decode_probabilities": (
        lambda: _m("vae").decode_probabilities("a model", None), "model"),
    "vae.reconstruct": (lambda: _m("vae").reconstruct("a model", None), "model"),
    "vae.kl_per_dimension": (lambda: _m("vae").kl_per_dimension("a model", None),
                                "model"),
    "contrastive.build_contrastive": (lambda: _m("contrastive").build_contrastive(dim=0), "dim"),
    "contrastive.fit_contrastive": (
        lambda: _m("contrastive").fit_contrastive("a model", G), "model"),
    "contrastive.embed": (lambda: _m("contrastive").embed("a model", None), "model"),
    "directional.directional_features": (
        lambda: _m("directional").directional_features(G, block=3), "block"),
    "metrics.confusion": (lambda: _m("metrics").confusion([0, 1], [0]), "pred"),
    "metrics.match_clusters": (lambda: _m("metrics").match_clusters([0.5], [0]), "true"),
    "metrics.relabel": (lambda: _m("metrics").relabel([0, 1], [0]), "mapping"),
    "metrics.pixel_accuracy": (lambda: _m("metrics").pixel_accuracy([-1], [0]), "true"),
    "metrics.iou_per_class": (lambda: _m("metrics").iou_per_class([0], [0], n_classes=0),
                              "n_classes"),
    "metrics.score_segmentation": (
        lambda: _m("metrics").score_segmentation("labels", [0]), "true"),
    "metrics.score_clustering": (
        lambda: _m("metrics").score_clustering([0, 1], [0, 1], n_boot=-1), "n_boot"),
    "metrics.accuracy_interval": (lambda: _m("metrics").accuracy_interval(5, 4), "correct"),
    "models.build_model": (lambda: _m("models").build_model("cnn", (10, 10, 4)), "name"),
    "models.build_band_classifier": (
        lambda: _m("models").build_band_classifier([8, 8, 3], 2), "input_shape"),
    "naive.heightmap_loop": (lambda: _m("naive").heightmap_loop(0), "shape"),
    "naive.colourise_loop": (
        lambda: _m("naive").colourise_loop(NAN, (0.4, 0.6, 0.8), np.zeros((4, 3)), 0.05),
        "heights"),
    "naive.winner_loop": (lambda: _m("naive").winner_loop("a som", np.zeros((2, 3))), "som"),
    "naive.directional_loop": (lambda: _m("naive").directional_loop(np.zeros((2, 3))), "maps"),
    "noise.permutation_table": (lambda: _m("noise").permutation_table(-1), "seed"),
    "noise.perlin_noise": (lambda: _m("noise").perlin_noise([0.0], [0.0], octaves=0),
                           "octaves"),
    "noise.fractal_heightmap": (lambda: _m("noise").fractal_heightmap(8, scale=0), "scale"),
    "pixel_autoencoder.build_pixel_autoencoder": (
        lambda: _m("pixel_autoencoder").build_pixel_autoencoder(features=0), "features"),
    "pixel_autoencoder.training_patches": (
        lambda: _m("pixel_autoencoder").training_patches([IMG], patch=8), "patch"),
    "pixel_autoencoder.fit_pixel_autoencoder": (
        lambda: _m("pixel_autoencoder").fit_pixel_autoencoder("a model", None), "model"),
    "pixel_autoencoder.pixel_codes": (
        lambda: _m("pixel_autoencoder").pixel_codes("a model", IMG), "model"),
    "pixel_autoencoder.reconstruct_image": (
        lambda: _m("pixel_autoencoder").reconstruct_image("a model", IMG), "model"),
    "pixel_autoencoder.receptive_field": (
        lambda: _m("pixel_autoencoder").receptive_field(-1), "levels"),
    "pixel_clusterers.gmm_segment": (
        lambda: _m("pixel_clusterers").gmm_segment(np.zeros((16, 3)), (4, 4), 2,
                                                   covariance="round"), "covariance"),
    "pixel_clusterers.gmm_criteria": (
        lambda: _m("pixel_clusterers").gmm_criteria(np.zeros((16, 3)), [3, 2]), "ks"),
    "pixel_clusterers.agglomerative_segment": (
        lambda: _m("pixel_clusterers").agglomerative_segment(np.zeros((16, 3)), (4, 4), 2,
                                                             step=0), "step"),
    "pixel_clusterers.dbscan_segment": (
        lambda: _m("pixel_clusterers").dbscan_segment(np.zeros((16, 3)), (4, 4), -1.0),
        "eps"),
    "pixel_clusterers.hdbscan_segment": (
        lambda: _m("pixel_clusterers").hdbscan_segment(np.zeros((16, 3)), (4, 4),
                                                       min_pixels=1), "min_pixels"),
    "plotting.panel_grid": (lambda: _m("plotting").panel_grid(0), "n"),
    "plotting.show_image": (lambda: _m("plotting").show_image("image"), "image"),
    "plotting.show_labels": (lambda: _m("plotting").show_labels(np.full((2, 2), 0.5)),
                             "labels"),
    "plotting.plot_contours": (lambda: _m("plotting").plot_contours(NAN, [0.5]), "heights"),
    "plotting.level_legend": (lambda: _m("plotting").level_legend("axes"), "target"),
    "plotting.show_level_grid": (lambda: _m("plotting").show_level_grid(np.full((2, 2), -1)),
                                 "grid"),
    "plotting.show_level_probabilities": (
        lambda: _m("plotting").show_level_probabilities(np.zeros((2, 2))), "probs"),
    "plotting.plot_codebook": (lambda: _m("plotting").plot_codebook(np.zeros(3)), "weights"),
    "grids.check_grid": (lambda: _m("grids").check_grid(np.zeros(5)), "grid"),
    "grids.one_hot": (lambda: _m("grids").one_hot(G, n_levels=0), "n_levels"),
    "relations.grid_objects": (lambda: _m("relations").grid_objects(G[0], block=3), "block"),
    "relations.relation_facts": (lambda: _m("relations").relation_facts(G[0], n_levels=1),
                                 "n_levels"),
    "relations.fact_names": (lambda: _m("relations").fact_names(1), "n_levels"),
    "relations.rule_holds": (
        lambda: _m("relations").rule_holds(None, _m("relations").DEFAULT_RULE), "objects"),
    "grids.level_counts": (lambda: _m("grids").level_counts("grids"), "grids"),
    "relations.lattice_facts": (lambda: _m("relations").lattice_facts(np.zeros((2, 3))),
                                "objects"),
    "relations.draw_objects": (lambda: _m("relations").draw_objects([[[1, 0, 0]]], size=12),
                               "size"),
    "relations.make_dataset": (lambda: _m("relations").make_dataset(1), "n"),
    "saliency.input_gradients": (
        lambda: _m("saliency").input_gradients("a model", np.zeros((1, 10, 10, 4))), "model"),
    "pixel_features.pixel_features": (
        lambda: _m("pixel_features").pixel_features(IMG, ("hue",)), "features"),
    "pixel_features.local_std": (lambda: _m("pixel_features").local_std(IMG, window=1),
                               "window"),
    "segmentation.kmeans_segment": (
        lambda: _m("segmentation").kmeans_segment(np.zeros((16, 3)), (4, 4), 0),
        "n_clusters"),
    "segmentation.kmeans_sweep": (
        lambda: _m("segmentation").kmeans_sweep(np.zeros((16, 3)), [0, 2]), "ks"),
    "segmentation.find_elbow": (lambda: _m("segmentation").find_elbow([1, 2, 2], [3, 2, 1]),
                                "ks"),
    "segmentation.cluster_mean_colours": (
        lambda: _m("segmentation").cluster_mean_colours(IMG, np.zeros((4, 4)) + 0.5),
        "labels"),
    "segmentation.name_clusters": (
        lambda: _m("segmentation").name_clusters(NAN, np.zeros((4, 3))), "colours"),
    "segmentation.segment_boundaries": (
        lambda: _m("segmentation").segment_boundaries(np.zeros(5, dtype=int)), "labels"),
    "segmentation.class_markers": (lambda: _m("segmentation").class_markers("map"),
                                   "class_map"),
    "segmentation.unique_rows": (lambda: _m("segmentation").unique_rows(np.zeros(3)), "X"),
    "som.train_som": (lambda: _m("som").train_som(np.zeros((5, 2)), [3, 3]), "map_size"),
    "som.winner_map": (lambda: _m("som").winner_map("a som", np.zeros((2, 3))), "som"),
    "som.cluster_codebook": (lambda: _m("som").cluster_codebook("a som", 2), "som"),
    "som.hit_counts": (lambda: _m("som").hit_counts("a som", [0]), "som"),
    "som.som_segment": (lambda: _m("som").som_segment(np.zeros((4, 2)), (3, 3), (2, 2), 2),
                        "shape"),
    "timing.best_time": (lambda: _m("timing").best_time("not callable"), "fn"),
    "cooccurrence.cooccurrence_features": (
        lambda: _m("cooccurrence").cooccurrence_features(G, distances=(0,)), "distances"),
    "cooccurrence.cooccurrence_names": (
        lambda: _m("cooccurrence").cooccurrence_names(0), "n_levels"),
    "cooccurrence.class_adjacency": (
        lambda: _m("cooccurrence").class_adjacency(G, n_levels=0), "n_levels"),
    "cooccurrence.contagion": (lambda: _m("cooccurrence").contagion(G), "single class"),
    "real_data.package_file": (lambda: _m("real_data").package_file(3, "x.json"), "package"),
    "real_data.digit_grids": (lambda: _m("real_data").digit_grids(levels=1), "levels"),
    "real_data.translate_grids": (lambda: _m("real_data").translate_grids(G, 3), "size"),
    "real_data.arc_grids": (lambda: _m("real_data").arc_grids("test"), "split"),
    "real_data.pad_to_square": (lambda: _m("real_data").pad_to_square([]), "grids"),
    "real_data.elevation_model": (lambda: _m("real_data").elevation_model("alps"), "name"),
    "landscape.spectral_slope": (lambda: _m("landscape").spectral_slope(np.zeros((8, 8))),
                                 "heights"),
    "metrics.score_adjusted": (lambda: _m("metrics").score_adjusted([0, 1], [0]), "true"),
    "training.in_chunks": (lambda: _m("training").in_chunks(np.zeros(3), size=0), "size"),
    "training.train": (lambda: _m("training").train("a model", G, G, G, G), "x"),
    "training.count_parameters": (lambda: _m("training").count_parameters("a model"),
                                  "model"),
    "training.multiply_adds": (lambda: _m("training").multiply_adds("a model"), "model"),
    "training.fresh_session": (lambda: _m("training").fresh_session(-1), "seed"),
    "training.check_model_input": (lambda: _m("training").check_model_input("a model", {}),
                                   "model"),
    "training.check_budget": (lambda: _m("training").check_budget(10, 0.0), "budget_seconds"),
    "training.fit_keras": (lambda: _m("training").fit_keras(
        "a model", G, G, None, epochs=1, batch_size=8, budget_seconds=1.0, patience=None),
        "model"),
}


def test_the_table_covers_every_public_function():
    missing = public_functions() - set(BAD) - NO_ARGUMENTS
    assert not missing, f"public functions without a bad call in this table: {sorted(missing)}"
    assert not set(BAD) - public_functions(), "rows for functions that no longer exist"


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_careless_call_gets_a_clear_error(name):
    call, words = BAD[name]
    with pytest.raises((TypeError, ValueError)) as info:
        call()
    assert names(words, str(info.value)), f"{name}: {info.type.__name__}: {info.value}"
