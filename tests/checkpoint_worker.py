"""Subprocess helper for tests/test_checkpoint.py (not a test module).

    python checkpoint_worker.py load FOLDER        # load every file of FOLDER, each in its own forked process
    python checkpoint_worker.py kill PATH ROUNDS MODE SEED   # kill -9 a saving process ROUNDS times

torch is imported once; each case then runs in a child made with ``os.fork`` (a few ms), so a
crash (a segfault in torch's kernels) kills only that child and is reported by its signal.
One JSON line per case goes to stdout.
"""
import json
import os
import random
import signal
import sys
import time
import traceback

os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # noqa: E402

torch.set_num_threads(1)

import gan_edu as ge  # noqa: E402
import gan_edu.checkpoint  # noqa: E402,F401 - imported once here, not again in every forked child
import gan_edu.trainer  # noqa: E402,F401

CLEAR = 3          # exit code: a clear ValueError / FileNotFoundError
RAW = 4            # exit code: any other exception (its traceback goes to the report)


def _child_load(path: str, write) -> None:
    try:
        tr = ge.Trainer.load(path, device="cpu")
        tr.step()                                 # a file that loads must also train (the old segfault)
        write({"outcome": "loaded", "step": tr.state.step})
        os._exit(0)
    except (ValueError, FileNotFoundError) as err:
        write({"outcome": "clear", "type": type(err).__name__, "message": str(err)})
        os._exit(CLEAR)
    except BaseException as err:  # reported as a failure of the kit
        write({"outcome": "raw", "type": type(err).__name__, "message": str(err), "traceback": traceback.format_exc()})
        os._exit(RAW)


def _in_child(fn, *args) -> dict:
    """Run fn(*args, write) in a forked child; its JSON result, or how it died."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)

        def write(obj):
            os.write(write_end, json.dumps(obj).encode())
        fn(*args, write)
        os._exit(RAW)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 65536):
        chunks.append(chunk)
    os.close(read_end)
    _, status = os.waitpid(pid, 0)
    result = json.loads(b"".join(chunks) or b"{}")
    if os.WIFSIGNALED(status):
        result = {"outcome": "crashed", "signal": os.WTERMSIG(status)}
    result["exit"] = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    return result


def load_all(folder: str) -> None:
    ge.data.ring().spec()                           # warm up what every child would otherwise load itself
    for name in sorted(os.listdir(folder)):
        result = _in_child(_child_load, os.path.join(folder, name))
        print(json.dumps({"file": name, **result}), flush=True)


def _trainer():
    ge.seed_everything(0)
    return ge.Trainer(ge.models.MLPGenerator(hidden=128, depth=3), ge.models.MLPDiscriminator(hidden=128, depth=3),
                      ge.data.ring(), batch_size=32, device="cpu")


def _save_forever(path: str, mode: str, tr, ckpt: dict, tick: int, stall: bool) -> None:
    """Train and save in a loop until killed, writing one byte to ``tick`` after each save.
    ``mode`` "atomic" is Trainer.save; "plain" is the control: the same checkpoint written with
    torch.save straight onto the path (the old way). ``stall``: the second save stops for good
    once its temporary file is written (at the fsync before the rename) and says so with a "!",
    so the kill lands inside the write for certain."""
    saves = 0
    if stall:
        def fsync(fd, _real=os.fsync):
            if saves:
                os.write(tick, b"!")
                time.sleep(3600)
            _real(fd)
        os.fsync = fsync
    while True:
        if mode == "atomic":
            tr.step()
            tr.save(path)
        else:
            ckpt["counters"]["step"] += 1
            torch.save(ckpt, path)
        saves += 1
        os.write(tick, b".")


def kill_rounds(path: str, rounds: int, mode: str, seed: int) -> None:
    rng = random.Random(seed)
    tr = _trainer()                                  # warm up here, so a forked child saves at once
    tr.step()
    started = time.perf_counter()
    tr.save(path)
    save_time = time.perf_counter() - started
    ckpt = torch.load(path, weights_only=True)
    for i in range(rounds):
        stall = mode == "atomic" and i % 3 == 0
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_end)
            try:
                _save_forever(path, mode, tr, ckpt, write_end, stall)
            finally:
                os._exit(0)
        os.close(write_end)
        os.read(read_end, 1)                         # the child has saved once: now kill it at a random moment
        if stall:
            os.read(read_end, 1)                     # ... or, every third round, inside its next write
        else:
            time.sleep(rng.uniform(0, 3 * save_time))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(read_end)
        inside_a_write = any(n.endswith(".tmp") and f".{pid}-" in n for n in os.listdir(os.path.dirname(path)))
        try:
            loaded = ge.Trainer.load(path, device="cpu")
            result = {"outcome": "whole", "step": loaded.state.step}
        except (ValueError, FileNotFoundError) as err:
            result = {"outcome": "broken", "message": str(err)}
        print(json.dumps({"round": i, "killed_inside_a_write": inside_a_write, **result}), flush=True)
    tr.save(path)                                    # a save after the kills cleans up what they left
    leftovers = [n for n in os.listdir(os.path.dirname(path)) if n.endswith(".tmp")]
    print(json.dumps({"leftover_temp_files": len(leftovers)}), flush=True)


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "load":
        load_all(sys.argv[2])
    elif command == "kill":
        kill_rounds(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]))
    else:
        raise SystemExit(f"unknown command {command!r}")
