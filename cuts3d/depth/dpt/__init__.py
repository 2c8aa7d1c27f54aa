"""DPT (Dense Prediction Transformer) for monocular depth, MiDaS v3 layout, on mmpretrain's VisionTransformer."""
from .dpt_checkpoint import LoadReport, load_dpt_weights, midas_to_native, native_to_midas
from .dpt_net import DPT_PRESETS, DPTNet, build_dpt

__all__ = ['DPT_PRESETS', 'DPTNet', 'LoadReport', 'build_dpt', 'load_dpt_weights', 'midas_to_native',
           'native_to_midas']
