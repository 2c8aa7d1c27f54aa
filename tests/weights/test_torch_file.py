"""Files named .pth that are not torch checkpoints are named for what they are."""
import pytest
import torch

from cuts3d.weights.torch_file import describe_non_torch_file


@pytest.mark.parametrize('content, message', [
    (b'hello world\n', "is a text file (it starts with 'hello world')"),
    (b'', 'is empty'),
    (b'version https://git-lfs.github.com/spec/v1\noid sha256:abc\n', 'Git LFS pointer'),
    (b'<!DOCTYPE html><html><body>403</body></html>', 'HTML page'),
    (b'\x00\x01\x02\xff\xfe', 'neither a zip archive nor a pickle'),
])
def test_non_checkpoints_are_described(tmp_path, content, message):
    path = tmp_path / 'weights.pth'
    path.write_bytes(content)
    assert message in describe_non_torch_file(path)


def test_real_checkpoints_pass(tmp_path):
    torch.save({'w': torch.zeros(2)}, tmp_path / 'zip.pth')
    torch.save({'w': torch.zeros(2)}, tmp_path / 'legacy.pth', _use_new_zipfile_serialization=False)
    assert describe_non_torch_file(tmp_path / 'zip.pth') is None
    assert describe_non_torch_file(tmp_path / 'legacy.pth') is None
