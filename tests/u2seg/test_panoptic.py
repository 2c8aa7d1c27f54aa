"""U2Seg eq. (5) and the panoptic segments built on it, on constructed label maps."""
import numpy as np
import pytest

from cuts3d.u2seg import ThingMask, merge_thing_and_stuff_labels, panoptic_pseudo_labels


def rect(shape, top, left, bottom, right):
    mask = np.zeros(shape, bool)
    mask[top:bottom, left:right] = True
    return mask


def test_eq5_things_win_then_stuff_then_void():
    things = np.array([[0, 2, 2], [0, 0, 1], [0, 0, 0]])
    stuff = np.array([[5, 5, 0], [6, 0, 6], [0, 6, 6]])
    assert merge_thing_and_stuff_labels(things, stuff).tolist() == [[5, 2, 2], [6, 0, 1], [0, 6, 6]]
    with pytest.raises(ValueError, match='differ in size'):
        merge_thing_and_stuff_labels(things, stuff[:2])


def test_segments_of_a_constructed_image():
    shape = (10, 12)
    big = ThingMask(rect(shape, 0, 0, 6, 6), category_id=2)
    small = ThingMask(rect(shape, 4, 4, 8, 8), category_id=1)  # overlaps big; the smaller one stays on top
    stuff = np.zeros(shape, np.int32)
    stuff[:, 6:] = 1  # right half: stuff class 1
    stuff[8:, :6] = 2  # bottom-left strip: stuff class 2
    labels = panoptic_pseudo_labels([small, big], stuff, num_thing_classes=3)
    by_id = {s['id']: s for s in labels.segments}
    ids = labels.segment_map
    # Things first (largest first), then stuff classes in label order, ids 1.. in that order.
    assert [(s['category_id'], s['area']) for s in labels.segments] == [
        (2, 36 - 4), (1, 16), (4, 10 * 6 - 8), (5, 2 * 6)]
    assert (ids[rect(shape, 4, 4, 8, 8)] == 2).all() and ids[0, 0] == 1
    assert (ids[:, 6:][~rect(shape, 4, 4, 8, 8)[:, 6:]] == 3).all()
    assert by_id[4]['bbox'] == [0.0, 8.0, 6.0, 2.0] and by_id[2]['bbox'] == [4.0, 4.0, 4.0, 4.0]
    assert (ids[6:8, :4] == 0).all()  # neither thing nor stuff: void
    assert all(s['iscrowd'] == 0 for s in labels.segments)
    assert sorted(np.unique(ids).tolist()) == [0, 1, 2, 3, 4]


def test_stuff_class_mostly_under_things_is_void_unless_eq5_literally():
    shape = (10, 10)
    thing = ThingMask(rect(shape, 0, 0, 10, 8), category_id=1)
    stuff = np.ones(shape, np.int32)  # 80 % of stuff class 1 lies under the thing
    released = panoptic_pseudo_labels([thing], stuff, num_thing_classes=1, max_thing_overlap=0.7)
    assert [s['category_id'] for s in released.segments] == [1]
    literal = panoptic_pseudo_labels([thing], stuff, num_thing_classes=1, max_thing_overlap=1.0)
    assert [(s['category_id'], s['area']) for s in literal.segments] == [(1, 80), (2, 20)]


def test_a_fully_hidden_thing_is_dropped_and_bad_input_raises():
    shape = (6, 6)
    hidden = ThingMask(rect(shape, 1, 1, 3, 3), 1)
    on_top = ThingMask(rect(shape, 0, 0, 4, 4), 1)
    smaller_on_top = panoptic_pseudo_labels([on_top, hidden], np.zeros(shape, int), 1)
    assert len(smaller_on_top.segments) == 2  # the smaller one is painted last, so both survive
    same = panoptic_pseudo_labels([on_top, ThingMask(rect(shape, 0, 0, 4, 4), 1)], np.zeros(shape, int), 1)
    assert len(same.segments) == 1 and same.segments[0]['area'] == 16
    with pytest.raises(ValueError, match='outside 1..1'):
        panoptic_pseudo_labels([ThingMask(rect(shape, 0, 0, 1, 1), 2)], np.zeros(shape, int), 1)
    with pytest.raises(ValueError, match='differ in size'):
        panoptic_pseudo_labels([ThingMask(np.ones((5, 5), bool), 1)], np.zeros(shape, int), 1)
    with pytest.raises(ValueError, match='labels >= 0'):
        panoptic_pseudo_labels([], -np.ones(shape, int), 1)
    with pytest.raises(ValueError, match='max_thing_overlap'):
        panoptic_pseudo_labels([], np.zeros(shape, int), 1, max_thing_overlap=1.5)
