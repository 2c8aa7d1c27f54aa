"""The sorted image list: recursive folders, list files, and the inputs that must be refused."""
import pytest

from cuts3d.pseudo.image_list import ImageListError, list_images


def touch(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b'')
    return path


def test_folder_is_searched_recursively_sorted_and_filtered(tmp_path):
    for name in ['b/z.JPG', 'a.png', 'b/a.jpeg', 'c/d/e.WEBP', 'x.bmp', 'y.tif', 'notes.txt', 'depth.npy']:
        touch(tmp_path / name)
    root, items = list_images(tmp_path)
    assert root == str(tmp_path)
    assert [i.rel_path for i in items] == ['a.png', 'b/a.jpeg', 'b/z.JPG', 'c/d/e.WEBP', 'x.bmp', 'y.tif']
    assert [i.index for i in items] == list(range(6))
    assert items[1].path == str(tmp_path / 'b' / 'a.jpeg')


def test_list_file_paths_are_relative_to_its_folder(tmp_path):
    touch(tmp_path / 'imgs' / 'b.png')
    touch(tmp_path / 'imgs' / 'a.png')
    (tmp_path / 'list.txt').write_text('# comment\nimgs/b.png\n\nimgs/a.png\n')
    root, items = list_images(tmp_path / 'list.txt')
    assert root == str(tmp_path) and [i.rel_path for i in items] == ['imgs/a.png', 'imgs/b.png']


def test_list_file_with_paths_elsewhere_uses_their_common_folder(tmp_path):
    touch(tmp_path / 'data' / 'n1' / 'a.jpg')
    touch(tmp_path / 'data' / 'n2' / 'b.jpg')
    (tmp_path / 'lists').mkdir()
    (tmp_path / 'lists' / 'l.txt').write_text(f'{tmp_path}/data/n2/b.jpg\n../data/n1/a.jpg\n')
    root, items = list_images(tmp_path / 'lists' / 'l.txt')
    assert root == str(tmp_path / 'data') and [i.rel_path for i in items] == ['n1/a.jpg', 'n2/b.jpg']


def test_single_image(tmp_path):
    touch(tmp_path / 'one.png')
    root, items = list_images(tmp_path / 'one.png')
    assert root == str(tmp_path) and [i.rel_path for i in items] == ['one.png']


def test_bad_inputs_are_refused(tmp_path):
    with pytest.raises(ImageListError, match='does not exist'):
        list_images(tmp_path / 'missing')
    (tmp_path / 'empty').mkdir()
    touch(tmp_path / 'empty' / 'readme.txt')
    with pytest.raises(ImageListError, match='no images'):
        list_images(tmp_path / 'empty')
    (tmp_path / 'blank.txt').write_text('\n# nothing\n')
    with pytest.raises(ImageListError, match='names no images'):
        list_images(tmp_path / 'blank.txt')
    (tmp_path / 'twice.txt').write_text('a.png\n./a.png\n')
    with pytest.raises(ImageListError, match='more than once, e.g. a.png'):
        list_images(tmp_path / 'twice.txt')


def test_items_say_whether_their_stem_is_unique(tmp_path):
    for name in ['sub/a/x.png', 'sub/b/x.png', 'c/y.png', 'c/y.jpg', 'z.png']:
        touch(tmp_path / name)
    _, items = list_images(tmp_path)
    flags = {item.rel_path: (item.unique_stem, item.unique_rel_stem) for item in items}
    assert flags == {'c/y.jpg': (False, False), 'c/y.png': (False, False), 'sub/a/x.png': (False, True),
                     'sub/b/x.png': (False, True), 'z.png': (True, True)}
    assert items[-1].meta() == {'img_path': str(tmp_path / 'z.png'), 'rel_path': 'z.png', 'unique_stem': True,
                                'unique_rel_stem': True}
