# CutS3D extraction on the tiny demo settings, with depth from the example plugin instead of a file.
_base_ = ['../../../configs/demo/extract_cuts3d_tiny.py']

custom_imports = dict(imports=['cuts3d_example_depth'], allow_failed_imports=False)

pseudo_mask_generator = dict(depth_source=dict(_delete_=True, type='VerticalPriorDepth', near=0.2, far=1.0))
