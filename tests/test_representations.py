"""utils.representations: the label-free choice of a representation (issue 38)."""

from __future__ import annotations

import numpy as np
import pytest

from utils import example_data as ex
from utils import representations as rp
from utils.objects import find_objects

from words import whole_word


def test_scatter_objects_keeps_every_object_and_destroys_the_relations():
    grids, labels = ex.make_example_grids(300, seed=3)
    scattered = rp.scatter_objects(grids, seed=0)
    before, after = (find_objects(g, n_levels=4) for g in (grids, scattered))
    # the same objects: levels, sizes and (sorted) per grid; none merged with another
    key_b = sorted(zip(before.grid.tolist(), before.levels.tolist(), before.sizes.tolist(),
                       strict=True))
    key_a = sorted(zip(after.grid.tolist(), after.levels.tolist(), after.sizes.tolist(),
                       strict=True))
    assert key_a == key_b
    np.testing.assert_array_equal(np.sort(grids.reshape(300, -1), axis=1),
                                  np.sort(scattered.reshape(300, -1), axis=1))
    # the class was where level 2 lies from level 1 ("below": rows 7..18 further down);
    # scattered, the classes' offsets are alike
    def offset(obj):
        rows = {}
        for g, lv, c in zip(obj.grid, obj.levels, obj.centres, strict=True):
            rows.setdefault((g, lv), c)
        return np.array([rows[i, 2] - rows[i, 1] for i in range(300)])

    d_before, d_after = offset(before), offset(after)
    below = labels == ex.CLASSES.index("below")
    assert (d_before[below, 0] > 4).all()
    assert 0.2 < (d_after[below, 0] > 4).mean() < 0.6
    # reproducible, and another seed gives other places
    np.testing.assert_array_equal(scattered, rp.scatter_objects(grids, seed=0))
    assert not np.array_equal(scattered, rp.scatter_objects(grids, seed=1))


def test_scatter_objects_keeps_an_object_home_when_there_is_no_room():
    g = np.zeros((1, 3, 3), dtype=np.uint8)
    g[0, 0:3, 0:3] = 1                         # one object filling the grid
    np.testing.assert_array_equal(rp.scatter_objects(g, n_levels=1, seed=0), g)


def clusters(n_per, centres, spread, rng):
    return np.concatenate([c + spread * rng.normal(size=(n_per, len(c))) for c in centres])


def test_choose_representation_prefers_the_clusters_the_null_does_not_have():
    rng = np.random.default_rng(0)
    four = np.eye(4) * 3
    # "counts": clustered as well on the grids as on their null (structure without relations)
    counts = clusters(60, four, 0.3, rng)
    counts_null = clusters(60, four, 0.3, rng)
    # "relation": three clusters on the grids, one cloud on the null
    relation = clusters(80, np.eye(3) * 2, 0.3, rng)
    relation_null = rng.normal(size=(240, 3)) * 0.8
    reps = {"counts": counts, "relation": relation[:240]}
    nulls = {"counts": counts_null, "relation": relation_null}
    choice = rp.choose_representation(reps, nulls, ks=range(2, 7), seed=0)
    assert choice.name == "relation" and choice.k == 3
    assert choice.excess("relation") > 0.3 > abs(choice.excess("counts"))
    # a silhouette alone would have taken the other one
    assert choice.real["counts"].max() > choice.real["relation"].max()
    assert list(choice.ks) == [2, 3, 4, 5, 6]
    assert choice.carriers == (("relation", 3),)      # counts: no excess, not reported


def test_choose_representation_reports_every_representation_that_carries_structure():
    rng = np.random.default_rng(3)
    # two independent relations: "left-right" makes two clusters, "above-below" three, each
    # absent from the null; "weak" has a little structure; "none" has none at all
    left_right = clusters(120, np.eye(2) * 3, 0.3, rng)
    above_below = clusters(80, np.eye(3) * 3, 0.3, rng)
    weak = clusters(120, np.eye(2) * 0.9, 0.4, rng)
    reps = {"none": rng.normal(size=(240, 2)), "left-right": left_right,
            "above-below": above_below, "weak": weak}
    nulls = {name: rng.normal(size=(240, x.shape[1])) for name, x in reps.items()}
    choice = rp.choose_representation(reps, nulls, ks=range(2, 7), seed=0)
    excess = {name: choice.excess(name) for name in reps}
    names = [name for name, _ in choice.carriers]
    # largest excess first, each with its own k; the weak one is below half the largest
    assert sorted(names) == ["above-below", "left-right"]
    assert names == sorted(names, key=lambda n: -excess[n])
    assert dict(choice.carriers) == {"left-right": 2, "above-below": 3}
    assert (choice.name, choice.k) == choice.carriers[0]
    assert 0 < excess["weak"] < 0.5 * max(excess.values())
    # share = 1: the largest only; a low share takes in the weak one too (and noise: a
    # difference of two silhouette curves of noise is above 0 somewhere by chance)
    assert rp.choose_representation(reps, nulls, ks=range(2, 7), share=1.0,
                                    seed=0).carriers == choice.carriers[:1]
    low = rp.choose_representation(reps, nulls, ks=range(2, 7), share=0.01, seed=0)
    assert [name for name, _ in low.carriers][2] == "weak"


def test_excess_silhouette_is_the_two_curves():
    rng = np.random.default_rng(1)
    x = clusters(50, np.eye(2) * 4, 0.2, rng)
    real, null = rp.excess_silhouette(x, rng.normal(size=(100, 2)), [2, 3], seed=0)
    assert real.shape == null.shape == (2,) and real[0] > 0.8 and null[0] < 0.6


def test_embed_through_levels_embeds_every_pair_as_the_pair_alone():
    from utils import contrastive as ct
    from utils.grids import one_hot
    from utils.objects import keep_levels

    model = ct.build_contrastive(n_levels=3, width=8, dim=4, seed=0)
    grids = np.random.default_rng(0).integers(0, 4, size=(6, 10, 10)).astype(np.uint8)
    reps = rp.embed_through_levels(model, grids)
    assert list(reps) == ["all levels", "levels 1-2", "levels 1-3", "levels 2-3"]
    for z in reps.values():
        assert z.shape == (6, 4)
        np.testing.assert_allclose(np.linalg.norm(z, axis=1), 1, rtol=1e-5)
    alone = ct.embed(model, one_hot(keep_levels(grids, [1, 3]), 3, dtype="uint8"),
                     normalise=True)
    np.testing.assert_allclose(reps["levels 1-3"], alone, rtol=1e-5, atol=1e-6)
    assert list(rp.embed_through_levels(model, grids, pairs=False)) == ["all levels"]


def test_representations_bad_arguments():
    ok = np.zeros((10, 2))
    for call, exc, words in [
        (lambda: rp.scatter_objects(np.zeros((4, 4), np.uint8)), ValueError, "grids"),
        (lambda: rp.scatter_objects(np.full((1, 4, 4), 5)), ValueError, "grids"),
        (lambda: rp.scatter_objects(np.zeros((1, 4, 4)), n_levels=0), ValueError, "n_levels"),
        (lambda: rp.embed_through_levels("model", np.zeros((1, 5, 5))), TypeError, "model"),
        (lambda: rp.excess_silhouette(ok, np.zeros((10, 3)), [2]), ValueError,
         "null_features"),
        (lambda: rp.excess_silhouette(ok, ok, [1]), ValueError, "ks"),
        (lambda: rp.choose_representation({}, {}), TypeError, "representations"),
        (lambda: rp.choose_representation({"a": ok}, {"b": ok}), ValueError,
         "null_representations"),
        (lambda: rp.choose_representation({"a": [[np.nan, 1]] * 3}, {"a": ok}), ValueError,
         "representations"),
        (lambda: rp.choose_representation({"a": ok}, {"a": ok}, share=0), ValueError, "share"),
        (lambda: rp.choose_representation({"a": ok}, {"a": ok}, share=1.5), ValueError,
         "share"),
        (lambda: rp.choose_representation({"a": ok}, {"a": ok}, share="half"), TypeError,
         "share"),
    ]:
        with pytest.raises(exc, match=whole_word(words)):
            call()
