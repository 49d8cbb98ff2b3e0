#!/usr/bin/env python3
"""I/O faults of volrender_mpi that must name their cause.

io_faults.py --mpiexec M [--np-flag -n] [--mpiexec-flags F] --np P
             --tool T --py-dir tests/py --work DIR --case NAME
io_faults.py --list            (the case names, one a line, for CMake)

Cases: a disk that fills up while a PNG, the float HDF5 file or the timing
record is written (a small tmpfs mounted at DIR/fs, unmounted afterwards
whatever happens; exit 77, skipped, where mounting is not permitted), the
output folder removed during the run (VR_TEST_FAIL=0:rmdir:FILE), and a
dataset that is a soft or external link leading nowhere.

Each runs like error_case.py's cases (whose checks it uses): every rank's
exit status (VR_TEST_EXIT_LOG) and mpirun's, exactly one line on rank 0's
stderr, `volrender_mpi: error: ...` naming the file and the system's reason
(libpng's and HDF5's own messages must not appear), nothing else printed,
no hang, and no partial output: the folders hold exactly the whole files
the case expects, no temporaries, and a timing file that was there is
byte for byte what it was.
Exit status: 0 pass, 1 fail, 77 skipped.
"""
import os
import re
import shutil
import subprocess
import sys

import error_case as ec
from robust_util import png_is_whole

SKIP = 77
ERR = ec.ERR
SMALL = ec.SMALL
WIDE = "--shape 12,64,64"  # its PNGs are larger than a page
ALL_FRAMES = ec.ALL_FRAMES
PAGE = 4096
# An earlier record in the timing file: 3996 bytes, so its page has 100
# bytes left and the new record is cut short by the full disk.
EARLIER = '{"earlier": "' + "x" * 3980 + '"}\n'


def fault(args, line=None, line_re=None, fs=None, env=None, outputs=(), fs_files=(),
          check=None, links=False, exit=1, cube=SMALL):
    """fs: None, or (tmpfs size in KiB, pages left free after filling it up
    (None: not filled), folders to make in it first, files to put in it
    first {name: text}).  outputs: files expected in out/; fs_files: files
    expected in fs/ (besides the filler); check: extra check(work, lines)."""
    c = ec.case([("cube", "cube.h5", cube)], args, exit, line=line, line_re=line_re,
                env=env, outputs=outputs)
    c.update(fs=fs, fs_files=sorted(fs_files), check=check, links=links)
    return c


def check_midway(work, msg):
    """The frame named in the message is absent, every earlier one there."""
    m = re.search(r"volumerender(\d+)\.png", msg or "")
    if not m:
        return ["no frame named in the message"]
    n = int(m.group(1))
    found = sorted(os.listdir(os.path.join(work, "fs", "out")))
    want = sorted(["projection.png"] + [f"volumerender{i}.png" for i in range(n)])
    return [] if found == want else [f"fs/out holds {found}, expected {want}"]


def check_timing_kept(work, msg):
    with open(os.path.join(work, "fs", "t.jsonl")) as f:
        text = f.read()
    return [] if text == EARLIER else [
        f"fs/t.jsonl changed: {len(text)} bytes, expected the {len(EARLIER)} it had"]


CASES = {
    # a full disk at the first PNG, the projection (64 x 64: larger than
    # the stdio buffer, so libpng's own writes fail, not only the close)
    "png_disk_full": fault(
        ["-i", "cube.h5", "-o", "fs/out", "-N", "16"],
        ERR + "cannot write 'fs/out/projection.png': No space left on device",
        fs=(64, 0, ["out"], {}), cube=WIDE),
    # room for a few PNGs: the frame after them fails halfway
    "png_disk_full_midway": fault(
        ["-i", "cube.h5", "-o", "fs/out", "-N", "64"],
        # frame n is written by rank n mod P: any rank may meet the full disk
        line_re=re.escape(ERR) + r"(rank \d+: )?" + re.escape("cannot write 'fs/out/volumerender")
        + r"\d+" + re.escape(".png': No space left on device"),
        fs=(128, 7, ["out"], {}), check=check_midway, cube=WIDE),
    # the float file is refused at creation: its room is reserved then
    "float_disk_full": fault(
        ["-i", "cube.h5", "-N", "16", "-f", "fs/f.h5"],
        ERR + "cannot create float output 'fs/f.h5': No space left on device",
        fs=(32, None, [], {})),
    # the timing record cut short: taken back, the earlier record kept
    "timing_disk_full": fault(
        ["-i", "cube.h5", "-N", "16", "-t", "fs/t.jsonl"],
        ERR + "cannot write timing file 'fs/t.jsonl': No space left on device",
        fs=(32, 0, [], {"t.jsonl": EARLIER}), outputs=ALL_FRAMES, fs_files=["t.jsonl"],
        check=check_timing_kept),
    # a new timing file on a full disk: not left behind empty
    "timing_disk_full_new": fault(
        ["-i", "cube.h5", "-N", "16", "-t", "fs/t.jsonl"],
        ERR + "cannot write timing file 'fs/t.jsonl': No space left on device",
        fs=(32, 0, [], {}), outputs=ALL_FRAMES),
    # the output folder removed after three frames (frame 3 is rank 0's at
    # np 1 and 3: frame n is written by rank n mod P)
    "outdir_removed": fault(
        ["-i", "cube.h5", "-N", "16"],
        ERR + "cannot write 'out/volumerender3.png': folder 'out': No such file or "
              "directory",
        env={"VR_TEST_FAIL": "0:rmdir:volumerender3.png"}),
    # links that lead nowhere (links.h5, made with h5py)
    "dataset_soft_link": fault(
        ["-i", "links.h5", "-d", "density"],
        ERR + "dataset 'density' in 'links.h5' is a soft link to '/missing', which "
              "does not exist (see --dataset)", links=True),
    "dataset_external_link": fault(
        ["-i", "links.h5", "-d", "ext"],
        ERR + "dataset 'ext' in 'links.h5' is an external link to 'other.h5:/density', "
              "whose file cannot be opened: No such file or directory (see --dataset)",
        links=True),
    "dataset_external_link_no_object": fault(
        ["-i", "links.h5", "-d", "ext_cube"],
        ERR + "dataset 'ext_cube' in 'links.h5' is an external link to "
              "'cube.h5:/rho', which does not exist in that file (see --dataset)",
        links=True),
    "group_soft_link": fault(
        ["-i", "links.h5", "-d", "sim/rho"],
        ERR + "group 'sim' in 'links.h5' is a soft link to '/run7', which does not "
              "exist (see --dataset)", links=True),
}


def make_links(work):
    import h5py
    with h5py.File(os.path.join(work, "links.h5"), "w") as f:
        f["density"] = h5py.SoftLink("/missing")
        f["ext"] = h5py.ExternalLink("other.h5", "/density")
        f["ext_cube"] = h5py.ExternalLink("cube.h5", "/rho")
        f["sim"] = h5py.SoftLink("/run7")


class Tmpfs:
    """A tmpfs of `kib` KiB at path, prepared as a case says; unmounted by
    umount() (called from a finally)."""

    def __init__(self, path):
        self.path = path
        self.mounted = False

    def mount(self, kib):
        os.makedirs(self.path, exist_ok=True)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kib}k", "tmpfs",
                            self.path], capture_output=True, text=True)
        if r.returncode != 0:
            return r.stderr.strip() or f"mount exited {r.returncode}"
        self.mounted = True
        return None

    def umount(self):
        if self.mounted:
            subprocess.run(["umount", self.path], check=False)
            self.mounted = False

    def fill(self, pages_free):
        """Fills it up with one-page files, then removes pages_free of them."""
        n = 0
        while True:
            try:
                with open(os.path.join(self.path, f".filler{n}"), "wb") as f:
                    f.write(b"\0" * PAGE)
                n += 1
            except OSError:
                os.remove(os.path.join(self.path, f".filler{n}"))
                break
        for i in range(pages_free):
            os.remove(os.path.join(self.path, f".filler{n - 1 - i}"))


def prepare_fs(c, fs):
    kib, pages_free, dirs, files = c["fs"]
    fs.umount()
    why = fs.mount(kib)
    if why:
        return why
    for d in dirs:
        os.makedirs(os.path.join(fs.path, d))
    for name, text in files.items():
        with open(os.path.join(fs.path, name), "w") as f:
            f.write(text)
    if pages_free is not None:
        fs.fill(pages_free)
    return None


def check_fs(c, work):
    """fs/ holds the case's files, fs/out only whole PNGs, no temporaries."""
    problems = []
    fs = os.path.join(work, "fs")
    names = sorted(n for n in os.listdir(fs) if not n.startswith(".filler"))
    want = sorted(c["fs_files"] + (["out"] if "out" in c["fs"][2] else []))
    if names != want:
        problems.append(f"fs/ holds {names}, expected {want}")
    out = os.path.join(fs, "out")
    for name in sorted(os.listdir(out)) if os.path.isdir(out) else []:
        if ".tmp." in name or not png_is_whole(os.path.join(out, name)):
            problems.append(f"fs/out/{name} is not a whole PNG")
    return problems


def run_case(a, name):
    c = CASES[name]
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    work = a.work
    fs = Tmpfs(os.path.join(work, "fs"))
    try:
        ec.make_files(c, work, a.py_dir)
        if c["links"]:
            make_links(work)
        if c["fs"]:
            why = prepare_fs(c, fs)
            if why:
                print(f"io_faults: SKIP {name}: cannot mount a tmpfs here ({why})")
                return SKIP
        before = set(os.listdir(work))
        kind = ec.launcher_kind(a.mpiexec)
        modes = ["ranks", "mpirun"] if kind == "openmpi" else ["mpirun"]
        problems = []
        for mode in modes:
            ec.clean(work, before)
            if c["fs"] and mode != modes[0]:
                prepare_fs(c, fs)
            captured = {}
            real_check = ec.check_lines

            def keep_lines(kind_, c_, np_, lines, expect, expect_re):
                captured["lines"] = [l[2] for l in lines if l[0] == 0 or kind_ == "other"]
                return real_check(kind_, c_, np_, lines, expect, expect_re)

            ec.check_lines = keep_lines
            try:
                problems += ec.run_once(a, name, c, work, mode, kind, [])
            finally:
                ec.check_lines = real_check
            found = [p for p in ec.check_outputs(c, work, before)]
            if c["fs"]:
                found += check_fs(c, work)
            if c["check"]:
                msg = next((l for l in captured.get("lines", []) if l.startswith(ERR)),
                           None)
                found += c["check"](work, msg)
            problems += [f"[{mode}] {p}" for p in found]
        return ec.launch.report("io_faults", name, problems, f" at np {a.np}")
    finally:
        fs.umount()


def main():
    return ec.launch.case_main(CASES, run_case, 1, os.path.join(ec.HERE, "..", "py"))


if __name__ == "__main__":
    sys.exit(main())
