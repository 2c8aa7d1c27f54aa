"""Fixtures of the U2Seg tests (the scenes themselves are in colour_scenes.py)."""
import pytest
from colour_scenes import BLUE, RED, write_scenes


@pytest.fixture
def scene_files(tmp_path):
    """Three images, each with a red and a blue rectangle at different places and sizes."""
    scenes = [
        [(RED, (4, 4, 28, 30)), (BLUE, (30, 50, 60, 90))],
        [(BLUE, (2, 10, 22, 40)), (RED, (30, 40, 62, 70))],
        [(RED, (10, 60, 40, 92)), (BLUE, (36, 4, 60, 36))],
    ]
    return tmp_path, write_scenes(tmp_path, scenes)
