"""The Littlest JupyterHub: gan_edu's part of the hub configuration -- NOT tested here (TLJH needs a
fresh Ubuntu machine with systemd; deploy/README.md lists the steps and what is tested).

    sudo cp /opt/gan_edu/deploy/tljh/gan_edu.py /opt/tljh/config/jupyterhub_config.d/
    sudo tljh-config reload hub

TLJH keeps its own settings (authenticator, limits, default app) in ``tljh-config``; its
SystemdSpawner enforces ``limits.memory`` and ``limits.cpu``. This file adds what gan_edu needs:
each user's progress file in their home (``/home/jupyter-<name>/gan_edu_progress.json``), one
thread per kernel, and the lessons copied into ``~/gan_edu_lessons`` at each start (never
overwriting; a brand-new account gets them from /etc/skel, because TLJH creates the account
after this hook runs).
"""
import sys
from pathlib import Path

KIT = Path("/opt/gan_edu")                 # where the kit was cloned (deploy/README.md, TLJH step 2)
sys.path.insert(0, str(KIT / "deploy"))
from gan_edu_hub import configure  # noqa: E402  (standard library only: runs in TLJH's hub Python)
from tljh.normalize import generate_system_username  # noqa: E402  (TLJH's own rule: jupyter-<name>)

c = get_config()  # noqa: F821
configure(c, lessons=KIT / "notebooks", mem_limit=None, cpu_limit=None,       # limits: tljh-config
          account_of=lambda spawner: generate_system_username("jupyter-" + spawner.user.name))
