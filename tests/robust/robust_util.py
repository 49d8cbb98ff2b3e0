"""Shared by the robustness drivers: complete-PNG check, process tree."""
import os

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The IEND chunk that closes every complete PNG: length 0, type, CRC.
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"


def png_is_whole(path):
    """True if path holds a PNG from its signature to its IEND chunk."""
    with open(path, "rb") as f:
        data = f.read()
    return data.startswith(PNG_SIGNATURE) and data.endswith(PNG_END)


def children(pid):
    """Process ids of pid's children (Linux /proc; empty elsewhere)."""
    kids = []
    task = f"/proc/{pid}/task"
    for t in (os.listdir(task) if os.path.isdir(task) else []):
        try:
            with open(f"{task}/{t}/children") as f:
                kids += [int(x) for x in f.read().split()]
        except OSError:
            pass
    return kids
