"""A small Jupyter kernel client over the server's REST API and websocket -- what JupyterLab does in
the browser: open a notebook session, then send ``execute_request`` messages on the kernel's
channels and collect the replies. Used by test_hub.py to run a lesson in a student's own kernel,
through the hub's proxy, with the student's own token."""
from __future__ import annotations

import datetime as dt
import json
import uuid

import requests
import websocket


def decode(frame: str | bytes) -> dict:
    """A websocket frame as a message dict. Messages with binary buffers (widgets send them) come
    as bytes: a count n, n offsets (big-endian uint32), then the JSON message and the buffers."""
    if isinstance(frame, str):
        return json.loads(frame)
    n = int.from_bytes(frame[:4], "big")
    offsets = [int.from_bytes(frame[4 + 4 * i: 8 + 4 * i], "big") for i in range(n)]
    return json.loads(frame[offsets[0]: offsets[1] if n > 1 else len(frame)].decode())


class CellError(AssertionError):
    """A cell raised in the kernel (its traceback is in the message)."""


class Kernel:
    def __init__(self, base: str, user: str, token: str, notebook: str):
        """Start a kernel for ``notebook`` (a path under the user's home) in ``user``'s server at
        ``base`` (the hub's public URL), as JupyterLab does when the notebook is opened."""
        self.headers = {"Authorization": f"token {token}"}
        self.api = f"{base}/user/{user}/api"
        r = requests.post(f"{self.api}/sessions", headers=self.headers, timeout=60,
                          json={"path": notebook, "name": notebook.rsplit("/", 1)[-1], "type": "notebook",
                                "kernel": {"name": "python3"}})
        r.raise_for_status()
        self.kernel_id = r.json()["kernel"]["id"]
        self.user, self.session = user, uuid.uuid4().hex
        ws_url = self.api.replace("http://", "ws://") + f"/kernels/{self.kernel_id}/channels?session_id={self.session}"
        self.ws = websocket.create_connection(ws_url, header=[f"Authorization: token {token}"], timeout=120)
        self._request("kernel_info_request", {}, timeout=120)

    def _send(self, msg_type: str, content: dict) -> str:
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": msg_type, "username": self.user, "session": self.session,
                       "date": dt.datetime.now(dt.timezone.utc).isoformat(), "version": "5.3"},
            "parent_header": {}, "metadata": {}, "content": content, "channel": "shell", "buffers": []}))
        return msg_id

    def _request(self, msg_type: str, content: dict, timeout: float) -> list[dict]:
        """Send a request, return every message answering it, until the kernel is idle again."""
        msg_id = self._send(msg_type, content)
        self.ws.settimeout(timeout)
        replies, replied, idle = [], False, False
        while not (replied and idle):
            msg = decode(self.ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            replies.append(msg)
            kind = msg["header"]["msg_type"]
            replied = replied or (msg["channel"] == "shell" and kind.endswith("_reply"))
            idle = idle or (kind == "status" and msg["content"].get("execution_state") == "idle")
        return replies

    def execute(self, code: str, timeout: float = 240) -> str:
        """Run ``code``; return what it printed and displayed as text; raise CellError if it failed."""
        content = {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                   "allow_stdin": False, "stop_on_error": True}
        out = []
        for msg in self._request("execute_request", content, timeout):
            kind, body = msg["header"]["msg_type"], msg["content"]
            if kind == "stream":
                out.append(body["text"])
            elif kind in ("execute_result", "display_data"):
                out.append(body.get("data", {}).get("text/plain", "") + "\n")
            elif kind == "error":
                raise CellError(f"{body['ename']}: {body['evalue']}\n" + "\n".join(body["traceback"]))
        return "".join(out)

    def start(self, code: str) -> None:
        """Send ``code`` without waiting for it (a cell still running when the server is stopped)."""
        self._send("execute_request", {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                                       "allow_stdin": False, "stop_on_error": True})

    def close(self) -> None:
        try:
            self.ws.close()
        except OSError:
            pass
