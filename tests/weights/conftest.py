"""Every test of this folder downloads into its own empty weights cache, without a mirror."""
import pytest


@pytest.fixture(autouse=True)
def weights_cache(tmp_path, monkeypatch) -> str:
    """Every test of this folder downloads into its own empty cache, without a mirror."""
    cache = str(tmp_path / 'cuts3d_cache')
    monkeypatch.setenv('CUTS3D_CACHE', cache)
    monkeypatch.delenv('CUTS3D_WEIGHTS_MIRROR', raising=False)
    return cache
