"""Writes a zip with Python's zipfile (the reference writer) and lists it back: JSON in {path, files: {name: text}}, out [{name, compressedSize, size}]."""
import json
import sys
import zipfile

req = json.load(sys.stdin)
with zipfile.ZipFile(req["path"], "w", compression=zipfile.ZIP_DEFLATED) as z:
    z.comment = b"a comment the reader must skip"
    for name, text in req["files"].items():
        z.writestr(name, text)
with zipfile.ZipFile(req["path"]) as z:
    print(json.dumps([{"name": i.filename, "compressedSize": i.compress_size, "size": i.file_size} for i in z.infolist()]))
