"""How the package's modules depend on each other, read from their source with `ast` (imports
inside functions and under TYPE_CHECKING count too): no import circle, the extracts below the
cache, the cache builder free of data libraries, and the person side free of pandas."""

import ast
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

from builders import cms_crime, connect_crime, migrated, write_extract

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "helpers"

#: the layers of the package, lowest first, as data flows (ARCHITECTURE.md): a module imports only
#: modules of its own layer or lower. A request's parameters come first and its steps last, so the
#: two modules of `request` stand in different layers.
LAYERS = [
    ["helpers.errors", "helpers.project", "helpers.markup", "helpers.permissions", "helpers.yaml_input", "helpers.look_alike"],
    ["helpers.request.parameters", "helpers.request.grammar", "helpers.request.checks", "helpers.extracts"],
    ["helpers.cache", "helpers.synthetic"],
    ["helpers.analysis", "helpers.disclosure"],
    ["helpers.request.tables", "helpers.request.measures", "helpers.request.translate", "helpers.briefing", "helpers.gate"],
    ["helpers.request.steps"],
    ["helpers.run", "helpers.__main__"],
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(name: str) -> set[str]:
    """The package's modules `name` imports, anywhere in its source."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's package, up `level - 1` packages
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            # `from package import module` imports the module; `from module import name`, the module
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:  # `import helpers.x.y` names a module
                target = target.rpartition(".")[0]
            if target and target not in (
                name,
                "helpers",
            ):  # the root package: a docstring and a version
                found.add(target)
    return found


GRAPH = {name: imported_modules(name) for name in MODULES}


def subpackage(name: str) -> str:
    return name.split(".")[1] if "." in name else name


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The graph's strongly connected components of more than one node (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_is_read_from_the_sources():
    assert "helpers.extracts.load" in MODULES
    assert "helpers.extracts.people_side" in GRAPH["helpers.cache.builder"]
    assert "helpers.cache.entries" in GRAPH["helpers.request.steps"]  # an import inside a function


def test_no_module_imports_another_that_imports_it_back():
    assert cycles(GRAPH) == []


def layer(name: str) -> int:
    if MODULES[name].name == "__init__.py" and not GRAPH[name]:
        return 0  # a subpackage's docstring
    found = [
        number
        for number, prefixes in enumerate(LAYERS)
        for prefix in prefixes
        if name == prefix or name.startswith(prefix + ".")
    ]
    assert len(found) == 1, f"{name}: in {len(found)} layers (add it to LAYERS)"
    return found[0]


def test_every_module_has_its_layer():
    for name in MODULES:
        if name != "helpers":
            layer(name)


def test_no_module_imports_a_higher_layer():
    upward = sorted(
        (name, target)
        for name, targets in GRAPH.items()
        if name != "helpers"
        for target in targets
        if layer(target) > layer(name)
    )
    assert upward == []


def test_the_extracts_import_nothing_of_the_cache():
    wrong = {
        (name, target)
        for name, targets in GRAPH.items()
        if subpackage(name) == "extracts"
        for target in targets
        if subpackage(target) == "cache"
    }
    assert wrong == set()


def test_the_cache_key_hashes_every_module_that_reads_extracts():
    from helpers.cache.keys import FINGERPRINTED_MODULES

    wanted = {
        name.removeprefix("helpers.")
        for name in MODULES
        if subpackage(name) in ("extracts", "cache") and name.count(".") == 2
    }
    # what searches of an entry's texts found, kept beside it: read no extract (its files say
    # which search and format they hold), so a change to it makes no new entry
    reads_no_extract = {"cache.searches"}
    assert set(FINGERPRINTED_MODULES) == wanted - reads_no_extract


def run_python(code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC)},
        timeout=120,
    )


def test_the_cache_builder_starts_without_the_data_libraries():
    """It starts the person side before its own imports of them (`helpers.cache.builder`)."""
    done = run_python("import helpers.cache.builder", "-X", "importtime")
    assert done.returncode == 0, done.stderr
    imported = {
        line.split("|")[-1].strip().split(".")[0]
        for line in done.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "helpers" in imported
    assert imported.isdisjoint({"pyarrow", "numpy", "pandas"})


def test_the_builders_sink_is_the_cache_entrys_writer():
    from helpers.cache import builder, entries
    from helpers.extracts.people_side import sink_name
    from helpers.extracts.stores import FolderSink

    assert builder.ENTRY_SINK == sink_name(entries.EntrySink)
    assert isinstance(entries.EntrySink(Path("unused")), FolderSink)


# ---- the person side hides pandas (`side_work._WithoutPandas`), written for pyarrow 26.0.1: if
# pyarrow stops going on without pandas when it cannot import it, these fail


def test_pyarrow_compute_works_with_pandas_hidden():
    code = """
import json, sys
from helpers.extracts.side_work import _WithoutPandas
sys.meta_path.insert(0, _WithoutPandas())
import pyarrow as pa, pyarrow.compute as pc
text = pa.chunked_array([["a", "", None]])
answers = {
    "equal": pc.equal(text, "").to_pylist(),  # a plain value: pyarrow asks whether it is pandas'
    "joined": pc.binary_join_element_wise(pa.scalar("CMS"), text, ":").to_pylist(),
    "date": pc.strptime(pa.array(["2017-12-04"]), format="%Y-%m-%d", unit="s").to_pylist()[0].isoformat(),
}
try:
    import pandas
except ModuleNotFoundError:
    answers["pandas refused"] = True
print(json.dumps({**answers, "pandas": sorted(m for m in sys.modules if m.split(".")[0] == "pandas")}))
"""
    done = run_python(code)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "equal": [False, True, None],
        "joined": ["CMS:a", "CMS:", None],
        "date": "2017-12-04T00:00:00",
        "pandas refused": True,
        "pandas": [],
    }


def test_the_person_side_runs_without_pandas(tmp_path):
    """The side's main, as the side process runs it (through the cache entry's sink, with
    personal data): it finishes, and no pandas module was imported."""
    from helpers.cache.builder import ENTRY_SINK
    from helpers.extracts.people_side import SIDE_RESULT, SIDE_TASK, SideTask
    from helpers.extracts.profile import profile_sources

    cms, connect = migrated("CM/16/0000001", "00000001/16", "2016-03-01T09:30:00")
    extracts = write_extract(
        tmp_path / "extracts",
        CMS_CRIMES=[cms, cms_crime("CM/16/0000002")],
        connect_crimes=[connect, connect_crime("00000002/17")],
        CMS_NOMINALS=[
            {
                "CRIME NO": "CM/16/0000002",
                "NOMINAL NO": "400001",
                "PNC ID": " 2000/0448754A ",
                "SURNAME": "SMITH",
                "DOB": "24/05/1992",
            }
        ],
        connect_persons=[
            {"Crime Reference": "00000002/17", "Person ID": "PERD1", "PNC ID": "00/448754A"}
        ],
    )
    folder = tmp_path / "staging"
    folder.mkdir()
    (folder / SIDE_TASK).write_bytes(
        pickle.dumps(SideTask(extracts, profile_sources(), True, folder, ENTRY_SINK))
    )
    code = "import sys; from helpers.extracts.side_work import main; main(sys.argv[1]); print(sorted(m for m in sys.modules if m.split('.')[0] == 'pandas'))"
    done = subprocess.run(
        [sys.executable, "-c", code, str(folder)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    kind, result = pickle.loads((folder / SIDE_RESULT).read_bytes())
    assert kind == "ok"
    assert result.counts.person_records == 2
    assert sorted(path.name for path in folder.glob("personal-*")) == [
        "personal-CMS_NOMINALS.csv.arrow",
        "personal-connect_persons.csv.arrow",
    ]


def test_no_module_names_a_force_s_systems():
    """A force's systems are its profile (`profiles/`): no module of the package but the synthetic
    generator's names them (issue 20)."""
    import re

    named = sorted(
        name
        for name, path in MODULES.items()
        if not name.startswith("helpers.synthetic")
        and re.search(r"\b(?:CMS|Connect)\b", path.read_text(encoding="utf-8"))
    )
    assert named == []
