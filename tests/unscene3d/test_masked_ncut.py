"""UnScene3D's masked NCut (Algorithm 1) on hand-made segment graphs."""
import numpy as np
import pytest
from scipy import sparse

from cuts3d.unscene3d.masked_ncut import (fused_affinity, masked_segment_ncut, normalized_similarity,
                                          seed_component)

OBJECT, FLOOR = [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]


def chain_adjacency(groups_of_neighbours, n):
    rows, cols = [], []
    for a, b in groups_of_neighbours:
        rows += [a, b]
        cols += [b, a]
    return sparse.csr_matrix((np.ones(len(rows), bool), (rows, cols)), shape=(n, n))


def room(object_sizes=(3, 2, 4), floor_segments=16):
    """Objects (runs of ``OBJECT`` segments, each a chain) standing on a floor grid of ``FLOOR`` segments; every object
    touches one floor segment, no object touches another. Returns features, adjacency, object segment lists."""
    feats, edges, objects = [FLOOR] * floor_segments, [], []
    side = int(np.sqrt(floor_segments))
    for i in range(floor_segments):
        if (i + 1) % side:
            edges.append((i, i + 1))
        if i + side < floor_segments:
            edges.append((i, i + side))
    for number, size in enumerate(object_sizes):
        first = len(feats)
        members = list(range(first, first + size))
        feats += [OBJECT] * size
        edges += [(m, m + 1) for m in members[:-1]] + [(first, (5 * number) % floor_segments)]
        objects.append(members)
    return np.array(feats), chain_adjacency(edges, len(feats)), objects


def test_objects_are_separated_by_connectivity_and_floor_comes_last():
    feats, adjacency, objects = room()
    cuts = masked_segment_ncut([feats], adjacency, min_foreground_segments=1, max_instances=3)
    found = sorted(sorted(np.flatnonzero(cut.segments).tolist()) for cut in cuts if cut.accepted)
    assert found == sorted(objects)
    assert all(cut.accepted for cut in cuts) and [cut.iteration for cut in cuts] == [0, 1, 2]
    # the first cut's bipartition is every object segment (9 of 25, the smaller side)
    assert sorted(np.flatnonzero(cuts[0].bipartition).tolist()) == sorted(sum(objects, []))


def test_small_masks_are_claimed_but_not_kept_and_segments_run_out():
    feats, adjacency, objects = room(object_sizes=(3, 1, 4))
    cuts = masked_segment_ncut([feats], adjacency, min_foreground_segments=2, max_instances=20)
    kept = [sorted(np.flatnonzero(cut.segments).tolist()) for cut in cuts if cut.accepted]
    rejected = [np.flatnonzero(cut.segments).tolist() for cut in cuts if not cut.accepted]
    assert objects[0] in kept and objects[2] in kept and [objects[1][0]] in rejected
    claimed = np.zeros(len(feats), bool)
    for cut in cuts:
        assert not (claimed & cut.segments).any()  # a segment is claimed once
        claimed |= cut.segments
    assert (~claimed).sum() < 3  # it stopped because fewer than 3 segments were left


def test_a_side_above_the_foreground_fraction_is_inverted():
    feats, adjacency, objects = room(object_sizes=(5, 5, 5), floor_segments=4)  # objects: 15 of 19 segments
    cuts = masked_segment_ncut([feats], adjacency, min_foreground_segments=1, max_instances=1)
    assert sorted(np.flatnonzero(cuts[0].segments).tolist()) == [0, 1, 2, 3]  # the floor is the smaller side
    inverted = masked_segment_ncut([feats], adjacency, min_foreground_segments=1, max_instances=1,
                                   max_foreground_fraction=0.2)  # 4 of 19 > 0.2: take the other side
    assert sorted(np.flatnonzero(inverted[0].bipartition).tolist()) == sorted(sum(objects, []))
    assert sorted(np.flatnonzero(inverted[0].segments).tolist()) in objects


def test_modalities_are_averaged_after_normalisation():
    colour = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    normal = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    np.testing.assert_allclose(normalized_similarity(colour), [[1, 1, 0], [1, 1, 0], [0, 0, 1]])
    np.testing.assert_allclose(fused_affinity([colour, normal], [1.0, 1.0]),
                               [[1, 0.5, 0], [0.5, 1, 0.5], [0, 0.5, 1]])
    np.testing.assert_allclose(fused_affinity([colour, normal], [3.0, 1.0])[0, 1], 0.75)
    np.testing.assert_allclose(normalized_similarity(np.ones((3, 2))), np.ones((3, 3)))
    np.testing.assert_allclose(normalized_similarity(colour, normalize=False), normalized_similarity(colour))


def test_seed_component_keeps_the_component_of_the_largest_entry():
    adjacency = chain_adjacency([(0, 1), (2, 3)], 5)
    bipartition = np.array([True, True, True, True, False])
    vector = np.array([0.1, 0.2, 0.3, 0.9, -1.0])
    np.testing.assert_array_equal(seed_component(bipartition, vector, adjacency), [False, False, True, True, False])


def test_bad_arguments():
    feats, adjacency, _ = room()
    with pytest.raises(ValueError, match='one S x D feature array'):
        masked_segment_ncut([feats[:-1]], adjacency)
    with pytest.raises(ValueError, match='modality_weights'):
        masked_segment_ncut([feats, feats], adjacency, modality_weights=[1.0])
    with pytest.raises(ValueError, match='solver'):
        masked_segment_ncut([feats], adjacency, solver='magic')
    with pytest.raises(ValueError, match='eps'):
        masked_segment_ncut([feats], adjacency, eps=0)
    with pytest.raises(ValueError, match='max_foreground_fraction'):
        masked_segment_ncut([feats], adjacency, max_foreground_fraction=0)
