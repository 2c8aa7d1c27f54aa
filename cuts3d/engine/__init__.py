"""Training-loop glue: checkpoint policy, self-training rounds, the tools' config checks.

Importing this package registers the ``SelfTrainingAnnotator`` metric (the prediction step of self-training).
"""
from .run_config import RunConfigError, load_config
from .self_training import (build_round_annotations, merge_with_previous, prediction_config, self_training_settings,
                            training_config)
from .self_training_annotator import SelfTrainingAnnotator

__all__ = ['RunConfigError', 'SelfTrainingAnnotator', 'build_round_annotations', 'load_config', 'merge_with_previous',
           'prediction_config', 'self_training_settings', 'training_config']
