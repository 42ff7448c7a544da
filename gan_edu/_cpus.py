"""How many CPUs this process is actually granted -- not how many the machine has.

On a shared JupyterHub, 30 kernels on a 16-core server each see 16 cores (``os.cpu_count()``),
and PyTorch starts 16 threads in each: 480 threads fight for 16 cores and every lesson crawls.
What a kernel may really use is the tightest of:

* its **CPU affinity** (``os.sched_getaffinity``: ``taskset``, a cpuset, a container's CPU list);
* its **cgroup CPU quota**, which is what SystemdSpawner's ``CPUQuota=``, Docker's ``--cpus`` and
  Kubernetes' ``resources.limits.cpu`` set: cgroup v2 ``cpu.max`` (``"150000 100000"`` = 1.5 CPUs,
  ``"max 100000"`` = no limit) or cgroup v1 ``cpu.cfs_quota_us`` / ``cpu.cfs_period_us``
  (quota -1 = no limit), read for the process's own cgroup and every parent of it;
* the limit JupyterHub **declares** in ``CPU_LIMIT`` (``Spawner.cpu_limit``). The simple local
  spawners only advertise it without enforcing it; honouring it anyway keeps a kernel within
  what the instructor planned for.

:func:`cpu_grant` returns that tightest limit and what set it; ``setup_lesson`` uses
``cpu_grant().threads`` as the ceiling for PyTorch's threads. Everything here reads files only
(no torch), and every path is taken under ``root`` so the tests can build a fake ``/proc`` and
``/sys/fs/cgroup``.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CpuGrant", "cpu_grant"]


@dataclass(frozen=True)
class CpuGrant:
    """``cpus``: the tightest limit found (fractional for a quota such as 1.5 CPUs);
    ``source``: what set it, in words (``"cgroup v2 cpu.max (/sys/fs/cgroup/a/cpu.max)"``)."""

    cpus: float
    source: str

    @property
    def threads(self) -> int:
        """Whole threads that fit in the grant: at least 1, never more than ``cpus`` rounded down
        (a 1.5-CPU quota gets 1 thread: a second one would be throttled half the time)."""
        return max(1, math.floor(self.cpus + 1e-9))


def cpu_grant(root: str | os.PathLike = "/") -> CpuGrant:
    """The CPUs this process is granted: the smallest of affinity, cgroup quota and ``CPU_LIMIT``."""
    root = Path(root)
    limits = [(_affinity(), "CPU affinity (os.sched_getaffinity)")]
    limits += _cgroup_v2_limits(root) + _cgroup_v1_limits(root)
    declared = _declared_limit()
    if declared is not None:
        limits.append((declared, "CPU_LIMIT declared by JupyterHub"))
    cpus, source = min(limits, key=lambda item: item[0])
    return CpuGrant(cpus=float(cpus), source=source)


def _affinity() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):          # macOS and Windows have no affinity call
        return os.cpu_count() or 1


def _declared_limit() -> float | None:
    try:
        value = float(os.environ.get("CPU_LIMIT", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) and value > 0 else None


# --------------------------------------------------------------------------- cgroups
def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except (OSError, UnicodeDecodeError):
        return None


def _mounts(root: Path) -> list[tuple[str, str, str, str]]:
    """(mount root, mount point, file system type, super options) of every cgroup mount, from
    ``/proc/self/mountinfo`` (fields: id parent dev root point opts [tags] - fstype source superopts)."""
    text = _read(root / "proc/self/mountinfo") or ""
    out = []
    for line in text.splitlines():
        head, sep, tail = line.partition(" - ")
        fields, rest = head.split(), tail.split()
        if sep and len(fields) >= 5 and len(rest) >= 3 and rest[0] in ("cgroup", "cgroup2"):
            out.append((fields[3], fields[4], rest[0], rest[2]))
    return out


def _own_cgroups(root: Path) -> dict[str, str]:
    """Controller -> this process's cgroup path, from ``/proc/self/cgroup`` ("" is cgroup v2)."""
    out = {}
    for line in (_read(root / "proc/self/cgroup") or "").splitlines():
        parts = line.split(":", 2)
        if len(parts) == 3:
            for controller in parts[1].split(",") if parts[1] else [""]:
                out[controller] = parts[2]
    return out


def _levels(root: Path, mount_root: str, mount_point: str, path: str) -> list[Path]:
    """The folders of this cgroup and of every parent visible under the mount, innermost first."""
    if mount_root not in ("/", "") and (path == mount_root or path.startswith(mount_root.rstrip("/") + "/")):
        path = path[len(mount_root):]          # a container sees its own cgroup as the mount's root
    base = root / mount_point.lstrip("/")
    parts = [p for p in path.split("/") if p and p != ".."]
    return [base.joinpath(*parts[:i]) for i in range(len(parts), -1, -1)]


def _cgroup_v2_limits(root: Path) -> list[tuple[float, str]]:
    path = _own_cgroups(root).get("")
    out = []
    for mount_root, point, fstype, _ in _mounts(root):
        if fstype != "cgroup2" or path is None:
            continue
        for folder in _levels(root, mount_root, point, path):
            fields = (_read(folder / "cpu.max") or "").split()
            if len(fields) == 2 and fields[0] != "max":
                cpus = _ratio(fields[0], fields[1])
                if cpus is not None:
                    out.append((cpus, f"cgroup v2 cpu.max ({folder / 'cpu.max'})"))
    return out


def _cgroup_v1_limits(root: Path) -> list[tuple[float, str]]:
    path = _own_cgroups(root).get("cpu")
    out = []
    for mount_root, point, fstype, options in _mounts(root):
        if fstype != "cgroup" or path is None or "cpu" not in options.split(","):
            continue
        for folder in _levels(root, mount_root, point, path):
            quota, period = _read(folder / "cpu.cfs_quota_us"), _read(folder / "cpu.cfs_period_us")
            cpus = _ratio(quota, period) if quota and period else None
            if cpus is not None:
                out.append((cpus, f"cgroup v1 cpu.cfs_quota_us ({folder / 'cpu.cfs_quota_us'})"))
    return out


def _ratio(quota: str, period: str) -> float | None:
    """quota / period in CPUs; None for "no limit" (-1, max) or anything unreadable."""
    try:
        q, p = int(quota), int(period)
    except ValueError:
        return None
    return q / p if q > 0 and p > 0 else None
