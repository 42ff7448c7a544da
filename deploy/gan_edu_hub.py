"""What a JupyterHub needs to know about gan_edu, for any spawner that starts local processes.

``configure(c, ...)`` applies it to a JupyterHub config object ``c``; ``jupyterhub_config.py`` (one
server) and ``tljh/gan_edu.py`` (The Littlest JupyterHub) call it. It sets, for every user's server:

* the **lessons** copied into ``~/gan_edu_lessons/`` before each spawn: a lesson that is already
  there is never overwritten (it holds the learner's work), a new lesson of the kit is added, and
  each copy is written to a temporary name and renamed, so a crash never leaves half a notebook;
* the **progress file** in the user's home: ``GAN_EDU_PROGRESS=~/gan_edu_progress.json`` as an
  absolute path, so every notebook, in any folder, answers into the one file the instructor's
  ``gan-edu class-report`` reads; the learner id comes from ``JUPYTERHUB_USER``, which the hub sets;
* **one thread per kernel** (``OMP_NUM_THREADS=1`` and friends, read when torch starts) and the
  **limits** ``mem_limit`` / ``cpu_limit``. Only some spawners enforce them: SystemdSpawner (what
  TLJH uses: ``MemoryMax=``, ``CPUQuota=``) and KubeSpawner (the pod's resources) do;
  LocalProcessSpawner and SimpleLocalProcessSpawner only advertise them to the server as
  ``MEM_LIMIT`` / ``CPU_LIMIT`` (gan_edu still keeps PyTorch within ``CPU_LIMIT``).

This file imports only the standard library: it runs inside the hub's Python, which need not have
gan_edu installed. Nothing here is specific to a test; ``tests/hub/`` runs it in a real hub.
"""
from __future__ import annotations

import os
import pwd
import shutil
import tempfile
from pathlib import Path

LESSON_FOLDER = "gan_edu_lessons"
#: the kit's JupyterLab settings (widget state saved with the notebook), beside deploy/ in the checkout
LAB_SETTINGS = Path(__file__).resolve().parent.parent / "jupyter-config"
PROGRESS_FILE = "gan_edu_progress.json"
ONE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


def system_user(spawner) -> str | None:
    """The system account a user's server runs as, or None when the spawner uses none
    (SimpleLocalProcessSpawner runs everyone as the hub's own user)."""
    if hasattr(spawner, "home_dir_template"):
        return None
    # SystemdSpawner maps the hub's name through username_template (TLJH's snippet passes its own rule)
    template = getattr(spawner, "username_template", "{USERNAME}") or "{USERNAME}"
    return template.replace("{USERNAME}", spawner.user.name).replace("{USERID}", str(spawner.user.id))


def user_home(spawner, account_of=system_user) -> Path:
    """The user's home folder: SimpleLocalProcessSpawner's ``home_dir``, else the system account's
    (``account_of(spawner)`` names it; TLJH passes its own naming rule)."""
    account = account_of(spawner)
    if account is None:
        return Path(spawner.home_dir)
    try:
        return Path(pwd.getpwnam(account).pw_dir)
    except KeyError:
        raise ValueError(f"no system account named {account!r} for hub user {spawner.user.name!r}: create it "
                         f"(sudo useradd -m -G gan-edu {account}) or use a spawner that creates accounts") from None


def progress_path(spawner, account_of=system_user) -> str:
    """``GAN_EDU_PROGRESS`` for this user's server (called by JupyterHub when the server starts)."""
    return str(user_home(spawner, account_of) / PROGRESS_FILE)


def copy_lessons(spawner, lessons: Path, account_of=system_user) -> list[Path]:
    """Copy every ``*.ipynb`` of ``lessons`` that is not yet in ``~/gan_edu_lessons/``; returns what
    was copied. Files are owned by the user's account (when the hub runs as root). An account that
    does not exist yet is skipped with a warning, never an error: TLJH creates it only after this
    hook, and gives a new account the lessons from /etc/skel; other spawners fail on their own."""
    account = account_of(spawner)
    try:
        home = user_home(spawner, account_of)
    except ValueError as err:
        spawner.log.warning("gan_edu: lessons not copied: %s", err)
        return []
    owner = pwd.getpwnam(account) if account is not None and os.geteuid() == 0 else None
    folder = home / LESSON_FOLDER
    made = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    if owner and made:
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    copied = []
    for source in sorted(Path(lessons).glob("*.ipynb")):
        target = folder / source.name
        if target.exists():
            continue                                  # the learner's own copy: never overwritten
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{source.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
                shutil.copyfileobj(src, out)
            if owner:
                os.chown(tmp, owner.pw_uid, owner.pw_gid)
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        copied.append(target)
    if copied:
        spawner.log.info("gan_edu: copied %d lesson(s) into %s", len(copied), folder)
    return copied


def configure(c, *, lessons: str | os.PathLike | None, mem_limit: str | None, cpu_limit: float | None,
              account_of=system_user, first_lesson: str = "00_welcome.ipynb",
              lab_settings: str | os.PathLike | None = LAB_SETTINGS) -> None:
    """Apply gan_edu's part of a hub's configuration to ``c`` (see the module docstring).
    ``lessons=None`` leaves copying to someone else; ``None`` limits leave them to the spawner's
    own settings (TLJH: tljh-config); ``account_of(spawner)`` names a user's system account.
    ``lab_settings``: the kit's ``jupyter-config/`` folder, put first on the students'
    ``JUPYTER_CONFIG_PATH`` so JupyterLab saves widget state (a reopened lesson draws its widgets
    instead of "model not found"); None leaves JupyterLab's settings alone."""
    environment = dict(c.Spawner.environment) if "environment" in c.Spawner else {}
    environment.update(ONE_THREAD)
    environment["GAN_EDU_PROGRESS"] = lambda spawner: progress_path(spawner, account_of)
    if lab_settings is not None:
        if not Path(lab_settings).is_dir():
            raise ValueError(f"lab_settings={str(lab_settings)!r} is not a folder (the kit's jupyter-config/); "
                             f"pass lab_settings=None to leave JupyterLab's settings alone")
        environment["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
            p for p in (str(Path(lab_settings).resolve()), os.environ.get("JUPYTER_CONFIG_PATH")) if p)
    c.Spawner.environment = environment
    if mem_limit is not None:
        c.Spawner.mem_limit = mem_limit
    if cpu_limit is not None:
        c.Spawner.cpu_limit = cpu_limit
    c.Spawner.default_url = f"/lab/tree/{LESSON_FOLDER}/{first_lesson}"
    if lessons is not None:
        lessons = Path(lessons)
        if not any(lessons.glob("*.ipynb")):
            raise ValueError(f"lessons: no *.ipynb in {str(lessons)!r}; point it at gan_edu's notebooks/ folder")
        c.Spawner.pre_spawn_hook = lambda spawner: copy_lessons(spawner, lessons, account_of)
