"""CocoResultsWriter: a detector's predictions on photos as one COCO json that holds its images and classes; images
that failed to load get no entry and no detection, but a line in the failures file."""
import json
import os
import socket

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from mmengine.structures import InstanceData
from pycocotools.coco import COCO

from cuts3d.evaluation import CocoResultsWriter


def sample(img_id, path, boxes, scores, masks=None, failure=None):
    pred = InstanceData(bboxes=torch.tensor(boxes, dtype=torch.float32), scores=torch.tensor(scores),
                        labels=torch.zeros(len(scores), dtype=torch.long))
    if masks is not None:
        pred.masks = torch.tensor(np.array(masks))
    return {'img_id': img_id, 'img_path': path, 'ori_shape': (10, 12), 'pred_instances': pred,
            'load_failure': failure}


def test_writes_images_categories_and_detections(tmp_path):
    mask = np.zeros((10, 12), bool)
    mask[2:5, 3:9] = True
    writer = CocoResultsWriter(str(tmp_path / 'out.json'), image_root=str(tmp_path), score_thr=0.5,
                               info={'checkpoint': 'c.pth'})
    writer.dataset_meta = {'classes': ('fg', )}
    writer.process({}, [sample(2, str(tmp_path / 'sub' / 'b.png'), [[3, 2, 9, 5], [0, 0, 1, 1]], [0.9, 0.2],
                               [mask, mask])])
    writer.process({}, [sample(1, str(tmp_path / 'a.png'), np.zeros((0, 4)), [], np.zeros((0, 10, 12), bool))])
    counts = writer.compute_metrics(writer.results)
    assert counts == {'images': 2.0, 'detections': 1.0, 'failures': 0.0}
    data = json.loads((tmp_path / 'out.json').read_text())
    assert data['images'] == [{'id': 1, 'file_name': 'a.png', 'width': 12, 'height': 10},
                              {'id': 2, 'file_name': 'sub/b.png', 'width': 12, 'height': 10}]
    assert data['categories'] == [{'id': 1, 'name': 'fg'}] and data['info']['checkpoint'] == 'c.pth'
    (detection,) = data['annotations']
    assert detection['bbox'] == [3.0, 2.0, 6.0, 3.0] and detection['score'] == 0.9 and detection['area'] == 18.0
    coco = COCO(str(tmp_path / 'out.json'))  # loads as it is, masks decode to the prediction
    np.testing.assert_array_equal(coco.annToMask(coco.anns[1]).astype(bool), mask)


def test_failed_samples_go_to_the_failures_file_gathered_from_every_rank(tmp_path):
    out = tmp_path / 'out' / 'preds.json'
    box = [[1, 2, 5, 6]]
    shards = []
    for rank_samples in ([sample(1, str(tmp_path / 'a.png'), box, [0.9]),
                          sample(3, str(tmp_path / 'sub' / 'c.png'), box, [0.9], failure='OSError: truncated')],
                         [sample(2, str(tmp_path / 'b.png'), box, [0.9], failure='not a decodable image'),
                          sample(4, str(tmp_path / 'd.png'), box, [0.9])]):
        writer = CocoResultsWriter(str(out), str(tmp_path))
        writer.process({}, rank_samples)
        shards.extend(writer.results)  # what mmengine's collect_results gathers on rank 0
    writer = CocoResultsWriter(str(out), str(tmp_path))
    writer.dataset_meta = {'classes': ('fg',)}
    assert writer.compute_metrics(shards) == {'images': 2.0, 'detections': 2.0, 'failures': 2.0}
    data = json.loads(out.read_text())
    assert [image['file_name'] for image in data['images']] == ['a.png', 'd.png']
    assert [annotation['image_id'] for annotation in data['annotations']] == [1, 4]
    lines = (tmp_path / 'out' / 'preds.failures.jsonl').read_text().splitlines()
    assert [json.loads(line) for line in lines] == [
        {'path': str(tmp_path / 'b.png'), 'file_name': 'b.png', 'reason': 'not a decodable image'},
        {'path': str(tmp_path / 'sub' / 'c.png'), 'file_name': 'sub/c.png', 'reason': 'OSError: truncated'}]


def test_no_failure_leaves_an_empty_failures_file(tmp_path):
    (tmp_path / 'preds.failures.jsonl').write_text('{"stale": 1}\n')
    writer = CocoResultsWriter(str(tmp_path / 'preds.json'), str(tmp_path))
    writer.process({}, [sample(1, str(tmp_path / 'a.png'), [[1, 2, 5, 6]], [0.9])])
    assert writer.compute_metrics(writer.results)['failures'] == 0.0
    assert (tmp_path / 'preds.failures.jsonl').read_text() == ''


def gather_on_two_ranks(rank, root, port):
    """One gloo rank of :func:`test_two_ranks_gather_failures_on_rank_0`: its shard of 3 images, then evaluate."""
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=2)
    writer = CocoResultsWriter(os.path.join(root, 'preds.json'), root)
    writer.dataset_meta = {'classes': ('fg',)}
    # mmengine's DefaultSampler shards 3 images as rank 0: [1, 3], rank 1: [2, 1 (padding)]
    for img_id in {0: [1, 3], 1: [2, 1]}[rank]:
        writer.process({}, [sample(img_id, os.path.join(root, f'{img_id}.png'), [[1, 2, 5, 6]], [0.9],
                                   failure='not a decodable image' if img_id == 2 else None)])
    counts = writer.evaluate(3)
    with open(os.path.join(root, f'counts{rank}.json'), 'w') as handle:
        json.dump(counts, handle)
    dist.destroy_process_group()


def test_two_ranks_gather_failures_on_rank_0(tmp_path):
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    mp.spawn(gather_on_two_ranks, args=(str(tmp_path), port), nprocs=2)
    expected = {'results/images': 2.0, 'results/detections': 2.0, 'results/failures': 1.0}
    assert [json.loads((tmp_path / f'counts{rank}.json').read_text()) for rank in (0, 1)] == [expected, expected]
    assert [image['id'] for image in json.loads((tmp_path / 'preds.json').read_text())['images']] == [1, 3]
    (failure,) = (json.loads(line) for line in (tmp_path / 'preds.failures.jsonl').read_text().splitlines())
    assert failure == {'path': str(tmp_path / '2.png'), 'file_name': '2.png', 'reason': 'not a decodable image'}
