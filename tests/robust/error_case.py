#!/usr/bin/env python3
"""One robustness case of volrender_mpi: bad input, bad options, faults.

error_case.py --mpiexec M [--np-flag -n] [--mpiexec-flags F] --np P
              --tool T --py-dir tests/py --work DIR --case NAME
error_case.py --list            (the case names, one a line, for CMake)

Each case makes its input files in a fresh DIR, runs the tool there on P
ranks (relative paths, so messages are exact) and checks:
  * every rank ends by itself with the expected exit status: with Open MPI
    the case runs once with orte_abort_on_non_zero_status=0 (so mpirun does
    not kill the other ranks when one exits non-zero, which would hide a
    rank left hanging in a collective) and VR_TEST_EXIT_LOG (each rank
    records its status), then once as users run it, for mpirun's status;
  * the one line the case expects (an error or a warning) comes from the
    expected rank, on stderr, exactly once, and no rank prints anything
    else (Open MPI's --tag-output tells the ranks apart);
  * no hang: the run ends within the case's time limit;
  * nothing left behind: the output folder holds exactly the files the case
    expects (usually none) and they are whole PNGs; no temporaries anywhere.
Exit status: 0 pass, 1 fail, 77 skipped (the case cannot be set up here).
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from robust_util import children, png_is_whole

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "py"))
import launch  # noqa: E402  (tests/py: the drivers' shared command line)
SKIP = 77
ERR = "volrender_mpi: error: "

# ---- the cases -------------------------------------------------------------
# files: (kind, name, detail) made in the work folder before the run:
#   cube  make_test_cube.py options     text  contents     dir  -
#   cut   fraction of a smooth cube kept (a truncated file)
#   unreadable  a cube with mode 000 (the run drops root privileges)
#   field  a SMALL float32 field given by a formula (make_field)
# args: tool options ({last} = the last rank), after "-o out -q".
# exit: expected status; line / line_re: the one line expected on stderr
# from `rank` ("last" = P-1); outputs: files expected in out/ afterwards;
# aborts: the job is expected to end through MPI_Abort (tier 3).
SMALL = "--shape 12,10,8"
CUBE = ("cube", "cube.h5", SMALL)
FRAMES_0_1 = ["projection.png", "volumerender0.png", "volumerender1.png"]
ALL_FRAMES = ["projection.png"] + [f"volumerender{n}.png" for n in range(10)]


def case(files, args, exit, line=None, line_re=None, rank=0, env=None, outputs=(),
         max_seconds=60, nobody=False, aborts=False):
    return dict(files=files, args=args, exit=exit, line=line, line_re=line_re,
                rank=rank, env=env or {}, outputs=list(outputs),
                max_seconds=max_seconds, nobody=nobody, aborts=aborts)


CASES = {
    # 1. the input file and dataset
    "input_missing": case(
        [], ["-i", "missing.h5"], 1,
        ERR + "cannot read input file 'missing.h5': No such file or directory "
              "(see --input)"),
    "input_unreadable": case(
        [("unreadable", "locked.h5", SMALL)], ["-i", "locked.h5"], 1,
        ERR + "cannot read input file 'locked.h5': Permission denied (see --input)",
        nobody=True),
    "input_folder": case(
        [("dir", "adir", None)], ["-i", "adir"], 1,
        ERR + "input 'adir' is a folder; --input needs an HDF5 file"),
    "input_not_hdf5": case(
        [("text", "notes.h5", "density = 1, 2, 3\n")], ["-i", "notes.h5"], 1,
        ERR + "input file 'notes.h5' is not an HDF5 file (see --input)"),
    "input_truncated": case(
        [("cut", "cut.h5", 0.6)], ["-i", "cut.h5"], 1,
        ERR + "input file 'cut.h5' is damaged or truncated: HDF5 cannot open it "
              "(see --input)"),
    "dataset_missing": case(
        [CUBE], ["-i", "cube.h5", "-d", "rho"], 1,
        ERR + "dataset 'rho' not found in 'cube.h5'; datasets in the file: density "
              "(see --dataset)"),
    "dataset_is_group": case(
        [("cube", "nested.h5", SMALL + " --dataset sim/rho")],
        ["-i", "nested.h5", "-d", "sim"], 1,
        ERR + "'sim' in 'nested.h5' is a group, not a dataset; datasets in the file: "
              "sim/rho (see --dataset)"),
    "dataset_not3d": case(
        [("cube", "flat.h5", SMALL + " --bad not3d")], ["-i", "flat.h5"], 1,
        ERR + "dataset 'density' in 'flat.h5' has 2 dimension(s) (12 x 10); a 3-D "
              "dataset is needed"),
    "dataset_zero_length": case(
        [("cube", "empty.h5", SMALL + " --bad zerodim")], ["-i", "empty.h5"], 1,
        ERR + "dataset 'density' in 'empty.h5' has shape 0 x 10 x 8; at least 2 "
              "points along every axis are needed to interpolate"),
    "dataset_string": case(
        [("cube", "text.h5", SMALL + " --bad string")], ["-i", "text.h5"], 1,
        ERR + "dataset 'density' in 'text.h5' has a string type; a numeric (integer "
              "or floating-point) type is needed"),
    "dataset_compound": case(
        [("cube", "pairs.h5", SMALL + " --bad compound")], ["-i", "pairs.h5"], 1,
        ERR + "dataset 'density' in 'pairs.h5' has a compound type; a numeric "
              "(integer or floating-point) type is needed"),
    # 2. a cube too thin to interpolate (more ranks than planes renders: see
    #    the robust_thin_* tests)
    "cube_one_plane": case(
        [("cube", "thin.h5", SMALL + " --bad tiny")], ["-i", "thin.h5"], 1,
        ERR + "dataset 'density' in 'thin.h5' has shape 1 x 10 x 8; at least 2 "
              "points along every axis are needed to interpolate"),
    # 3. NaN, +-inf, zero and negative voxels: one warning, then every frame
    "special_values": case(
        [("cube", "special.h5", "--shape 20,24,22 --kind special")],
        ["-i", "special.h5", "-N", "16"], 0,
        "volrender_mpi: warning: dataset 'density' in 'special.h5' has 140 voxel(s) "
        "without a positive finite density (37 NaN, 24 infinite, 79 zero or "
        "negative); NaN and infinite count as 0, and all render as empty",
        outputs=ALL_FRAMES),
    # 4. options
    "size_too_small": case(
        [CUBE], ["-i", "cube.h5", "-N", "1"], 2,
        ERR + "option --size: 1 is out of range (accepted: 2 to 32768)"),
    "size_too_large": case(
        [CUBE], ["-i", "cube.h5", "-N", "40000"], 2,
        ERR + "option --size: 40000 is out of range (accepted: 2 to 32768)"),
    "size_over_memory": case(
        [CUBE], ["-i", "cube.h5", "-N", "4096", "--max-memory", "64"], 1,
        line_re=re.escape(ERR + "the job needs up to ") + r"\d+" + re.escape(
            " MiB per rank, more than --max-memory 64; use more ranks, a smaller "
            "--size or --samples, or a larger --max-memory")),
    "angles_zero": case(
        [CUBE], ["-i", "cube.h5", "-a", "0"], 2,
        ERR + "option --angles: 0 is out of range (accepted: 1 to 1048576)"),
    "angles_negative": case(
        [CUBE], ["-i", "cube.h5", "--angles=-4"], 2,
        ERR + "option --angles: -4 is out of range (accepted: 1 to 1048576)"),
    "composite_unknown": case(
        [CUBE], ["-i", "cube.h5", "-c", "radix"], 2,
        ERR + "option --composite: unknown method 'radix' (accepted: bswap, radixk, tree)"),
    "decomp_unknown": case(
        [CUBE], ["-i", "cube.h5", "--decomp", "k-d"], 2,
        ERR + "option --decomp: unknown decomposition 'k-d' (accepted: equal or slab, balanced, kd)"),
    "axis_unknown": case(
        [CUBE], ["-i", "cube.h5", "--axis", "3"], 2,
        ERR + "option --axis: 3 is out of range (accepted: 0 to 2)"),
    "axis_not_number": case(
        [CUBE], ["-i", "cube.h5", "--axis", "y"], 2,
        ERR + "option --axis: 'y' is not a whole number (accepted: 0 to 2)"),
    "number_trailing_text": case(
        [CUBE], ["-i", "cube.h5", "-N", "12abc"], 2,
        ERR + "option --size: '12abc' is not a whole number (accepted: 2 to 32768)"),
    "number_exponent": case(
        [CUBE], ["-i", "cube.h5", "-N", "1e999"], 2,
        ERR + "option --size: '1e999' is not a whole number (accepted: 2 to 32768)"),
    "number_overflow": case(
        [CUBE], ["-i", "cube.h5", "--samples", "99999999999999999999"], 2,
        ERR + "option --samples: 99999999999999999999 is out of range (accepted: 2 "
              "to 1048576)"),
    "number_empty": case(
        [CUBE], ["-i", "cube.h5", "-N", ""], 2,
        ERR + "option --size: '' is not a whole number (accepted: 2 to 32768)"),
    "value_missing": case(
        [CUBE], ["-i", "cube.h5", "-N"], 2,
        ERR + "option --size needs a value (accepted: 2 to 32768)"),
    "value_missing_text": case(
        [CUBE], ["-i", "cube.h5", "--dataset"], 2,
        ERR + "option --dataset needs a value (a dataset path in the input file)"),
    "option_unknown": case(
        [CUBE], ["-i", "cube.h5", "--colour", "red"], 2,
        ERR + "unknown option '--colour' (see --help)"),
    "outdir_is_file": case(
        [CUBE, ("text", "taken", "a file\n")], ["-i", "cube.h5", "-o", "taken"], 1,
        ERR + "cannot use output folder 'taken': 'taken' is a file, not a folder "
              "(see --output-dir)"),
    "outdir_under_file": case(
        [CUBE, ("text", "taken", "a file\n")],
        ["-i", "cube.h5", "-o", "taken/frames"], 1,
        ERR + "cannot use output folder 'taken/frames': 'taken' is a file, not a "
              "folder (see --output-dir)"),
    "outdir_cannot_create": case(
        [CUBE], ["-i", "cube.h5", "-o", "/proc/volrender_test/frames"], 1,
        ERR + "cannot create output folder '/proc/volrender_test': No such file or "
              "directory (see --output-dir)"),
    "float_output_folder": case(
        [CUBE, ("dir", "adir", None)], ["-i", "cube.h5", "-f", "adir"], 1,
        ERR + "cannot write 'adir': it is a folder (see --float-output)"),
    "float_output_no_folder": case(
        [CUBE], ["-i", "cube.h5", "-f", "nowhere/f.h5"], 1,
        ERR + "cannot write 'nowhere/f.h5': folder 'nowhere': No such file or "
              "directory (see --float-output)"),
    "timing_folder": case(
        [CUBE, ("dir", "adir", None)], ["-i", "cube.h5", "-t", "adir"], 1,
        ERR + "cannot write 'adir': it is a folder (see --timing)"),
    "resume_with_float_output": case(
        [CUBE], ["-i", "cube.h5", "--resume", "-f", "f.h5"], 2,
        ERR + "option --resume cannot be combined with --float-output (the float file "
              "holds one whole run; render the missing angles into another file with "
              "--first-angle/--last-angle)"),
    # 7. a rank failing alone: before a collective step (agreed, rank 0
    #    reports it) and in the middle of the orbit (the job aborts at once)
    "rank_fails_to_allocate": case(
        [CUBE], ["-i", "cube.h5", "-N", "16"], 1,
        line_re=re.escape(ERR) + "{rank_prefix}" + re.escape("cannot allocate ") +
        r"[0-9.e-]+" + re.escape(" MiB for this rank's block of 'density' (") +
        r"\d+ x \d+ x \d+" + re.escape(" points); use more ranks"),
        env={"VR_TEST_FAIL": "{last}:alloc"}),
    "rank_fails_midway": case(
        [CUBE], ["-i", "cube.h5", "-N", "16"], 1,
        "volrender[{last}]: error: angle 2: out of memory while compositing "
        "(injected by VR_TEST_FAIL)",
        rank="last", env={"VR_TEST_FAIL": "{last}:angle2"}, outputs=FRAMES_0_1,
        max_seconds=20, aborts=True),
}


# 8. transfer functions and picture options.  A check that needs no data runs
#    with an input that does not exist, so its own line (not the input's)
#    shows it comes before the input is opened; every case but the warning
#    also asks for a float file, a timing record and an exported preset, none
#    of which may be left in the work folder.
NOT_READ = ["-i", "never_read.h5"]
NO_FILES = ["-f", "float.h5", "-t", "timing.jsonl", "--tf-export", "export.json"]
COLORMAPS = ("viridis, magma, inferno, plasma, cividis, turbo, gray, bone, hot, "
             "coolwarm, RdBu, Blues, Greys, cubehelix (each also as NAME_r, reversed)")


def tf_file(name, text, line, preset=None):
    """A --tf file holding `text`, refused with ERR + name + ": " + line."""
    arg = name if preset is None else f"{name}:{preset}"
    return case([("text", name, text)], NOT_READ + NO_FILES + ["--tf", arg], 1,
                ERR + name + ": " + line)


def tf_option(args, line, files=(), exit=2):
    """Command-line options refused with ERR + line."""
    return case(list(files), NOT_READ + NO_FILES + args, exit, ERR + line)


def tf_data(field, args, line):
    """A field (make_files kind "field") refused once it is read."""
    return case([("field", "field.h5", field)], ["-i", "field.h5"] + NO_FILES + args, 1,
                ERR + line)


GAUSS = '{"centre": 3, "width2": 1, "rgba": [1, 1, 1, 0.5]}'
PRESETS = ('[{"Name": "Warm", "ColorSpace": "RGB", "RGBPoints": [0, 0, 0, 0, 1, 1, 0.5, 0]},\n'
           ' {"Name": "Cold", "RGBPoints": [0, 0, 0, 0, 1, 0, 0.5, 1]}]\n')
CASES.update({
    # --tf files: the file, the JSON path and what is accepted on one line
    "tf_not_json": tf_file(
        "broken.json", '{"colormap": "viri\ndis"}\n',
        "not valid JSON: line 1, column 18: unexpected newline near '\"viri'"),
    "tf_empty_file": case(
        [("text", "empty.json", "")], NOT_READ + NO_FILES + ["--tf", "empty.json"], 1,
        ERR + "--tf: 'empty.json' is empty (accepted: a JSON object in the project's "
        "format, or a list of ParaView presets)"),
    "tf_file_missing": case(
        [], NOT_READ + NO_FILES + ["--tf", "nothere.json"], 1,
        ERR + "--tf: cannot read 'nothere.json': No such file or directory"),
    "tf_unknown_key": tf_file(
        "key.json", '{"colormap": "viridis", "colour": "red"}',
        "unknown key 'colour' (accepted: scale, gaussians, points, colormap, colors, "
        "opacity, range, opacity_unit, background, name, description)"),
    "tf_no_kind": tf_file(
        "nokind.json", '{"scale": "log10", "background": [0, 0, 0]}',
        "no transfer function (give one of gaussians, points or colormap)"),
    "tf_two_kinds": tf_file(
        "two.json", '{"gaussians": [' + GAUSS + '], "colormap": "magma"}',
        "gaussians and colormap both given (give exactly one of gaussians, points or "
        "colormap)"),
    "tf_points_not_increasing": tf_file(
        "points.json", '{"points": [[0, 0, 0, 0, 0], [2, 1, 1, 1, 0.5], [2, 1, 1, 1, 1]]}',
        "points[2][0] is 2, not above points[1][0] (x must increase)"),
    "tf_opacity_not_increasing": tf_file(
        "opacity.json", '{"colormap": "viridis", "opacity": [[0, 0], [0.5, 0.1], '
                        '[0.4, 0.2], [1, 1]]}',
        "opacity[2][0] is 0.4, not above opacity[1][0] (t must increase)"),
    "tf_width2_negative": tf_file(
        "neg.json", '{"gaussians": [{"centre": 3, "width2": -0.5, "rgba": [1, 1, 1, 0.5]}]}',
        "gaussians[0].width2 is -0.5 (accepted: a number > 0)"),
    "tf_width2_zero": tf_file(
        "zero.json", '{"gaussians": [' + GAUSS + ', {"centre": 5, "width2": 0, '
                     '"rgba": [1, 1, 1, 0.5]}]}',
        "gaussians[1].width2 is 0 (accepted: a number > 0)"),
    "tf_colour_outside": tf_file(
        "colour.json", '{"points": [[0, 0, 0, 0, 0], [1, 1.2, 1, 1, 0.5]]}',
        "points[1][1] is 1.2 (accepted: 0 to 1)"),
    "tf_opacity_outside": tf_file(
        "alpha.json", '{"colormap": "magma", "opacity": [[0, 0], [1, 1.5]]}',
        "opacity[1][1] is 1.5 (accepted: 0 to 1)"),
    "tf_colormap_unknown": tf_file(
        "rainbow.json", '{"colormap": "rainbow"}',
        f"colormap is 'rainbow', not a known colour map (accepted: {COLORMAPS})"),
    "tf_preset_colorspace": tf_file(
        "lab.json", '[{"Name": "Black-Body", "ColorSpace": "Lab", '
                    '"RGBPoints": [0, 0, 0, 0, 1, 1, 1, 1]}]',
        "preset 'Black-Body': ColorSpace 'Lab' is not supported (accepted: RGB)"),
    "tf_preset_missing": tf_file(
        "presets.json", PRESETS,
        "no preset named 'Hot' (presets in the file: 'Warm', 'Cold')", preset="Hot"),
    "tf_percentiles_outside": tf_file(
        "pct.json", '{"colormap": "viridis", "range": {"percentiles": [1, 101]}}',
        "range.percentiles[1] is 101 (accepted: 0 to 100)"),
    "tf_range_empty": tf_file(
        "range.json", '{"colormap": "viridis", "range": [5, 2]}',
        "range is [5, 2], an empty range (accepted: [lo, hi] with lo < hi, \"auto\" or "
        "{\"percentiles\": [p, q]} with 0 <= p < q <= 100)"),
    # the command line's transfer-function and picture options
    "colormap_unknown": tf_option(
        ["--colormap", "rainbow"],
        f"option --colormap: unknown colour map 'rainbow' (accepted: {COLORMAPS})"),
    "scale_unknown": tf_option(
        ["--colormap", "viridis", "--scale", "ln2"],
        "option --scale: unknown scale 'ln2' (accepted: ln, log10, linear)"),
    "range_not_range": tf_option(
        ["--colormap", "viridis", "--range", "1:abc"],
        "option --range: '1:abc' is not auto, LO:HI or pA:pB (e.g. p1:p99)"),
    "range_empty": tf_option(
        ["--colormap", "viridis", "--range", "3:2"],
        "option --range: '3:2' is an empty range (LO must be below HI)"),
    "range_percentile_over": tf_option(
        ["--colormap", "viridis", "--range", "p1:p101"],
        "option --range: percentile 'p101' is outside 0 to 100"),
    "opacity_not_points": tf_option(
        ["--colormap", "viridis", "--opacity", "0:0,x"],
        "option --opacity: point 2 'x' is not T:A (in '0:0,x'; accepted: T:A,T:A,... "
        "(at least two points), ramp, ramp:AMAX or flat:A)"),
    "opacity_unit_zero": tf_option(
        ["--colormap", "viridis", "--opacity-unit", "0"],
        "option --opacity-unit: 0 is out of range (accepted: a length > 0 in world units, at most 1e30)"),
    "opacity_unit_negative": tf_option(
        ["--colormap", "viridis", "--opacity-unit=-1"],
        "option --opacity-unit: -1 is out of range (accepted: a length > 0 in world units, at most 1e30)"),
    "background_two_numbers": tf_option(
        ["--background", "1,1"],
        "option --background: '1,1' is not R,G,B with each of R, G, B from 0 to 1"),
    "background_over_one": tf_option(
        ["--background", "1.5,0,0"],
        "option --background: '1.5,0,0' is not R,G,B with each of R, G, B from 0 to 1"),
    "png_unknown": tf_option(
        ["--png", "bgr"], "option --png: 'bgr' is not rgb or rgba"),
    "png_depth_12": tf_option(
        ["--png-depth", "12"], "option --png-depth: '12' is not 8 or 16"),
    "projection_colormap_unknown": tf_option(
        ["--projection-colormap", "rainbow"],
        f"option --projection-colormap: unknown colour map 'rainbow' (accepted: {COLORMAPS})"),
    "projection_range_bad": tf_option(
        ["--projection-range", "low:high"],
        "option --projection-range: 'low:high' is not auto, LO:HI or pA:pB (e.g. p1:p99)"),
    "tf_with_colormap": tf_option(
        ["--tf", "map.json", "--colormap", "viridis"],
        "options --tf and --colormap exclude each other (a colour map with its opacity "
        "goes in the --tf file, or on the command line without --tf)",
        files=[("text", "map.json", '{"colormap": "magma"}')]),
    "opacity_without_colormap": tf_option(
        ["--opacity", "ramp"],
        "option --opacity needs --colormap (a --tf file gives its own \"opacity\")"),
    "range_without_colormap": tf_option(
        ["--range", "1:2"],
        "option --range needs --colormap or a --tf colour map (the reference transfer "
        "function has no data range)"),
    # found once the data is read, still before any output is prepared
    "colormap_constant_field": tf_data(
        "const:3.5", ["--colormap", "viridis"],
        "dataset 'density' in 'field.h5': ln rho is 1.252762968495368 in every non-empty "
        "voxel (the field is constant): the colour map's range is empty; give --range "
        "LO:HI"),
    "colormap_empty_field": tf_data(
        "const:0", ["--colormap", "viridis"],
        "dataset 'density' in 'field.h5' has no voxel a colour map can show (every voxel "
        "is zero, negative, NaN or infinite under the log scale): no data range; give "
        "--range LO:HI"),
    "projection_constant_auto": tf_data(
        "layers", ["--projection-range", "auto"],
        "option --projection-range auto: the projection's values give an empty range (a "
        "constant projection); give --projection-range LO:HI"),
    # the reference on a field in g/cm^3: one warning, then every frame
    "tf_reference_invisible": case(
        [("field", "field.h5", "scaled:1e-27")], ["-i", "field.h5", "-N", "16"], 0,
        "volrender_mpi: warning: ln rho of dataset 'density' in 'field.h5' spans "
        "[-68.17, -51.17], where the transfer function's opacity is at most 0: the frames "
        "will be (nearly) empty; use --colormap NAME (it follows the data's own range) or "
        "a --tf file made for these units", outputs=ALL_FRAMES),
})


# ---- setting up ----------------------------------------------------------------
def make_cube(py_dir, path, options):
    cmd = [sys.executable, os.path.join(py_dir, "make_test_cube.py"), "--out", path]
    subprocess.run(cmd + options.split(), check=True, stdout=subprocess.DEVNULL)


def make_field(py_dir, path, spec):
    """A SMALL float32 'density' field: "const:V" (every voxel V), "layers"
    (each plane along axis 0 one value, ln rho from -6 to 11: a constant
    projection) or "scaled:F" (the smooth cube times F)."""
    import h5py
    import numpy as np
    shape = tuple(int(n) for n in SMALL.split()[1].split(","))
    kind, _, value = spec.partition(":")
    if kind == "const":
        data = np.full(shape, float(value))
    elif kind == "layers":
        data = np.exp(np.linspace(-6.0, 11.0, shape[0]))[:, None, None] * np.ones(shape)
    elif kind == "scaled":
        make_cube(py_dir, path + ".smooth", SMALL)
        with h5py.File(path + ".smooth", "r") as f:
            data = f["density"][...].astype(np.float64) * float(value)
        os.remove(path + ".smooth")
    else:
        raise ValueError(spec)
    with h5py.File(path, "w") as f:
        f["density"] = data.astype(np.float32)


def make_files(c, work, py_dir):
    for kind, name, detail in c["files"]:
        path = os.path.join(work, name)
        if kind == "cube":
            make_cube(py_dir, path, detail)
        elif kind == "text":
            with open(path, "w") as f:
                f.write(detail)
        elif kind == "dir":
            os.makedirs(path)
        elif kind == "field":
            make_field(py_dir, path, detail)
        elif kind == "cut":
            make_cube(py_dir, path + ".whole", SMALL)
            with open(path + ".whole", "rb") as f:
                data = f.read()
            with open(path, "wb") as f:
                f.write(data[:int(len(data) * detail)])
            os.remove(path + ".whole")
        elif kind == "unreadable":
            make_cube(py_dir, path, detail)
            os.chmod(path, 0)
        else:
            raise ValueError(kind)


def drop_root(work, tool):
    """Command prefix that runs as 'nobody' when we are root (root reads any
    file, so mode 000 alone proves nothing); None if that is impossible."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if not setpriv:
        return None
    prefix = [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    os.chmod(work, 0o777)
    probe = subprocess.run(prefix + ["test", "-x", tool], cwd="/")
    probe_work = subprocess.run(prefix + ["test", "-w", work], cwd="/")
    return prefix if probe.returncode == 0 and probe_work.returncode == 0 else None


# ---- running and checking --------------------------------------------------------
def launcher_kind(mpiexec):
    try:
        text = subprocess.run([mpiexec, "--version"], capture_output=True,
                              text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "other"
    if "Open MPI" in text or "OpenRTE" in text:
        return "openmpi"
    return "hydra" if "HYDRA" in text else "other"


def split_by_rank(kind, stdout, stderr):
    """[(rank or None, stream, text)] for every non-empty line."""
    lines = []
    for stream, text in (("stdout", stdout), ("stderr", stderr)):
        for raw in text.splitlines():
            m = None
            if kind == "openmpi":
                m = re.match(r"^\[\d+,(\d+)\]<(stdout|stderr)>: ?(.*)$", raw)
                if m:
                    lines.append((int(m.group(1)), m.group(2), m.group(3)))
            elif kind == "hydra":
                m = re.match(r"^\[(\d+)\] (.*)$", raw)
                if m:
                    lines.append((int(m.group(1)), stream, m.group(2)))
            if not m:
                lines.append((None, stream, raw))
    return [l for l in lines if l[2].strip()]


def check_lines(kind, c, np_, lines, expect, expect_re):
    """Problems with what the ranks printed (empty list if fine)."""
    rank = np_ - 1 if c["rank"] == "last" else c["rank"]
    problems = []
    if kind == "other":  # no rank tags: only count our own lines
        ours = [l for l in lines if l[2].startswith(("volrender_mpi:", "volrender["))]
    else:
        ours = [l for l in lines if l[0] is not None]
    if c["aborts"]:  # MPICH prints its own abort notice on the rank's stderr
        ours = [l for l in ours if not re.match(r"^Abort\(\d+\) on node", l[2])]
    mine = [l for l in ours if kind == "other" or (l[0] == rank and l[1] == "stderr")]
    others = [l for l in ours if l not in mine]
    if len(mine) != 1:
        problems.append(f"expected one line on stderr from rank {rank}, got {len(mine)}:"
                        + "".join(f"\n    {l[2]}" for l in mine))
    elif expect is not None and mine[0][2] != expect:
        problems.append(f"message\n    got:  {mine[0][2]}\n    want: {expect}")
    elif expect_re is not None and not re.fullmatch(expect_re, mine[0][2]):
        problems.append(f"message\n    got:  {mine[0][2]}\n    want (regex): {expect_re}")
    if others:
        problems.append("other output from the ranks:" +
                        "".join(f"\n    [{l[0]} {l[1]}] {l[2]}" for l in others))
    return problems


def check_outputs(c, work, before):
    """The output folder holds exactly the expected whole files; nothing else
    appeared in the work folder; no temporaries anywhere."""
    problems = []
    out = os.path.join(work, "out")
    found = sorted(os.listdir(out)) if os.path.isdir(out) else []
    if found != sorted(c["outputs"]):
        problems.append(f"out/ holds {found}, expected {sorted(c['outputs'])}")
    for name in found:
        if name.endswith(".png") and not png_is_whole(os.path.join(out, name)):
            problems.append(f"out/{name} is not a whole PNG")
    extra = sorted(set(os.listdir(work)) - before - {"out"})
    if extra:
        problems.append(f"files left in the work folder: {extra}")
    return problems


def substitute(text, np_):
    last = np_ - 1
    return (text.replace("{last}", str(last))
                .replace("{rank_prefix}", re.escape(f"rank {last}: ") if last else ""))


def run_case(a, name):
    c = CASES[name]
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    work = a.work
    if c["nobody"] and os.geteuid() == 0:
        # a folder 'nobody' can reach, whatever the build folder's modes
        work = tempfile.mkdtemp(prefix="vr_robust_")
        os.chmod(work, 0o755)
    try:
        return run_in(a, name, c, work)
    finally:
        if work != a.work:
            shutil.rmtree(work, ignore_errors=True)


def run_bounded(cmd, cwd, env, seconds):
    """(returncode, stdout, stderr, seconds), or None if still running after
    `seconds`: then mpirun and the ranks (its children, each in its own
    process group) are killed, so a hang leaves nothing behind."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        out, err = p.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        for pid in children(p.pid) + [p.pid]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        out, err = p.communicate()
        sys.stdout.write(out[-3000:] + err[-3000:])
        return None
    return p.returncode, out, err, time.monotonic() - t0


def clean(work, before):
    """Removes what an earlier run of the case made."""
    for name in set(os.listdir(work)) - before:
        path = os.path.join(work, name)
        shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)


def rank_statuses(folder, np_):
    """{rank: status} from VR_TEST_EXIT_LOG."""
    found = {}
    for r in range(np_):
        path = os.path.join(folder, f"exit.{r}")
        if os.path.exists(path):
            with open(path) as f:
                found[r] = int(f.read().split()[0])
    return found


def run_once(a, name, c, work, mode, kind, prefix):
    """One run of the case; returns the problems found."""
    tag = {"openmpi": ["--tag-output"], "hydra": ["-prepend-rank"]}.get(kind, [])
    flags = [f for f in a.mpiexec_flags.replace(";", " ").split() if f]
    # the defaults first, so a case's own -o wins and a value-less last
    # option stays last
    args = ["-o", "out", "-q"] + [substitute(x, a.np) for x in c["args"]]
    cmd = prefix + [a.mpiexec, a.np_flag, str(a.np)] + flags + tag + [a.tool] + args
    env = dict(os.environ)
    env.update({k: substitute(v, a.np) for k, v in c["env"].items()})
    ranks_dir = work.rstrip("/") + ".ranks"
    if mode == "ranks":
        shutil.rmtree(ranks_dir, ignore_errors=True)
        os.makedirs(ranks_dir)
        os.chmod(ranks_dir, 0o777)
        env.update(OMPI_MCA_orte_abort_on_non_zero_status="0", VR_TEST_EXIT_LOG=ranks_dir)
    elif not c["aborts"]:
        # mpirun waits a second before it kills ranks that have already
        # exited; the status it returns is the same without the wait
        env["OMPI_MCA_odls_base_sigkill_timeout"] = "0"
    if prefix:
        for k in ("OMPI_ALLOW_RUN_AS_ROOT", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"):
            env.pop(k, None)
        env["HOME"] = work
    shown = [f"{k}={substitute(v, a.np)}" for k, v in c["env"].items()]
    print(f"+ [{mode}] " + " ".join(shown + [repr(x) if x == "" else x for x in cmd]),
          flush=True)
    done = run_bounded(cmd, work, env, c["max_seconds"])
    if done is None:
        return [f"[{mode}] still running after {c['max_seconds']} s: a rank hangs"]
    status, out, err, seconds = done
    sys.stdout.write(out[-3000:])
    sys.stdout.write(err[-3000:])
    problems = []
    if mode == "ranks":
        got = rank_statuses(ranks_dir, a.np)
        want = {r: c["exit"] for r in range(a.np)}
        if got != want:
            problems.append(f"exit status by rank {got}, expected {want}")
        shutil.rmtree(ranks_dir, ignore_errors=True)
    elif status != c["exit"]:
        problems.append(f"mpirun's exit status {status}, expected {c['exit']}")
    expect = substitute(c["line"], a.np) if c["line"] else None
    expect_re = substitute(c["line_re"], a.np) if c["line_re"] else None
    lines = split_by_rank(kind, out, err)
    problems += check_lines(kind, c, a.np, lines, expect, expect_re)
    print(f"error_case: [{mode}] ended in {seconds:.1f} s")
    return [f"[{mode}] {p}" for p in problems]


def run_in(a, name, c, work):
    make_files(c, work, a.py_dir)
    prefix = []
    if c["nobody"]:
        prefix = drop_root(work, a.tool)
        if prefix is None:
            print(f"error_case: SKIP {name}: cannot drop root privileges here")
            return SKIP
    if name == "outdir_cannot_create" and not os.path.isdir("/proc/self"):
        print(f"error_case: SKIP {name}: no /proc")
        return SKIP
    before = set(os.listdir(work))
    kind = launcher_kind(a.mpiexec)
    # A job that aborts ends the same way under both; the other cases run
    # once per mode when the launcher is Open MPI.
    modes = ["ranks", "mpirun"] if kind == "openmpi" and not c["aborts"] else ["mpirun"]
    problems = []
    for mode in modes:
        clean(work, before)
        problems += run_once(a, name, c, work, mode, kind, prefix)
        problems += [f"[{mode}] {p}" for p in check_outputs(c, work, before)]
    return launch.report("error_case", name, problems, f" at np {a.np}")


def main():
    return launch.case_main(CASES, run_case, 1, os.path.join(HERE, "..", "py"))


if __name__ == "__main__":
    sys.exit(main())
