"""Atomic, deterministic file output shared by every layer.

A file is written to a temporary file beside its target and renamed onto it, so a reader (or
a process killed mid-write) sees the old complete file or the new complete file, never a
partial one. Temporary names carry the writer's process id (``.<name>.<pid>.<random><suffix>``);
the next write to the same target removes the temporaries of writers that no longer run, so a
killed run leaves no debris behind for long.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def remove_stale_temporaries(target: Path, suffix: str = ".tmp") -> list[Path]:
    """Remove ``.<target name>.<pid>.*<suffix>`` files beside ``target`` whose writer is gone."""
    removed = []
    prefix = f".{target.name}."
    for p in target.parent.glob(f".{target.name}.*{suffix}"):
        pid = p.name[len(prefix) :].split(".", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            p.unlink(missing_ok=True)
            removed.append(p)
    return removed


def temporary_beside(target: Path, suffix: str = ".tmp") -> Path:
    """A new empty temporary file in ``target``'s folder, named after ``target`` and this
    process (see the module docstring); stale temporaries of dead writers are removed first."""
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target, suffix)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{target.name}.{os.getpid()}.", suffix=suffix, dir=target.parent
    )
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the usual file mode
    return Path(tmp)


@contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` on success.

    An interrupted write leaves ``target`` untouched (old content or absent).
    """
    target = Path(target)
    tmp_path = temporary_beside(target)
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as fh:  # the bytes reach the disk before the rename
            os.fsync(fh.fileno())
        os.replace(tmp_path, target)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def atomic_write_text(target: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``target`` atomically and return the path."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding=encoding)
    return Path(target)
