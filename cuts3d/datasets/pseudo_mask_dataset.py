"""The pseudo-mask file as an mmdet dataset: stock COCO parsing plus each instance's score and Spatial Confidence."""
from __future__ import annotations

from typing import Any

from mmdet.datasets import CocoDataset

from cuts3d.registry import DATASETS

from ..structures.rle import MAX_LEVELS


@DATASETS.register_module()
class PseudoMaskDataset(CocoDataset):
    """A class-agnostic pseudo-mask json (one category ``fg``) whose instances keep ``score`` and SC.

    Parsing, filtering (``filter_cfg``), ``data_prefix`` and serialisation are mmdet's ``CocoDataset``; every
    instance it keeps additionally carries

    - ``score``: the annotation's ``score`` (the mean Spatial Confidence of a pseudo-mask, a detection score of a
      prediction added by self-training), when it has one (CutLER files do not; ``LoadSpatialConfidence`` then
      uses the mean SC inside the mask, i.e. 1.0 without SC);
    - ``sc_mean``: the annotation's ``sc_mean`` (mean Spatial Confidence, written by the extraction), when it has
      one; confident copy-paste ranks by it;
    - ``spatial_confidence``: the annotation's ``{'levels': T, 'rles': [...]}`` entry, left encoded (it is decoded
      per image by ``LoadSpatialConfidence``); absent when the annotation has none.

    The class names come from the config (``metainfo=dict(classes=('fg',))`` for class-agnostic pseudo-masks, the
    cluster names for U2Seg); mmdet keeps only annotations whose category is among them, so a missing
    ``metainfo.classes`` used to fall back to a default and a category the classes do not name lost every one of its
    annotations without a word. Both are errors here.

    Raises:
        ValueError: at construction without ``metainfo.classes``; while loading a training set (not ``test_mode``)
            whose annotations have a category that is not among the classes; for an annotation whose ``score`` or
            ``sc_mean`` is not a number in [0, 1] or whose ``spatial_confidence`` is not ``{'levels': int in 1..255,
            'rles': list of that length}``.
    """

    METAINFO = {'classes': (), 'palette': [(220, 20, 60)]}

    def __init__(self, *args: Any, metainfo: dict | None = None, **kwargs: Any) -> None:
        if not metainfo or not metainfo.get('classes'):
            raise ValueError(f'PseudoMaskDataset({kwargs.get("ann_file", "")}) needs metainfo=dict(classes=...): the '
                             "category names of the json, ('fg',) for class-agnostic pseudo-masks")
        super().__init__(*args, metainfo=metainfo, **kwargs)

    def load_data_list(self) -> list[dict]:
        """mmdet's parsing; a training set whose annotated categories are not all among the classes is refused."""
        data_list = super().load_data_list()
        dropped = sorted(set(self.cat_img_map) - set(self.cat_ids))
        if dropped and not self.test_mode:
            count = len({image for cat in dropped for image in self.cat_img_map[cat]})
            raise ValueError(f'{self.ann_file}: the annotations of category id(s) {dropped} (on {count} image(s)) are '
                             f'not among metainfo.classes {tuple(self.metainfo["classes"])}; mmdet would drop them: '
                             'name their categories in metainfo.classes')
        return data_list

    def parse_data_info(self, raw_data_info: dict) -> dict:
        img_info, anns = raw_data_info['raw_img_info'], raw_data_info['raw_ann_info']
        data_info = super().parse_data_info({'raw_img_info': img_info, 'raw_ann_info': []})
        instances = []
        for ann in anns:
            # mmdet's own parsing decides which annotations survive (degenerate boxes, other categories...).
            parsed = super().parse_data_info({'raw_img_info': img_info, 'raw_ann_info': [ann]})['instances']
            if not parsed:
                continue
            instance = parsed[0]
            for key in ('score', 'sc_mean'):
                if key in ann:
                    instance[key] = self._score(ann, key)
            if ann.get('spatial_confidence') is not None:
                instance['spatial_confidence'] = self._checked_spatial_confidence(ann)
            instances.append(instance)
        data_info['instances'] = instances
        return data_info

    def _score(self, ann: dict[str, Any], key: str = 'score') -> float:
        score = ann[key]
        if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0.0 <= score <= 1.0:
            raise ValueError(f'{self.ann_file}: annotation {ann.get("id")} has {key} {score!r}; '
                             'expected a number in [0, 1]')
        return float(score)

    def _checked_spatial_confidence(self, ann: dict[str, Any]) -> dict:
        entry = ann['spatial_confidence']
        levels = entry.get('levels') if isinstance(entry, dict) else None
        rles = entry.get('rles') if isinstance(entry, dict) else None
        if isinstance(levels, bool) or not isinstance(levels, int) or not 1 <= levels <= MAX_LEVELS \
                or not isinstance(rles, list) or len(rles) != levels:
            raise ValueError(f'{self.ann_file}: annotation {ann.get("id")} has a malformed spatial_confidence; '
                             f"expected {{'levels': T in 1..{MAX_LEVELS}, 'rles': [T RLEs]}}, got "
                             f'levels={levels!r} and {len(rles) if isinstance(rles, list) else "no"} RLEs')
        return entry
