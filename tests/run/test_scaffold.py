"""``init``: a new review, whole or not at all."""

from conftest import cli


def test_init_refuses_a_folder_that_holds_files_and_writes_nothing(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    res = cli("init", tmp_path)
    assert res.returncode == 2 and "already holds files" in res.stderr and "Traceback" not in res.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    res = cli("init", tmp_path / "notes.txt")
    assert res.returncode == 2 and "is a file" in res.stderr
    res = cli("init", tmp_path / "new", "--title", "two\nlines")
    assert res.returncode == 2 and not (tmp_path / "new").exists()
