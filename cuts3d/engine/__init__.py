"""Training-loop glue: checkpoint policy, self-training rounds, the tools' config checks.

Importing this package installs the checkpoint policy (:mod:`.checkpoint`: mmengine then loads its own checkpoints
with ``weights_only=True``) and registers the ``SelfTrainingAnnotator`` metric (the prediction step of
self-training). Every detector config lists ``cuts3d.engine`` in ``custom_imports``
(``configs/_base_/default_runtime.py``), and the training commands import it.
"""
from .checkpoint import install_checkpoint_policy
from .run_config import RunConfigError, load_config
from .self_training import (build_round_annotations, merge_with_previous, prediction_config, self_training_settings,
                            training_config)
from .self_training_annotator import SelfTrainingAnnotator

install_checkpoint_policy()

__all__ = ['RunConfigError', 'SelfTrainingAnnotator', 'build_round_annotations', 'install_checkpoint_policy',
           'load_config', 'merge_with_previous', 'prediction_config', 'self_training_settings', 'training_config']
