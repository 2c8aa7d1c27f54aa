"""The tiny CutS3D detector (configs/demo/cuts3d_cad_tiny.py) learns: its loss falls when it overfits one batch."""
import numpy as np
import torch
from mmdet.structures import DetDataSample
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData

from cuts3d.structures.spatial_confidence_masks import SpatialConfidenceMasks
from cuts3d.utils.synthetic_images import generate_scene
from cuts3d.registry import MODELS

SIZE = 96


def _batch():
    """Two synthetic scenes with their instance masks; SC 2/3 on a mask's outer pixels, 1 inside."""
    inputs, samples = [], []
    for index in range(2):
        scene = generate_scene(index, seed=5, size=SIZE)
        masks = np.stack(scene.masks).astype(np.uint8)
        levels = masks * 3 - np.stack([m ^ (np.pad(m, 1)[2:, 1:-1] & np.pad(m, 1)[:-2, 1:-1] &
                                            np.pad(m, 1)[1:-1, 2:] & np.pad(m, 1)[1:-1, :-2]) for m in scene.masks])
        boxes = [[xs.min(), ys.min(), xs.max() + 1, ys.max() + 1] for ys, xs in (np.nonzero(m) for m in scene.masks)]
        sample = DetDataSample(metainfo=dict(img_shape=(SIZE, SIZE), ori_shape=(SIZE, SIZE), scale_factor=(1., 1.),
                                             pad_shape=(SIZE, SIZE)))
        sample.gt_instances = InstanceData(
            bboxes=torch.tensor(boxes, dtype=torch.float32), labels=torch.zeros(len(boxes), dtype=torch.long),
            masks=SpatialConfidenceMasks(masks, SIZE, SIZE, levels.astype(np.uint8), [3] * len(boxes)))
        inputs.append(torch.from_numpy(scene.image[..., ::-1].copy()).permute(2, 0, 1))  # BGR, as LoadImageFromFile
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def test_loss_falls_when_overfitting_one_batch():
    cfg = Config.fromfile('configs/demo/cuts3d_cad_tiny.py')
    init_default_scope('cuts3d')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
    data = model.data_preprocessor(_batch(), training=True)
    totals = []
    for _ in range(12):
        losses = model.loss(data['inputs'], data['data_samples'])
        loss, _ = model.parse_losses(losses)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        totals.append(loss.item())
        assert np.isfinite(totals[-1])
    assert np.mean(totals[-3:]) < 0.8 * np.mean(totals[:3]), totals
    assert all(k in losses for k in ('s0.loss_mask', 's0.loss_cls', 's0.drop_frac', 'loss_rpn_cls'))
