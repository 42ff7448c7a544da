"""The hub of tests/hub/test_hub.py: the shipped deploy/jupyterhub_config.py, then ONLY what a test
on one machine must change. Everything else (lessons copied into each home, the progress file in
the home, one thread per kernel, the advertised limits) is the shipped configuration, unchanged.

Changed here: DummyAuthenticator instead of PAM and SimpleLocalProcessSpawner instead of
LocalProcessSpawner (no system accounts: each user's home is a folder under a temporary
directory); ports, database and secrets in the temporary directory; the instructor is an API
service with a token; a marker in every process's environment, so the test can prove that nothing
it started is left running.
"""
import os

c = get_config()  # noqa: F821
env = os.environ
load_subconfig(env["GAN_EDU_DEPLOY_CONFIG"])  # noqa: F821

run = env["GAN_EDU_HUB_RUN"]
c.JupyterHub.authenticator_class = "dummy"
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = env["GAN_EDU_HUB_HOMES"] + "/{username}"
c.JupyterHub.bind_url = f"http://127.0.0.1:{env['GAN_EDU_HUB_PORT']}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(env["GAN_EDU_HUB_INTERNAL_PORT"])
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{env['GAN_EDU_HUB_PROXY_API_PORT']}"
c.JupyterHub.db_url = f"sqlite:///{run}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = f"{run}/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = f"{run}/jupyterhub.pid"
c.JupyterHub.services = [{"name": "instructor", "api_token": env["GAN_EDU_HUB_TOKEN"]}]
c.JupyterHub.load_roles = [{"name": "instructor", "services": ["instructor"],
                            "scopes": ["admin:users", "admin:servers", "tokens"]}]
c.Spawner.environment = {**c.Spawner.environment, "GAN_EDU_HUB_TEST": env["GAN_EDU_HUB_TEST"]}
c.Spawner.args = ["--ServerApp.shutdown_no_activity_timeout=600"]   # a server left behind stops by itself
if os.geteuid() == 0:       # CI runs as root; a real hub starts each server as its user, never root
    c.Spawner.args.append("--allow-root")
