"""utils.io, utils.example_data and utils.diagnose: reading a reader's grids (chapter 6)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from utils import diagnose as dg
from utils import example_data as ex
from utils import io

from words import names, whole_word

ROOT = Path(__file__).resolve().parents[1]


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


# ---------------------------------------------------------------- reading every format
def test_every_format_reads_the_same_grids(tmp_path):
    grids = np.array([[[0, 1, 2], [3, 0, 1]], [[2, 2, 0], [0, 4, 4]]], dtype=np.uint8)
    np.save(tmp_path / "stack.npy", grids)
    np.savez(tmp_path / "stack.npz", grids=grids, other=np.zeros(3))
    np.savez(tmp_path / "single.npz", anything=grids)
    write(tmp_path / "stack.csv", "0,1,2\n3,0,1\n\n2,2,0\n0,4,4\n")
    write(tmp_path / "stack.txt", "0 1 2\n3\t0 1\n\n\n2 2 0\n0  4 4\n")
    for name in ("stack.npy", "stack.npz", "single.npz", "stack.csv", "stack.txt"):
        data = io.load_grids(tmp_path / name, n_levels=4)
        np.testing.assert_array_equal(data.grids, grids)
        assert data.grids.dtype == np.uint8 and data.n_levels == 4
        assert data.sources == [f"{name}[0]", f"{name}[1]"]
        assert data.labels is None and data.classes is None


def test_a_folder_is_read_in_name_order_and_ignores_other_files(tmp_path):
    write(tmp_path / "b.csv", "1,0\n0,0\n")
    write(tmp_path / "a.txt", "2 0\n0 0\n")
    np.save(tmp_path / "c.npy", np.array([[0, 3], [0, 0]]))
    write(tmp_path / "README.md", "not a grid")
    write(tmp_path / ".hidden.csv", "x")
    labels = write(tmp_path / "labels.csv", "name,label\na,1\nb.csv,0\nc.npy,1\n")
    data = io.load_grids(tmp_path, labels=labels)
    assert data.sources == ["a.txt", "b.csv", "c.npy"]
    assert io.load_grids(tmp_path).sources == data.sources     # labels.* is never a grid
    assert data.grids[:, 0].tolist() == [[2, 0], [1, 0], [0, 3]]
    assert data.n_levels == 3                       # the highest level found
    assert data.classes == ["0", "1"] and data.labels.tolist() == [1, 0, 1]


def test_labels_in_order_with_a_header_and_as_npy(tmp_path):
    np.save(tmp_path / "g.npy", np.zeros((3, 2, 2), dtype=np.int32))
    text = io.load_grids(tmp_path / "g.npy",
                         labels=write(tmp_path / "l.txt", "label\ncat\ndog\ncat\n"))
    assert text.classes == ["cat", "dog"] and text.labels.tolist() == [0, 1, 0]
    np.save(tmp_path / "l.npy", np.array([10, 2, 10]))
    vector = io.load_grids(tmp_path / "g.npy", labels=tmp_path / "l.npy")
    assert vector.classes == ["2", "10"] and vector.labels.tolist() == [1, 0, 1]   # numeric


def test_npz_key_chooses_an_array(tmp_path):
    np.savez(tmp_path / "two.npz", a=np.ones((2, 2), int), b=np.full((2, 2), 2))
    assert io.load_grids(tmp_path / "two.npz", key="b").grids.max() == 2


# ---------------------------------------------------------------- every kind of bad file
def _bad_files(tmp: Path) -> list[tuple[dict, type, str]]:
    """(load_grids arguments, exception, words the message must contain)."""
    np.save(tmp / "float.npy", np.array([[0.0, 1.0], [2.0, 0.0]]))
    np.save(tmp / "frac.npy", np.array([[0.5, 1.0]]))
    np.save(tmp / "bool.npy", np.array([[True, False]]))
    np.save(tmp / "neg.npy", np.array([[0, -1]]))
    np.save(tmp / "high.npy", np.array([[0, 7]]))
    np.save(tmp / "huge.npy", np.array([[0, 300]]))
    np.save(tmp / "flat.npy", np.arange(4))
    np.save(tmp / "empty.npy", np.zeros((0, 5), dtype=int))
    np.savez(tmp / "keys.npz", a=np.zeros((2, 2), int), b=np.zeros((2, 2), int))
    (tmp / "ragged").mkdir()
    write(tmp / "ragged" / "a.csv", "0,1\n1,0\n")
    write(tmp / "ragged" / "b.csv", "0,1,2\n1,0,0\n")
    (tmp / "nogrids").mkdir()
    write(tmp / "nogrids" / "notes.md", "hello")
    np.save(tmp / "three.npy", np.zeros((3, 2, 2), dtype=int))
    (tmp / "pair").mkdir()
    write(tmp / "pair" / "a.csv", "0,1\n")
    write(tmp / "pair" / "b.csv", "1,0\n")
    return [
        (dict(path=tmp / "float.npy"), TypeError, "float.npy: cells must be integer levels"),
        (dict(path=tmp / "float.npy"), TypeError, "every value is whole"),
        (dict(path=tmp / "frac.npy"), TypeError, "dtype float64"),
        (dict(path=tmp / "bool.npy"), TypeError, "booleans"),
        (dict(path=tmp / "neg.npy"), ValueError, "found -1 at index (0, 1)"),
        (dict(path=tmp / "high.npy", n_levels=4), ValueError, "0..4 (the declared n_levels)"),
        (dict(path=tmp / "huge.npy"), ValueError, "0..255"),
        (dict(path=tmp / "flat.npy"), ValueError, "must be 2-D (H, W) or a stack"),
        (dict(path=tmp / "empty.npy"), ValueError, "empty.npy: holds no cells"),
        (dict(path=write(tmp / "empty.csv", "\n\n")), ValueError, "empty.csv: is empty"),
        (dict(path=write(tmp / "word.csv", "0,1\n0,x\n")), ValueError,
         "word.csv: line 2, column 2: 'x' is not an integer level"),
        (dict(path=write(tmp / "dec.csv", "0,1.0\n")), ValueError, "'1.0' is not an integer"),
        (dict(path=write(tmp / "commas.txt", "0,1\n")), ValueError, "name it .csv"),
        (dict(path=write(tmp / "rows.csv", "0,1\n0,1,1\n")), ValueError,
         "rows.csv: line 2 has 3 cells, the lines above have 2 (ragged rows)"),
        (dict(path=write(tmp / "stack.csv", "0,1\n1,0\n\n0,1\n")), ValueError,
         "the grid starting at line 4 is 1 x 2, the first is 2 x 2"),
        (dict(path=tmp / "ragged"), ValueError, "b.csv: grids are 2 x 3, but those of a.csv"),
        (dict(path=tmp / "nogrids"), ValueError, "holds no grid files"),
        (dict(path=tmp / "keys.npz"), ValueError, "several arrays ['a', 'b']"),
        (dict(path=tmp / "keys.npz", key="c"), ValueError, "has no array 'c'"),
        (dict(path=write(tmp / "broken.npz", "not a zip")), ValueError, "not a readable .npz"),
        (dict(path=write(tmp / "broken.npy", "not numpy")), ValueError, "not a readable .npy"),
        (dict(path=write(tmp / "grid.json", "[]")), ValueError, "'grid.json' is not a grid"),
        (dict(path=tmp / "missing.npy"), ValueError, "path: no such file"),
        (dict(path=3), TypeError, "path must be a path"),
        (dict(path=tmp / "three.npy", n_levels=0), ValueError, "n_levels"),
        (dict(path=tmp / "three.npy", key=1), TypeError, "key must be"),
        # labels that do not match the grids
        (dict(path=tmp / "three.npy", labels=write(tmp / "two.csv", "a\nb\n")), ValueError,
         "two.csv: holds 2 labels for 3 grids (fewer labels than grids)"),
        (dict(path=tmp / "three.npy", labels=write(tmp / "four.csv", "a\nb\nc\nd\n")),
         ValueError, "(more labels than grids)"),
        (dict(path=tmp / "pair", labels=write(tmp / "names.csv", "a.csv,x\n")),
         ValueError, "no label for 1 grid(s), e.g. ['b.csv'] (missing labels)"),
        (dict(path=tmp / "three.npy", labels=write(tmp / "none.csv", "label\n")), ValueError,
         "none.csv: holds no labels"),
        (dict(path=tmp / "three.npy", labels=write(tmp / "gap.csv", "a\n,\nb\n")), ValueError,
         "line 2 has 2 fields"),
        (dict(path=tmp / "three.npy", labels=tmp / "nolabels.csv"), ValueError,
         "labels: no such file"),
        (dict(path=tmp / "three.npy", labels=tmp / "three.npy"), ValueError,
         "labels must be a 1-D vector"),
    ]


def test_every_bad_file_gets_a_clear_error(tmp_path):
    for kwargs, exc, words in _bad_files(tmp_path):
        with pytest.raises(exc) as info:
            io.load_grids(**kwargs)
        assert names(words, str(info.value)), (kwargs, str(info.value))


def test_extra_and_repeated_names_in_a_labels_file(tmp_path):
    write(tmp_path / "a.csv", "1\n")
    labels = write(tmp_path / "labels.csv", "a.csv,x\nz.csv,y\n")
    with pytest.raises(ValueError, match=r"names 1 grid\(s\) that were not read.*extra"):
        io.load_grids(tmp_path, labels=labels)
    write(labels, "a,x\na,y\n")
    with pytest.raises(ValueError, match="names 'a' twice"):
        io.load_grids(tmp_path, labels=labels)


def test_too_many_cells_are_refused_before_reading(tmp_path, monkeypatch):
    np.save(tmp_path / "big.npy", np.zeros((4, 10, 10), dtype=np.uint8))
    monkeypatch.setattr(io, "MAX_CELLS", 399)
    with pytest.raises(ValueError, match="big.npy: holds 400 cells, more than the 399"):
        io.load_grids(tmp_path / "big.npy")


# ---------------------------------------------------------------- the shipped example data
def test_the_shipped_example_data_is_what_the_script_makes(tmp_path):
    ex.write_example_data(tmp_path)
    for part in ("grids", "new_grids"):
        fresh = io.load_grids(tmp_path / part, labels=tmp_path / part / "labels.csv",
                              n_levels=4)
        shipped = io.load_grids(ROOT / "data" / part, labels=ROOT / "data" / part /
                                "labels.csv", n_levels=4)
        np.testing.assert_array_equal(fresh.grids, shipped.grids)
        np.testing.assert_array_equal(fresh.labels, shipped.labels)
        assert fresh.sources == shipped.sources and fresh.classes == shipped.classes
    size = sum(p.stat().st_size for p in (ROOT / "data").rglob("*") if p.is_file())
    assert size < 300_000, f"the example data should stay small, it is {size:,} bytes"


def test_example_classes_follow_their_stated_offsets():
    grids, labels = ex.make_example_grids(200, seed=3)
    assert np.bincount(labels).tolist() == [50] * 4
    rows, cols = np.indices((50, 50))
    for g, k in zip(grids, labels, strict=True):
        centre = {lv: np.array([rows[g == lv].mean(), cols[g == lv].mean()]) for lv in (1, 2)}
        dr, dc = centre[2] - centre[1]
        (r_lo, r_hi), (c_lo, c_hi) = ex._OFFSETS[ex.CLASSES[k]]
        # blob centres move by at most 2 cells from the drawn centres
        assert r_lo - 2 <= dr <= r_hi + 2 and c_lo - 2 <= dc <= c_hi + 2
        assert set(np.unique(g).tolist()) == {0, 1, 2, 3, 4}


def test_example_data_is_off_the_lattice_and_reproducible():
    a, la = ex.make_example_grids(100, seed=1)
    b, lb = ex.make_example_grids(100, seed=1)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(la, lb)
    assert all(dg.lattice_fraction(a, k) < 0.3 for k in (2, 5, 10))


def test_example_data_bad_arguments(tmp_path):
    for call, exc, words in [
        (lambda: ex.make_example_grids(3), ValueError, "n"),
        (lambda: ex.make_example_grids(10 ** 6), ValueError, "n"),
        (lambda: ex.make_example_grids(10, seed=-1), ValueError, "seed"),
        (lambda: ex.write_example_data(5), TypeError, "folder"),
        (lambda: ex.write_example_data(tmp_path, n_new=2), ValueError, "n_new"),
    ]:
        with pytest.raises(exc, match=whole_word(words)):
            call()


# ---------------------------------------------------------------- families placed anywhere
def test_family_grids_put_every_level_where_its_template_says():
    from utils.arrangements import TEMPLATES
    from utils.objects import find_objects

    data = ex.make_family_grids(60, max_distractors=0, jitter=1, seed=4)
    assert np.bincount(data.families).tolist() == [10] * 6
    obj = find_objects(data.grids, n_levels=4)
    # no distractors: exactly one object of each level per grid
    assert np.bincount(obj.grid).tolist() == [4] * 60
    for i in range(60):
        mine = obj.grid == i
        centre = dict(zip(obj.levels[mine].tolist(), obj.centres[mine], strict=True))
        assert sorted(centre) == [1, 2, 3, 4]
        template = TEMPLATES[data.family_names[data.families[i]]]
        for (la, ra, ca), (lb, rb, cb) in zip(template, template[1:], strict=False):
            # places 2 apart are 10 cells apart: jitter (1) and blob offsets (2) keep the order
            if ra != rb:
                assert (centre[la][0] < centre[lb][0]) == (ra < rb)
            if ca != cb:
                assert (centre[la][1] < centre[lb][1]) == (ca < cb)
        first = min(template, key=lambda t: (t[1], t[2]))
        assert np.all(np.abs(centre[first[0]] - data.positions[i] - 5 * np.array(first[1:]))
                      <= 1 + 2)


def test_family_grids_are_off_the_lattice_uninformative_by_counts_and_reproducible():
    a = ex.make_family_grids(300, seed=1)
    b = ex.make_family_grids(300, seed=1)
    np.testing.assert_array_equal(a.grids, b.grids)
    np.testing.assert_array_equal(a.families, b.families)
    assert not np.array_equal(a.grids, ex.make_family_grids(300, seed=2).grids)
    assert all(dg.lattice_fraction(a.grids, k) < 0.3 for k in (2, 5, 10))
    # counts do not tell the family: a classifier on them stays near chance (1/6)
    assert dg.leak_check(a.grids, a.families).low < 1 / 6 + 0.05
    # positions spread over the four quarters; centred grids all sit in one place
    assert np.bincount(a.regions, minlength=4).min() > 40
    centred = ex.make_family_grids(12, translate=False, seed=1)
    assert len(np.unique(centred.positions, axis=0)) == 1 and not centred.regions.any()


def test_place_blob_keeps_blobs_apart_and_changes_nothing_when_it_does_not_fit():
    rng = np.random.default_rng(0)
    grid = np.zeros((12, 12), dtype=np.uint8)
    assert ex.place_blob(grid, (5, 5), 3, rng)
    before = grid.copy()
    assert 3 <= (grid == 3).sum() <= 12
    assert not ex.place_blob(grid, (5, 5), 1, rng)        # taken
    grid[:] = before
    assert not ex.place_blob(grid, (-3, 5), 1, rng)       # outside
    np.testing.assert_array_equal(grid, before)


def test_family_grids_bad_arguments():
    for call, exc, words in [
        (lambda: ex.make_family_grids(0), ValueError, "n"),
        (lambda: ex.make_family_grids(10, spacing=2), ValueError, "spacing"),
        (lambda: ex.make_family_grids(10, jitter=-1), ValueError, "jitter"),
        (lambda: ex.make_family_grids(10, max_distractors=11), ValueError, "max_distractors"),
        (lambda: ex.make_family_grids(10, size=20), ValueError, "size"),
        (lambda: ex.make_family_grids(10, translate="yes"), TypeError, "translate"),
        (lambda: ex.make_family_grids(10, templates={"a": ((1, 0, 0),)}), ValueError,
         "templates"),
        (lambda: ex.place_blob(np.zeros((5, 5)), (2, 2), 1, np.random.default_rng(0)),
         TypeError, "grid"),
        (lambda: ex.place_blob(np.zeros((5, 5), np.uint8), (2, 2), 1, 0), TypeError, "rng"),
    ]:
        with pytest.raises(exc, match=whole_word(words)):
            call()


# ---------------------------------------------------------------- diagnostics
def test_leak_check_finds_a_leak_and_finds_none_where_there_is_none():
    grids, labels = ex.make_example_grids(400, seed=2)
    none = dg.leak_check(grids, labels)
    assert none.low <= 0.25 + 0.05 and none.majority == 0.25 and none.chance == 0.25
    leaky = grids.copy()
    leaky[labels == 0, 0, :10] = 3                  # class 0 gets ten more cells of level 3
    found = dg.leak_check(leaky, labels)
    assert found.low > 0.35 and found.accuracy > none.accuracy


def test_lattice_fraction_on_hand_made_grids():
    on = np.zeros((1, 10, 10), dtype=np.uint8)
    on[0, 0:2, 0:2] = 1
    on[0, 5:7, 6:9] = 2
    assert dg.lattice_fraction(on, 5) == 1.0
    across = on.copy()
    across[0, 2:7, 0] = 1                           # object 1 crosses a row boundary
    assert dg.lattice_fraction(across, 5) == 0.0
    mixed = on.copy()
    mixed[0, 3, 3] = 2                              # two levels in one block, not touching
    assert dg.lattice_fraction(mixed, 5) == 0.0
    assert dg.lattice_fraction(np.concatenate([on, mixed]), 5) == 0.5


def test_shift_check_refuses_what_a_model_cannot_read_and_flags_shift():
    ref, _ = ex.make_example_grids(200, seed=4)
    same, _ = ex.make_example_grids(200, seed=5)
    assert dg.shift_check(ref, same).shifted == []
    crowded = same.copy()
    crowded[:, 48:, :] = 3                          # a band of level 3 at the bottom
    report = dg.shift_check(ref, crowded)
    assert report.shifted == [3] and report.new_mean[2] > report.reference_mean[2] + 50
    with pytest.raises(ValueError, match="new grids are 40 x 50, the model was trained on"):
        dg.shift_check(ref, same[:, :40])
    with pytest.raises(ValueError, match="new grids hold level 5"):
        dg.shift_check(ref, np.where(same == 4, 5, same))


def test_diagnose_bad_arguments():
    grids, labels = ex.make_example_grids(40, seed=0)
    for call, exc, words in [
        (lambda: dg.leak_check(grids, labels[:5]), ValueError, "one label per grid"),
        (lambda: dg.leak_check(grids, labels * 0), ValueError, "at least two classes"),
        (lambda: dg.leak_check(grids, labels.astype(float)), TypeError, "labels"),
        (lambda: dg.leak_check(grids[0], labels), ValueError, "grids must be a batch"),
        (lambda: dg.leak_check(grids, labels, folds=1), ValueError, "folds"),
        (lambda: dg.lattice_fraction(grids, 1), ValueError, "block"),
        (lambda: dg.lattice_fraction(grids.astype(float) + 0.5, 5), TypeError, "grids"),
        (lambda: dg.shift_check(grids, "new"), TypeError, "new"),
        (lambda: dg.shift_check(grids, grids, alpha=0), ValueError, "alpha"),
        (lambda: dg.shift_check(grids, grids, n_levels=3), ValueError, "reference grids"),
    ]:
        with pytest.raises(exc, match=whole_word(words)):
            call()


def test_pad_grids_adds_empty_cells_only():
    g = np.arange(12, dtype=np.uint8).reshape(1, 3, 4) % 5
    padded = io.pad_grids(g, 5)
    assert padded.shape == (1, 5, 5) and padded.dtype == np.uint8
    np.testing.assert_array_equal(padded[:, :3, :4], g)
    assert padded[:, 3:].sum() == 0 and padded[:, :, 4:].sum() == 0
    assert io.pad_grids(g[0], 2).shape == (4, 4)
    assert io.pad_grids(g, 1) is not g and io.pad_grids(g, 1).shape == g.shape
    with pytest.raises(ValueError, match=whole_word("block")):
        io.pad_grids(g, 0)
    with pytest.raises(TypeError, match=whole_word("grids")):
        io.pad_grids(g + 0.5, 5)
