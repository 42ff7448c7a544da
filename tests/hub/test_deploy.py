"""deploy/: the hub hooks (lessons copied into a home, the progress file's path, the accounts) with
fake spawners, the shipped jupyterhub_config.py loaded as JupyterHub loads it, and the Kubernetes
values file. The real hub runs them in test_hub.py."""
import logging
import os
import pwd
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))
import gan_edu_hub as hubcfg  # noqa: E402

LESSONS = ROOT / "notebooks"


def spawner(name="ada", **attrs):
    user = types.SimpleNamespace(name=name, id=7)
    return types.SimpleNamespace(user=user, log=logging.getLogger("test-spawner"), **attrs)


def simple(tmp_path, name="ada"):
    """Like SimpleLocalProcessSpawner: a home_dir, no system account."""
    return spawner(name, home_dir_template=str(tmp_path / "{username}"), home_dir=str(tmp_path / name))


def test_lessons_are_copied_into_a_new_home(tmp_path):
    copied = hubcfg.copy_lessons(simple(tmp_path), LESSONS)
    shipped = sorted(LESSONS.glob("*.ipynb"))
    assert [p.name for p in copied] == [p.name for p in shipped]
    for src in shipped:
        assert (tmp_path / "ada/gan_edu_lessons" / src.name).read_bytes() == src.read_bytes()
    assert not list((tmp_path / "ada/gan_edu_lessons").glob(".*"))          # no temporary file left


def test_a_learners_own_copy_is_never_overwritten_and_new_lessons_are_added(tmp_path):
    sp = simple(tmp_path)
    hubcfg.copy_lessons(sp, LESSONS)
    mine = tmp_path / "ada/gan_edu_lessons/03_gradient_flow.ipynb"
    mine.write_text("my work")
    (tmp_path / "ada/gan_edu_lessons/05_mode_collapse.ipynb").unlink()       # deleted: comes back
    kit = tmp_path / "kit"
    kit.mkdir()
    for p in LESSONS.glob("*.ipynb"):
        (kit / p.name).write_bytes(p.read_bytes())
    (kit / "09_new.ipynb").write_text("{}")                                    # the kit gained a lesson
    copied = hubcfg.copy_lessons(sp, kit)
    assert sorted(p.name for p in copied) == ["05_mode_collapse.ipynb", "09_new.ipynb"]
    assert mine.read_text() == "my work"


def test_a_failed_copy_leaves_no_half_lesson(tmp_path, monkeypatch):
    def disk_full(src, dst, *args):
        dst.write(src.read(100))
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(hubcfg.shutil, "copyfileobj", disk_full)
    with pytest.raises(OSError, match="No space"):
        hubcfg.copy_lessons(simple(tmp_path), LESSONS)
    assert list((tmp_path / "ada/gan_edu_lessons").iterdir()) == []            # nothing, so the next start copies
    monkeypatch.undo()
    assert len(hubcfg.copy_lessons(simple(tmp_path), LESSONS)) == len(list(LESSONS.glob("*.ipynb")))


def test_progress_file_and_accounts(tmp_path):
    assert hubcfg.progress_path(simple(tmp_path)) == str(tmp_path / "ada/gan_edu_progress.json")
    me = pwd.getpwuid(os.getuid())
    local = spawner(me.pw_name)                                                 # LocalProcessSpawner: the account
    assert hubcfg.system_user(local) == me.pw_name
    assert hubcfg.progress_path(local) == str(Path(me.pw_dir) / "gan_edu_progress.json")
    systemd = spawner("ada", username_template="jupyter-{USERNAME}")            # SystemdSpawner's template
    assert hubcfg.system_user(systemd) == "jupyter-ada"
    with pytest.raises(ValueError, match="no system account named 'jupyter-ada'.*useradd"):
        hubcfg.progress_path(systemd)
    assert hubcfg.progress_path(spawner("ada"), account_of=lambda s: me.pw_name) == str(Path(me.pw_dir) /
                                                                                         "gan_edu_progress.json")


def test_a_missing_account_skips_the_copy_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="test-spawner"):
        assert hubcfg.copy_lessons(spawner("nobody-here-xyz"), LESSONS) == []
    assert "lessons not copied" in caplog.text and "nobody-here-xyz" in caplog.text


def test_configure_refuses_a_folder_without_lessons(tmp_path):
    from traitlets.config import Config

    with pytest.raises(ValueError, match="no \\*.ipynb"):
        hubcfg.configure(Config(), lessons=tmp_path, mem_limit="1G", cpu_limit=1)


def test_the_shipped_config_loads_as_jupyterhub_loads_it():
    from traitlets.config.loader import PyFileConfigLoader

    c = PyFileConfigLoader("jupyterhub_config.py", path=str(ROOT / "deploy")).load_config()
    assert c.JupyterHub.authenticator_class == "pam" and c.JupyterHub.spawner_class == "localprocess"
    assert c.LocalAuthenticator.allowed_groups == {"gan-edu"}
    assert c.Spawner.mem_limit == "2G" and c.Spawner.cpu_limit == 1.0
    env = c.Spawner.environment
    assert env["OMP_NUM_THREADS"] == env["MKL_NUM_THREADS"] == "1" and callable(env["GAN_EDU_PROGRESS"])
    assert callable(c.Spawner.pre_spawn_hook)
    assert c.Spawner.default_url == "/lab/tree/gan_edu_lessons/00_welcome.ipynb"


def test_the_kubernetes_values_agree_with_the_single_server_config():
    yaml = pytest.importorskip("yaml")
    values = yaml.safe_load((ROOT / "deploy/k8s/config.yaml").read_text())
    single = values["singleuser"]
    assert single["memory"]["limit"] == "2G" and single["cpu"]["limit"] == 1
    assert single["extraEnv"]["GAN_EDU_PROGRESS"] == "/home/jovyan/gan_edu_progress.json"
    assert {k: single["extraEnv"][k] for k in hubcfg.ONE_THREAD} == hubcfg.ONE_THREAD
    assert single["defaultUrl"] == "/lab/tree/gan_edu_lessons/00_welcome.ipynb"
    assert "/srv/gan_edu/notebooks" in " ".join(single["lifecycleHooks"]["postStart"]["exec"]["command"])


def test_the_kubernetes_copy_command_never_overwrites(tmp_path):
    """The postStart shell command, run for real with the paths moved into a temporary folder."""
    import subprocess

    yaml = pytest.importorskip("yaml")
    command = yaml.safe_load((ROOT / "deploy/k8s/config.yaml").read_text())["singleuser"]["lifecycleHooks"][
        "postStart"]["exec"]["command"]
    script = command[2].replace("/home/jovyan", str(tmp_path / "home")).replace("/srv/gan_edu", str(ROOT))
    (tmp_path / "home/gan_edu_lessons").mkdir(parents=True)
    (tmp_path / "home/gan_edu_lessons/00_welcome.ipynb").write_text("my work")
    subprocess.run([command[0], command[1], script], check=True, timeout=30)
    got = sorted(p.name for p in (tmp_path / "home/gan_edu_lessons").iterdir())
    assert got == sorted(p.name for p in LESSONS.glob("*.ipynb"))
    assert (tmp_path / "home/gan_edu_lessons/00_welcome.ipynb").read_text() == "my work"


def test_configure_points_jupyterlab_at_the_kits_settings(tmp_path):
    from traitlets.config import Config

    c = Config()
    hubcfg.configure(c, lessons=None, mem_limit=None, cpu_limit=None)
    first = Path(c.Spawner.environment["JUPYTER_CONFIG_PATH"].split(os.pathsep)[0])
    assert first == ROOT / "jupyter-config" and (first / "labconfig").is_dir()
    with pytest.raises(ValueError, match="lab_settings=.* is not a folder"):
        hubcfg.configure(Config(), lessons=None, mem_limit=None, cpu_limit=None, lab_settings=tmp_path / "none")
    c = Config()
    hubcfg.configure(c, lessons=None, mem_limit=None, cpu_limit=None, lab_settings=None)
    assert "JUPYTER_CONFIG_PATH" not in c.Spawner.environment
