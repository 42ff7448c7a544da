"""gan_edu._cpus: the CPUs a process is granted, from fake /proc and cgroup files (v1 and v2,
nested cgroups, a container's view, a hub's CPU_LIMIT), and setup_lesson's use of it."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import gan_edu as ge
from gan_edu import _cpus
from gan_edu._cpus import CpuGrant, cpu_grant

V2_MOUNT = "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n"
REAL_AFFINITY = os.sched_getaffinity       # the fixture below replaces it in every test
V1_MOUNT = "32 31 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"


def fake_root(tmp_path, cgroup: str, mountinfo: str, files: dict[str, str]) -> Path:
    """A folder laid out like / : proc/self/{cgroup,mountinfo} and the given cgroup files."""
    (tmp_path / "proc/self").mkdir(parents=True)
    (tmp_path / "proc/self/cgroup").write_text(cgroup)
    (tmp_path / "proc/self/mountinfo").write_text("22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n" + mountinfo)
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


@pytest.fixture(autouse=True)
def eight_cpus(monkeypatch):
    """Affinity says 8 CPUs and no CPU_LIMIT is declared, unless a test says otherwise."""
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(8)), raising=False)
    monkeypatch.delenv("CPU_LIMIT", raising=False)


def test_no_limits_means_affinity(tmp_path):
    root = fake_root(tmp_path, "0::/user.slice\n", V2_MOUNT, {"sys/fs/cgroup/user.slice/cpu.max": "max 100000\n"})
    grant = cpu_grant(root)
    assert (grant.cpus, grant.threads) == (8.0, 8)
    assert "affinity" in grant.source


def test_cgroup_v2_quota_of_one_and_a_half_cpus_gives_one_thread(tmp_path):
    root = fake_root(tmp_path, "0::/system.slice/jupyter-ada.service\n", V2_MOUNT,
                     {"sys/fs/cgroup/system.slice/jupyter-ada.service/cpu.max": "150000 100000\n"})
    grant = cpu_grant(root)
    assert grant.cpus == 1.5 and grant.threads == 1
    assert "jupyter-ada.service/cpu.max" in grant.source


def test_cgroup_v2_a_parent_limit_applies_to_its_children(tmp_path):
    root = fake_root(tmp_path, "0::/kubepods/pod1/c1\n", V2_MOUNT, {
        "sys/fs/cgroup/kubepods/pod1/c1/cpu.max": "max 100000",
        "sys/fs/cgroup/kubepods/pod1/cpu.max": "200000 100000",     # the pod: 2 CPUs
        "sys/fs/cgroup/kubepods/cpu.max": "400000 100000"})
    grant = cpu_grant(root)
    assert grant.cpus == 2.0 and grant.threads == 2
    assert "pod1/cpu.max" in grant.source


def test_cgroup_v2_a_container_sees_its_cgroup_as_the_mount_root(tmp_path):
    mount = "30 23 0:26 /docker/abc /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n"
    root = fake_root(tmp_path, "0::/docker/abc\n", mount, {"sys/fs/cgroup/cpu.max": "300000 100000"})
    assert cpu_grant(root).threads == 3


def test_cgroup_v1_cfs_quota(tmp_path):
    root = fake_root(tmp_path, "4:cpu,cpuacct:/user/ada\n3:memory:/user/ada\n", V1_MOUNT, {
        "sys/fs/cgroup/cpu,cpuacct/user/ada/cpu.cfs_quota_us": "250000",
        "sys/fs/cgroup/cpu,cpuacct/user/ada/cpu.cfs_period_us": "100000"})
    grant = cpu_grant(root)
    assert grant.cpus == 2.5 and grant.threads == 2
    assert "cfs_quota_us" in grant.source


def test_cgroup_v1_quota_minus_one_is_no_limit(tmp_path):
    root = fake_root(tmp_path, "4:cpu,cpuacct:/\n", V1_MOUNT, {
        "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us": "-1",
        "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us": "100000"})
    assert cpu_grant(root).cpus == 8.0


def test_a_quota_below_one_cpu_still_gets_one_thread(tmp_path):
    root = fake_root(tmp_path, "0::/u\n", V2_MOUNT, {"sys/fs/cgroup/u/cpu.max": "50000 100000"})
    grant = cpu_grant(root)
    assert grant.cpus == 0.5 and grant.threads == 1


def test_affinity_tighter_than_the_quota_wins(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {3}, raising=False)
    root = fake_root(tmp_path, "0::/u\n", V2_MOUNT, {"sys/fs/cgroup/u/cpu.max": "400000 100000"})
    grant = cpu_grant(root)
    assert grant.threads == 1 and "affinity" in grant.source


@pytest.mark.parametrize("value, expected", [("1", 1.0), ("0.5", 0.5), ("3", 3.0), ("abc", 8.0), ("0", 8.0),
                                             ("-2", 8.0), ("nan", 8.0), ("inf", 8.0), ("", 8.0)])
def test_cpu_limit_declared_by_jupyterhub(tmp_path, monkeypatch, value, expected):
    monkeypatch.setenv("CPU_LIMIT", value)
    root = fake_root(tmp_path, "0::/\n", V2_MOUNT, {})
    grant = cpu_grant(root)
    assert grant.cpus == expected
    assert ("CPU_LIMIT" in grant.source) == (expected != 8.0)


@pytest.mark.parametrize("text", ["garbage", "150000", "150000 0", "x y", "-5 100000", "\xff\xfe"])
def test_unreadable_or_odd_cgroup_files_are_ignored(tmp_path, text):
    root = fake_root(tmp_path, "0::/u\n", V2_MOUNT, {"sys/fs/cgroup/u/cpu.max": text})
    assert cpu_grant(root).cpus == 8.0


def test_missing_proc_files_fall_back_to_affinity(tmp_path):
    assert cpu_grant(tmp_path / "nothing-here").cpus == 8.0


def test_this_machine_never_reports_more_than_its_affinity():
    os.sched_getaffinity = REAL_AFFINITY       # (the fixture's monkeypatch still restores it afterwards)
    grant = _cpus.cpu_grant()
    assert 1 <= grant.threads <= len(REAL_AFFINITY(0))


def test_a_real_process_pinned_to_one_cpu_uses_one_thread():
    """A child process restricted to one CPU by affinity (what taskset or a cpuset does): the
    kit reports one CPU and setup_lesson(threads=None) gives PyTorch one thread."""
    code = ("import os, torch, gan_edu as ge\n"
            "from gan_edu._cpus import cpu_grant\n"
            "ge.setup_lesson(0, threads=None)\n"
            "print(cpu_grant().threads, torch.get_num_threads(), os.environ['OMP_NUM_THREADS'])\n")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    env.pop("CPU_LIMIT", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120,
                         preexec_fn=lambda: os.sched_setaffinity(0, {min(REAL_AFFINITY(0))}))
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1", "1", "1"]


# --------------------------------------------------------------------------- setup_lesson
@pytest.fixture
def restore_threads(monkeypatch):
    before = torch.get_num_threads()
    monkeypatch.setenv("OMP_NUM_THREADS", "7")       # monkeypatch restores both variables afterwards
    monkeypatch.setenv("MKL_NUM_THREADS", "7")
    yield
    torch.set_num_threads(before)


@pytest.mark.parametrize("granted, asked, expected", [(1.0, 4, 1), (1.0, None, 1), (2.5, None, 2), (4.0, 1, 1),
                                                      (4.0, 3, 3), (0.5, 2, 1)])
def test_setup_lesson_never_uses_more_threads_than_granted(monkeypatch, restore_threads, granted, asked, expected):
    if torch.cuda.is_available():
        pytest.skip("setup_lesson leaves threads alone when a GPU does the work")
    monkeypatch.setattr(_cpus, "cpu_grant", lambda root="/": CpuGrant(granted, "test"))
    ge.setup_lesson(0, threads=asked)
    assert torch.get_num_threads() == expected
    assert os.environ["OMP_NUM_THREADS"] == os.environ["MKL_NUM_THREADS"] == str(expected)


@pytest.mark.parametrize("bad, error", [(0, ValueError), (-1, ValueError), (1.5, TypeError), ("2", TypeError)])
def test_setup_lesson_refuses_bad_thread_counts(bad, error):
    with pytest.raises(error, match="threads"):
        ge.setup_lesson(0, threads=bad)
