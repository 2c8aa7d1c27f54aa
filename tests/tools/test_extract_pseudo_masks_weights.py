"""tools/extract_pseudo_masks.py with a ViT extractor: no weights is an error naming the URL, never a json of random
masks; explicit random weights (pretrained=False) are recorded in the json's info."""
import json
import os

import numpy as np
from PIL import Image
from tool_modules import load_tool

ROOT = os.path.join(os.path.dirname(__file__), '..', '..')
CUTLER = os.path.abspath(os.path.join(ROOT, 'configs', 'demo', 'extract_cutler_tiny.py'))
TINY_ARCH = dict(embed_dims=32, num_layers=2, num_heads=4, feedforward_channels=64)

tool = load_tool('extract_pseudo_masks')


def _setup(tmp_path, extra: str):
    images = tmp_path / 'imgs'
    images.mkdir()
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (48, 64, 3), dtype=np.uint8)).save(images / 'a.png')
    config = tmp_path / 'dino_tiny.py'
    config.write_text(f"_base_ = [{CUTLER!r}]\n"
                      "pseudo_mask_generator = dict(num_cuts=1, feature_extractor=dict(_delete_=True, "
                      "type='DINOFeatures', "
                      f"arch={TINY_ARCH!r}, patch_size=8, input_size=(32, 32){extra}))\n")
    return str(config), str(images)


def test_no_weights_is_a_one_line_error_naming_the_url(tmp_path, capsys):
    config, images = _setup(tmp_path, '')
    out = tmp_path / 'out.json'
    assert tool.main([config, '--images', images, '--out', str(out), '--no-progress']) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and 'needs pretrained weights' in error and not out.exists()


def test_explicit_random_weights_are_recorded_in_the_info(tmp_path):
    config, images = _setup(tmp_path, ', pretrained=False')
    out = tmp_path / 'out.json'
    assert tool.main([config, '--images', images, '--out', str(out), '--no-progress']) == 0
    info = json.loads(out.read_text())['info']
    assert info['random_weights'] == ['pseudo_mask_generator.feature_extractor']
