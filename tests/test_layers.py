"""The package's layers and their one-way arrows (see gan_edu/__init__.py and docs/ARCHITECTURE.md).

    faces (viz/, widgets/, quiz/, cli)  ->  lesson support (lessons/)  ->  core (the rest)

Every ``import`` in every module is read from the source (module level and inside functions), so a
lazy import inside a function cannot hide an arrow pointing the wrong way.
"""
import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "gan_edu"
FACES = ("viz", "widgets", "quiz", "cli", "__main__")
LESSONS = ("lessons",)
# old names that now live in lessons/ or quiz/ (aliases kept for users): importing them counts as that layer
MOVED = {"envcheck": "lessons", "discriminator": "lessons", "gradflow": "lessons", "clinic": "lessons",
         "equilibrium": "lessons", "classifier": "lessons", "experiments": "lessons", "checkpoints": "quiz"}
# third-party modules the core must not import at module level (each costs seconds or pulls in a GUI stack)
HEAVY = ("matplotlib", "ipywidgets", "IPython", "tqdm", "scipy", "sklearn", "PIL")
RANK = {"core": 0, "lessons": 1, "faces": 2}


def layer_of(parts: tuple[str, ...]) -> str:
    """Layer of a module given its dotted path inside gan_edu (``("lessons", "clinic")``)."""
    head = parts[0] if parts else ""
    head = MOVED.get(head, head)
    if head in FACES:
        return "faces"
    if head in LESSONS:
        return "lessons"
    return "core"


def modules():
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG).with_suffix("").parts
        if rel[-1] == "__init__":
            rel = rel[:-1]
        yield path, rel


def imports(path: Path, rel: tuple[str, ...]):
    """(target parts inside gan_edu or None, top-level name, line, at module level) for every import."""
    tree = ast.parse(path.read_text(), str(path))
    is_pkg = path.name == "__init__.py"
    top_level = set(map(id, tree.body))
    for node in ast.walk(tree):
        at_top = id(node) in top_level
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                yield (tuple(parts[1:]) if parts[0] == "gan_edu" else None), parts[0], node.lineno, at_top
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(rel if is_pkg else rel[:-1])
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                mod = base + (node.module.split(".") if node.module else [])
                targets = [tuple(mod)] if node.module else [tuple(mod + [a.name]) for a in node.names]
                for t in targets:
                    yield t, "gan_edu", node.lineno, at_top
            else:
                parts = (node.module or "").split(".")
                if parts[0] == "gan_edu":
                    if len(parts) > 1:
                        yield tuple(parts[1:]), "gan_edu", node.lineno, at_top
                    else:
                        for a in node.names:
                            yield (a.name,), "gan_edu", node.lineno, at_top
                else:
                    yield None, parts[0], node.lineno, at_top


def test_arrows_point_one_way():
    wrong = []
    for path, rel in modules():
        if not rel:          # gan_edu/__init__.py only names the modules (lazily)
            continue
        mine = layer_of(rel)
        for target, _, line, _ in imports(path, rel):
            if target is None or not target:
                continue
            theirs = layer_of(target)
            if RANK[theirs] > RANK[mine]:
                wrong.append(f"{path.relative_to(PKG.parent)}:{line} ({mine}) imports gan_edu.{'.'.join(target)} ({theirs})")
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_core_imports_nothing_heavy_at_module_level():
    wrong = []
    for path, rel in modules():
        if not rel or layer_of(rel) != "core":
            continue
        for target, top, line, at_top in imports(path, rel):
            if target is None and at_top and top in HEAVY:
                wrong.append(f"{path.relative_to(PKG.parent)}:{line} imports {top} at module level")
    assert not wrong, "\n".join(wrong)


def test_the_layer_checker_sees_a_wrong_arrow(tmp_path):
    """The checker itself: a core module importing a face, at module level or in a function, is found."""
    src = "from .viz import figure\n\ndef f():\n    from . import widgets\n    import gan_edu.lessons.clinic\n"
    p = tmp_path / "trainer.py"
    p.write_text(src)
    found = [t for t, *_ in imports(p, ("trainer",))]
    assert [layer_of(t) for t in found] == ["faces", "faces", "lessons"]


def _loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_import_gan_edu_is_cheap():
    loaded = _loaded_after("import gan_edu")
    assert not loaded & {"torch", "numpy", *HEAVY}, loaded & {"torch", "numpy", *HEAVY}


@pytest.mark.parametrize("module", ["gan_edu.trainer", "gan_edu.data", "gan_edu.metrics", "gan_edu.presets",
                                    "gan_edu.recorders", "gan_edu.timeline"])
def test_core_modules_load_no_face(module):
    loaded = _loaded_after(f"import {module}")
    assert not loaded & {"matplotlib", "ipywidgets", "IPython", "scipy", "sklearn"}


def test_old_import_paths_are_the_same_modules():
    import gan_edu as ge
    import gan_edu.checkpoints.l01 as old_l01
    import gan_edu.discriminator as old_scoring
    from gan_edu import equilibrium
    from gan_edu.lessons import equilibrium as new_equilibrium
    from gan_edu.lessons import scoring
    from gan_edu.quiz.questions import l01

    assert old_scoring is scoring and old_l01 is l01 and equilibrium is new_equilibrium
    assert ge.clinic is sys.modules["gan_edu.lessons.clinic"]
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        ge.nope  # noqa: B018
