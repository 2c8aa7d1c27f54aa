"""Training-loop glue: the checkpoint-loading policy and the self-training rounds' config edits.

Importing this package installs the checkpoint policy (:mod:`.checkpoint`): mmengine then loads its own checkpoints
with ``weights_only=True``. Every detector config lists ``cuts3d.engine`` in ``custom_imports``
(``configs/_base_/default_runtime.py``), and the training tools import it, so any Runner built from a cuts3d
config has it.
"""
from .checkpoint import install_checkpoint_policy
from .self_training import prediction_config, self_training_settings, training_config

install_checkpoint_policy()

__all__ = ['install_checkpoint_policy', 'prediction_config', 'self_training_settings', 'training_config']
