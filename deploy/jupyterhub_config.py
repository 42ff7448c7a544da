"""JupyterHub for a gan_edu class on ONE server (up to ~100 students; see docs/CLASSROOM.md).

    sudo jupyterhub -f /opt/gan_edu/deploy/jupyterhub_config.py

Students log in with their system accounts (PAM); members of the group ``gan-edu`` are allowed.
Each gets a server of their own, started as their own user (LocalProcessSpawner), with:
the lessons copied into ``~/gan_edu_lessons/`` (never overwriting their work), their answers saved
to ``~/gan_edu_progress.json`` under their hub name, one PyTorch/OpenMP thread per kernel, and the
memory/CPU limits below. LocalProcessSpawner does NOT enforce those limits (it only tells the server
``MEM_LIMIT``/``CPU_LIMIT``): set ``USE_SYSTEMD = True`` to have systemd enforce them, or use TLJH
(deploy/tljh/) or Kubernetes (deploy/k8s/). deploy/README.md says what of this is tested here.

The Python that runs this hub must have jupyterhub, jupyterlab and gan_edu installed (``make lab``
then ``make hub-deps`` in the checkout does it), and npm's configurable-http-proxy on PATH.
"""
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from gan_edu_hub import configure  # noqa: E402  (the file beside this one)

c = get_config()  # noqa: F821  (JupyterHub provides get_config when it loads this file)

# --------------------------------------------------------------------------- what an instructor edits
LESSONS = Path(os.environ.get("GAN_EDU_LESSONS", HERE.parent / "notebooks"))   # the kit's notebooks/
MEM_LIMIT = "2G"            # per student; docs/CLASSROOM.md: measured peak per lesson and server sizing
CPU_LIMIT = 1.0             # CPUs per student; the lessons are made to run on one
STUDENTS_GROUP = "gan-edu"  # system group allowed to log in: sudo groupadd gan-edu; sudo useradd -m -G gan-edu ada
ADMINS = {"instructor"}     # hub admins (may start/stop anyone's server, and read every home via the API)
USE_SYSTEMD = False         # True: SystemdSpawner enforces MEM_LIMIT/CPU_LIMIT (pip install jupyterhub-systemdspawner)

# --------------------------------------------------------------------------- the hub
c.JupyterHub.bind_url = "http://:8000"          # put HTTPS in front of it (deploy/README.md)
c.JupyterHub.authenticator_class = "pam"
c.LocalAuthenticator.allowed_groups = {STUDENTS_GROUP}
c.Authenticator.admin_users = ADMINS
c.JupyterHub.spawner_class = "systemdspawner.SystemdSpawner" if USE_SYSTEMD else "localprocess"
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]    # the same Python: it has gan_edu
c.Spawner.http_timeout = 120                    # a busy server at the start of class starts slowly
c.Spawner.start_timeout = 120

configure(c, lessons=LESSONS, mem_limit=MEM_LIMIT, cpu_limit=CPU_LIMIT)
