"""Run QualCoder's own REFI-QDA project importer headless on a .qdpx and print what it stored.

Usage: ``python qualcoder_harness.py QUALCODER_SRC PROJECT.qdpx WORKDIR [EXPORT.qdpx]`` with a Python
that has PyQt6 (QualCoder's GUI toolkit).  With EXPORT.qdpx, QualCoder's own ``RefiExport`` then
writes the project it imported back out there (the line-endings dialog answered with its default).  QualCoder's database schema is taken from its own source (the
CREATE TABLE statements of ``MainWindow.new_project``), its ``RefiImport`` runs on an offscreen
Qt platform, and only the message box and the file dialog are replaced (they would wait for a
click).  Prints one JSON object: codes, categories and codings as QualCoder stored them.
"""

import ast
import json
import os
import sqlite3
import sys
import types
from pathlib import Path

src, project, work = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
export = Path(sys.argv[4]) if len(sys.argv) > 4 else None
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["HOME"] = str(work)  # RefiExport prepares its zip in ~/.qualcoder
sys.path.insert(0, str(src))

import qualcoder  # noqa: E402  (installs _() for gettext)

helpers = types.ModuleType("qualcoder.helpers")


class Message:  # the one GUI call refi.py makes besides the file dialog
    def __init__(self, app, title, text, *args, **kwargs):
        self.text = text

    def exec(self):
        return 0


helpers.Message = Message
sys.modules["qualcoder.helpers"] = helpers

from PyQt6 import QtWidgets  # noqa: E402

import qualcoder.refi as refi  # noqa: E402

tree = ast.parse((src / "qualcoder" / "__main__.py").read_text(encoding="utf-8"))
new_project = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "new_project")
schema = [n.args[0].value for n in ast.walk(new_project) if isinstance(n, ast.Call)
          and getattr(n.func, "attr", "") == "execute" and n.args and isinstance(n.args[0], ast.Constant)
          and str(n.args[0].value).startswith("CREATE TABLE")]

qda = work / "test.qda"
for sub in ("images", "audio", "video", "documents"):
    (qda / sub).mkdir(parents=True, exist_ok=True)
conn = sqlite3.connect(qda / "data.qda")
for statement in schema:
    conn.execute(statement)
conn.execute("insert into project (databaseversion, date, memo) values ('v1', '2000-01-01 00:00:00', '')")
conn.commit()

app_qt = QtWidgets.QApplication([])
app = types.SimpleNamespace(conn=conn, project_path=str(qda), project_name="test.qda", ai_models=[],
                            settings={"codername": "default", "directory": str(work), "ai_enable": "False",
                                      "fontsize": 10, "font": "Sans"},
                            write_config_ini=lambda *a, **k: None, delete_backup_folders=lambda *a, **k: None)
QtWidgets.QFileDialog.getOpenFileName = staticmethod(lambda *a, **k: (str(project), True))
log = QtWidgets.QTextEdit()
refi.RefiImport(app, log, "qdpx")
cur = conn.cursor()
codes = cur.execute("select name, catid from code_name").fetchall()
cats = cur.execute("select catid, name, supercatid from code_cat").fetchall()
codings = cur.execute("select cid, fid, seltext, pos0, pos1, owner from code_text").fetchall()
sources = cur.execute("select id, name, length(fulltext) from source").fetchall()
exported = None
if export is not None:
    (work / ".qualcoder").mkdir(exist_ok=True)
    app.get_annotations = lambda: []
    app.version = "QualCoder (source at the pinned commit)"
    refi.RefiLineEndings.exec = lambda self: 0
    out_dir = work / "qualcoder-export"
    out_dir.mkdir(exist_ok=True)
    QtWidgets.QFileDialog.getExistingDirectory = staticmethod(lambda *a, **k: str(out_dir))
    refi.RefiExport(app, log, "project")
    written = sorted(out_dir.glob("*.qdpx"))
    if written:
        written[0].replace(export)
        exported = str(export)
print(json.dumps({"codes": codes, "categories": cats, "codings": codings, "sources": sources, "exported": exported,
                  "log": log.toPlainText()[-2000:]}, ensure_ascii=False))
