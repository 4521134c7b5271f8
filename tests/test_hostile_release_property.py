"""Hostile and careless text in every parameter that reaches the release: refused, or released clean
(issue 17, "Done when": the property test).

Random texts mixing live markup (script, event handlers, `javascript:` and `data:text/html` URLs,
frames, objects, forms, a meta refresh, markdown that would become raw HTML), spreadsheet formulas
(`=`, `+`, `-`, `@`, tab, carriage return) and identifiers copied from the extract are planted in
every parameter the release shows: the title, the questions, `offence_description`, the charge
groups' names, labels and codes, the search terms and the reference. Each example is made as a run
makes it, without papermill: the parameters checked (`validate_parameters`, as `check` does), the
briefing notebook's own cells executed in order in this process (its displayed cells give the
page), then the runner's own export (HTML and PDF) and gate (`seal_release`, manifest included).

The property: either the tool refuses (a `BriefingError`: one line, an exit code, never a
traceback), or the release is clean, read with parsers of our own choosing rather than the gate's:
no live markup in `briefing.html` (parsed as a browser parses it, `tinyhtml5`), no CSV cell a
spreadsheet would run, and no planted identifier, as written, in the page, the PDF's text, a table
or the manifest. Markup and formulas alone are no reason to refuse: they are released, escaped
and neutralised (but for a `data:text/html` URL holding a script, which the gate refuses even
written as text).

The extract is the synthetic generator's, small (3,000 crimes); the identifiers planted are the
exact written forms the extract's files hold. `NORMALISED_FORMS` are the disguises of issue 17's
"Identifiers written slightly differently" (spaces, hyphens, zero-width characters, confusable
letters, written-out dates, a full name alone, text copied from outside the search's scope) are
all planted too (`ENABLED_NORMALISED_FORMS`), since the gate normalises before it matches.

The examples are derandomised (the same every run) and few, as each makes a whole release (about a
second); `test_a_hostile_release_through_foi_briefing_run` makes one through the command itself.
"""

from __future__ import annotations

import ast
import copy
import csv
import io
import json
import os
import re
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import nbformat
import openpyxl
import pytest
import tinyhtml5
import yaml
from hypothesis import HealthCheck, Phase, event, given, note, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from helpers.errors import BriefingError
from helpers.extracts.profile import read_profile
from helpers.extracts.sources import FileSpec, SourceDefinition
from helpers.gate.readers import NEUTRALISED
from helpers.project import project_root
from helpers.request import steps
from helpers.request.parameters import notebook_parameters, read_parameters, validate_parameters
from helpers.run.request import RunResult, StepClock, export, seal_release
from helpers.run.staging import close_log, open_staging
from helpers.synthetic.generator import generate_extracts

ROOT = project_root()
PARAMS = ROOT / "parameters" / "20180075.yaml"
NOTEBOOK = ROOT / "notebooks" / "request_briefing.ipynb"
BASE = yaml.safe_load(PARAMS.read_text(encoding="utf-8"))

# ---- what is planted

#: markup that was live in the page before (issue 17), and more of the same kinds
MARKUP = [
    "<script>document.documentElement.dataset.ran='script'</script>",
    "<svg onload=\"document.documentElement.dataset.ran='svg'\"></svg>",
    "<details open ontoggle=\"document.documentElement.dataset.ran='details'\">x</details>",
    "<iframe srcdoc=\"<script>parent.document.title='iframe'</script>\"></iframe>",
    '<a href="javascript:alert(1)">more</a>',
    '<a href="https:evil.example">more</a>',
    "child <13 or *aged* 13_15",
    "<img src=x onerror=alert(1)>",
    '"><svg/onload=alert(1)>',
    "' onmouseover='alert(1)",
    '<object data="data:text/html,<script>alert(1)</script>"></object>',
    '<embed src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">',
    '<form action="https://evil.example"><button>Send</button></form>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "</title><script>alert(1)</script>",
    "</style><script>alert(1)</script>",
    "<!-- a comment",
    "<scr<script>ipt>alert(1)</script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#x3C;script&#x3E;",
    "[more](javascript:alert(1))",
    "![x](https://evil.example/p.png)",
    "<https://evil.example>",
    "*emphasis* __strong__ `code`",
    "# heading",
    "| a | b |\n|---|---|",
    "\n\n<div onclick=alert(1)>block</div>\n\n",
    "{{7*7}} ${7*7}",
]
#: cells a spreadsheet runs (OWASP, "CSV injection")
FORMULAS = [
    "@SUM(1+9)*cmd|' /C calc'!A0",
    '=IMAGE("ht"&"tps:/"&"/evil.example/p.png")',
    '=HYPERLINK("https://evil.example","click")',
    "=1+2",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+2",
    "\r=1+2",
    "-",
    "=cmd|' /C calc'!A0",
]
#: plain words, so that a text is not all markup
WORDS = [
    "Offences",
    "of",
    "grooming",
    "Act 2003",
    "hunter",
    "Hunter",
    "s15",
    "a child",
    "2017",
    "—",
    "&",
    "'quoted'",
    '"double"',
]


#: where a prefix's letters meet the digits (`PER|7028132`)
LETTERS_THEN_DIGITS = re.compile(r"(?<=[A-Za-z])(?=\d)")


def spaced_out(identifier: str) -> str:
    """`CM/16/0000001` as `CM 16 0000001`, `89/920945F` as `89 920945F`, `OCC-0000123` as
    `OCC 0000123`, `PER7028132` as `PER 7028132`."""
    return LETTERS_THEN_DIGITS.sub(" ", identifier.replace("/", " ").replace("-", " "))


def hyphenated(identifier: str) -> str:
    """`00001516/16` as `00001516-16`, `PER7028132` as `PER-7028132`."""
    return LETTERS_THEN_DIGITS.sub("-", identifier.replace("/", "-"))


def zero_width_inside(identifier: str) -> str:
    middle = len(identifier) // 2
    return identifier[:middle] + "\u200b" + identifier[middle:]


CONFUSABLE = str.maketrans("CMPEAOKX", "\u0421\u041c\u0420\u0415\u0410\u041e\u041a\u0425")


def confusable_letters(identifier: str) -> str:
    """Latin capitals as their Cyrillic look-alikes (`С`, `М`, `Р`...)."""
    return identifier.translate(CONFUSABLE)


def grouped_thousands(identifier: str) -> str:
    """A nominal number `428132` as `428,132`."""
    return f"{int(identifier):,}" if identifier.isdigit() else identifier


#: the disguises of issue 17's "Identifiers written slightly differently", for identifiers (crime
#: references, person IDs, nominal numbers, PNC IDs)
NORMALISED_FORMS: dict[str, Callable[[str], str]] = {
    "spaced out": spaced_out,
    "hyphenated": hyphenated,
    "zero-width space inside": zero_width_inside,
    "confusable letters": confusable_letters,
    "grouped thousands": grouped_thousands,
}
#: the same for people (a full name alone, a date of birth written another way) and for copied
#: text (eight words of a crime outside the search's scope): see `disguised_people`
NORMALISED_PEOPLE_AND_TEXTS = [
    "full name alone",
    "date of birth written out",
    "copied from outside the scope",
]
#: the disguises above that are planted (all: the gate normalises before it matches, issue 17
#: item 3); `FOI_HOSTILE_NORMALISED_FORMS` (names joined by commas) plants only those named
ENABLED_NORMALISED_FORMS: tuple[str, ...] = (*NORMALISED_FORMS, *NORMALISED_PEOPLE_AND_TEXTS)
_TRIED = os.environ.get("FOI_HOSTILE_NORMALISED_FORMS", "")
if _TRIED:
    ENABLED_NORMALISED_FORMS = tuple(
        [*NORMALISED_FORMS, *NORMALISED_PEOPLE_AND_TEXTS] if _TRIED == "all" else _TRIED.split(",")
    )


# ---- the extract, and the identifiers it holds as its files write them


#: the profiles whose extracts are planted from: today's two systems, and the generator's force
#: with one system in another layout, encoding, delimiter and date format
PROFILES = {
    "two-systems": ("cms-connect", ROOT / "profiles" / "cms-connect.yaml"),
    "one-system": ("one-system", ROOT / "profiles" / "examples" / "synthetic-one-system.yaml"),
}


def rows(folder: Path, source: SourceDefinition, spec: FileSpec) -> list[dict[str, str]]:
    """A file's records, read as its system writes them (encoding, delimiter, quote)."""
    encoding = "utf-8-sig" if source.encoding == "utf-8" else source.encoding  # a BOM is fine
    with open(folder / spec.filename, encoding=encoding, newline="") as file:
        return list(csv.DictReader(file, delimiter=source.delimiter, quotechar=source.quote_char))


def identifiers_of(folder: Path, sources: tuple[SourceDefinition, ...]) -> list[str]:
    """A few of each kind of identifier, exactly as the extract's files write them: each
    system's crime references, person references and PNC IDs."""
    found = []
    for source in sources:
        crimes, people = rows(folder, source, source.crimes), rows(folder, source, source.people)
        found += [row[source.crimes.columns["crime_ref"]] for row in crimes[5:8]]
        found += [row[source.people.columns["person_ref"]] for row in people[5:8]]
        if "pnc_id" in source.people.columns:
            found += [r[source.people.columns["pnc_id"]] for r in people if r[source.people.columns["pnc_id"]]][:3]
    assert len(found) == 9 * len(sources) and all(found)
    return found


def people_of(
    folder: Path, sources: tuple[SourceDefinition, ...], scope: set[str]
) -> list[tuple[str, str, str, str]]:
    """(forenames, surname, date of birth as its system writes it, and its format) of a few
    people of each system on the request's crimes (`scope`): a full name alone is someone's only
    there (issue 17: elsewhere it is anyone's name, and released)."""
    found = []
    for source in sources:
        columns = source.people.columns
        people = [
            (r[columns["forenames"]], r[columns["surname"]], r[columns["date_of_birth"]])
            for r in rows(folder, source, source.people)
            if r[columns["date_of_birth"]]
            and r[columns["surname"]]
            and r[columns["crime_ref"]] in scope
        ]
        found += [(*person, source.date_format) for person in people[:3]]
    assert len(found) >= 3
    return found


def eight_words(texts) -> list[str]:
    """Eight words running in each of a few texts (the gate's copied-text rule's length)."""
    runs = []
    for text in texts:
        words = str(text).split()
        if len(words) >= 12:
            runs.append(" ".join(words[2:10]))
        if len(runs) == 4:
            break
    assert len(runs) == 4
    return runs


def planted_extract(tmp_path_factory, profile: str) -> SimpleNamespace:
    """The synthetic extract of a profile (`PROFILES`), with what can be planted from it:
    identifiers, people, and eight words of texts inside and outside the search's scope (the
    request's offences and charges)."""
    layout, profile_path = PROFILES[profile]
    folder = tmp_path_factory.mktemp(f"hostile-extract-{profile}")
    generate_extracts(folder, n_crimes=3000, seed=20180075, layout=layout)
    params = read_parameters(
        PARAMS,
        {
            "extracts_dir": str(folder),
            "output_dir": str(tmp_path_factory.mktemp("scope")),
            "profile": str(profile_path),
        },
    )
    loaded = steps.load(params)
    searched = steps.todays_review(params, steps.answer(params, loaded)).searched.to_pylist()
    scope = loaded.circumstances(searched).to_frame()
    outside = loaded.crimes.loc[~loaded.crimes["crime_id"].isin(scope.index), "crime_id"]
    sources = read_profile(profile_path).sources()
    people = people_of(folder, sources, set(scope.index))
    plants = SimpleNamespace(
        profile=str(profile_path),
        folder=folder,
        identifiers=identifiers_of(folder, sources),
        people=[f"{forenames} {surname} {born}" for forenames, surname, born, _ in people],
        copied=eight_words(scope["circumstances"].dropna()),
        disguised=[],
    )
    for form in ENABLED_NORMALISED_FORMS:
        if form in NORMALISED_FORMS:
            plants.disguised += [
                NORMALISED_FORMS[form](identifier) for identifier in plants.identifiers
            ]
    plants.disguised += disguised_people(people, loaded.circumstances(outside.iloc[:50]).dropna())
    return plants


@pytest.fixture(scope="module")
def extract(tmp_path_factory) -> SimpleNamespace:
    """Today's two systems' extract, and what can be planted from it."""
    return planted_extract(tmp_path_factory, "two-systems")


@pytest.fixture(scope="module")
def one_system_extract(tmp_path_factory) -> SimpleNamespace:
    """The one-system force's extract (`;`-separated ISO 8859-15, `OCC-0000123`, five- and
    six-digit person references), and what can be planted from it."""
    return planted_extract(tmp_path_factory, "one-system")


@pytest.fixture(params=list(PROFILES))
def any_extract(request) -> SimpleNamespace:
    """Each profile's extract in turn."""
    return request.getfixturevalue("extract" if request.param == "two-systems" else "one_system_extract")


ORDINALS = dict(
    enumerate(
        "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split(),
        start=1,
    )
)
ORDINALS |= {20 + k: f"twenty-{ORDINALS[k]}" for k in range(1, 10)} | {
    30: "thirtieth",
    31: "thirty-first",
}


def disguised_people(people, outside_texts) -> list[str]:
    """The enabled disguises of people and of copied text."""
    planted = []
    if "full name alone" in ENABLED_NORMALISED_FORMS:
        planted += [f"{forenames} {surname}" for forenames, surname, _, _ in people]
    if "date of birth written out" in ENABLED_NORMALISED_FORMS:
        for forenames, surname, written, date_format in people:
            born = datetime.strptime(written, date_format).date()
            day, month, year = f"{born.day:02d}", f"{born.month:02d}", str(born.year)
            named = born.strftime("%B")
            planted += [
                f"{forenames} {surname} {day} {month} {year}",
                f"{forenames} {surname} {day}{month}{year}",
                f"{forenames} {surname}, born the {ORDINALS[int(day)]} of {named} {year}",
            ]
    if "confusable letters" in ENABLED_NORMALISED_FORMS:
        planted += [
            f"{confusable_letters(forenames)} {surname} {born}"
            for forenames, surname, born, _ in people
        ]
    if "copied from outside the scope" in ENABLED_NORMALISED_FORMS:
        planted += eight_words(outside_texts)
    return planted


# ---- the strategies


def hostile_text() -> st.SearchStrategy[str]:
    """A text of a few pieces: markup, formulas, words and random characters. A formula is often
    first, where a spreadsheet runs it."""
    piece = st.one_of(
        st.sampled_from(MARKUP),
        st.sampled_from(FORMULAS),
        st.sampled_from(WORDS),
        st.text(
            alphabet=st.characters(
                codec="utf-8", exclude_categories=["Cs"], exclude_characters="\x00"
            ),
            min_size=1,
            max_size=8,
        ),
    )
    return st.tuples(
        st.one_of(st.just(""), st.sampled_from(FORMULAS)),
        st.lists(piece, min_size=1, max_size=4),
        st.sampled_from(["", " ", "\n"]),
    ).map(lambda parts: parts[0] + parts[2].join(parts[1]))


#: the keys of a request's parameters that reach the release as text (`charge_groups` holds the
#: groups' names, labels and codes)
SHOWN_KEYS = [
    "title",
    "questions",
    "offence_description",
    "charge_groups",
    "search_terms",
    "reference",
]


def rarely(strategy: st.SearchStrategy, usual) -> st.SearchStrategy:
    """`strategy` one time in six, else `usual`: for a key the schema refuses most hostile texts
    of (the reference) or whose mistake is one (two groups with one label), which would otherwise
    leave few examples to release."""
    return st.integers(1, 6).flatmap(lambda k: strategy if k == 3 else st.just(usual))


@st.composite
def hostile_parameters(draw, plants, identifiers: bool = True) -> dict:
    """Request 20180075's parameters with hostile text in every key that reaches the release;
    sometimes two charge-group labels the same, or a label the table's own rows use; with
    `identifiers`, up to two identifiers (people, copied texts) from the extract planted in
    keys drawn at random, each between spaces (a whole token, as the gate reads one)."""
    text = hostile_text()
    values = copy.deepcopy(BASE)
    values["title"] = draw(text)
    values["questions"] = draw(st.lists(text, min_size=1, max_size=3))
    values["offence_description"] = draw(text)
    groups: dict = {}
    for name, group in BASE["charge_groups"].items():
        key = draw(rarely(text, name))
        used = [g["label"] for g in groups.values()] + [
            "Charged with any of these (each person once)"
        ]
        label = draw(rarely(st.sampled_from(used), None) if groups else st.none()) or draw(text)
        codes = group["codes"] + draw(rarely(st.lists(text, min_size=1, max_size=1), []))
        groups[key] = {"label": label, "codes": codes}
    values["charge_groups"] = groups
    values["search_terms"] = BASE["search_terms"][:2] + draw(st.lists(text, min_size=1, max_size=3))
    values["reference"] = draw(rarely(text, BASE["reference"]))
    if identifiers:
        planted = plants.identifiers + plants.people + plants.copied + plants.disguised
        for _ in range(draw(st.integers(0, 2))):
            plant = f" {draw(st.sampled_from(planted))} "
            where = draw(st.sampled_from(SHOWN_KEYS))
            event(f"planted in {where}")
            if where == "reference":
                values["reference"] = (
                    plant.strip() if draw(st.booleans()) else values["reference"] + plant
                )
            elif where in ("questions", "search_terms"):
                values[where] = [*values[where], draw(text) + plant + draw(text)]
            elif where == "charge_groups":
                group = draw(st.sampled_from(list(groups)))
                part = draw(st.sampled_from(["label", "codes", "name"]))
                if part == "name":
                    groups[f"{group}{plant}"] = groups.pop(group)
                elif part == "codes":
                    groups[group]["codes"] = [*groups[group]["codes"], plant.strip()]
                else:
                    groups[group]["label"] += plant
            else:
                values[where] = draw(text) + plant + draw(text)
    values["extracts_dir"] = str(plants.folder)
    values["profile"] = plants.profile
    return values


# ---- a release, made as a run makes it


def run_cell(source: str, namespace: dict):
    """Execute a notebook cell as the kernel does: the value of its last line if an expression."""
    tree = ast.parse(source)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "<cell>", "exec"), namespace)  # noqa: S102 - our own notebook
    return eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace) if last else None  # noqa: S307


def execute_briefing(values: dict, executed: Path) -> None:
    """The briefing notebook run in this process, its parameters injected as papermill injects
    them; each displayed value kept as the cell's output, the executed notebook written."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    namespace: dict = {}
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        tags = cell.metadata.get("tags", [])
        source = (
            "\n".join(f"{key} = {value!r}" for key, value in values.items())
            if "parameters" in tags
            else cell.source
        )
        shown = run_cell(source, namespace)
        cell.outputs = []
        if shown is not None and hasattr(shown, "_repr_html_"):
            cell.outputs = [
                nbformat.v4.new_output(
                    "display_data", {"text/html": shown._repr_html_(), "text/plain": "<HTML>"}
                )
            ]
    nbformat.write(notebook, executed)


def make_release(values: dict, out: Path) -> Path:
    """The release folder made from these parameters, as `foi-briefing run` makes it (without
    papermill): checked parameters, the notebook, the export, the manifest and the gate. Raises
    `BriefingError` where the run would stop with one line."""
    params = validate_parameters({**values, "output_dir": str(out)})
    staging = open_staging(params)
    try:
        injected = {**notebook_parameters(params), "output_dir": str(staging.root)}
        execute_briefing(injected, staging.restricted / "briefing.ipynb")
        export(
            params,
            staging,
            ("html", "pdf"),
            StepClock(RunResult(params.reference, True), staging.log),
        )
        seal_release(params, staging.staged)
    finally:
        close_log(staging.log)
    return staging.release


def gate_findings(out: Path) -> list[dict]:
    """The findings of the gate's report in a refused run's staging folder (to say why)."""
    return [
        f
        for report in out.glob(".runs/*/*/restricted/gate_*.json")
        for f in json.loads(report.read_text(encoding="utf-8"))["findings"]
    ]


# ---- what a clean release is, read independently of the gate

HTML_NS = "{http://www.w3.org/1999/xhtml}"
#: elements that run, load or submit something; the page has none (its one image is a data: SVG)
LIVE_ELEMENTS = {
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "form",
    "base",
    "link",
    "portal",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "xlink:href",
    "poster",
    "background",
    "srcset",
}
#: what a URL may not start with (after the characters a browser ignores): it runs, or it is a page
SCRIPT_URL = re.compile(
    r"(javascript|vbscript|data:\s*text/html|data:\s*image/svg\+xml(?!;base64,))", re.IGNORECASE
)


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def live_markup(page: str) -> list[str]:
    """Live markup in the page, parsed as a browser parses it: an element that runs, loads or
    submits, an event-handler attribute, a script or HTML URL, a meta refresh, any SVG or MathML
    but our chart's image."""
    found = []
    for element in tinyhtml5.parse(page).iter():
        if not isinstance(element.tag, str):
            continue
        name = local_name(element.tag)
        if name in LIVE_ELEMENTS or not element.tag.startswith(HTML_NS):
            found.append(f"<{name}>")
        if name == "meta" and (element.get("http-equiv") or "").lower() not in {
            "",
            "content-security-policy",
        }:
            found.append(f"<meta http-equiv={element.get('http-equiv')}>")
        for attribute, value in element.attrib.items():
            attribute = local_name(attribute)
            if attribute.startswith("on") or attribute == "srcdoc":
                found.append(f"{name} {attribute}")
            if attribute in URL_ATTRIBUTES:
                url = re.sub(r"[\x00-\x20]", "", value)  # a browser ignores these in a scheme
                if SCRIPT_URL.match(url) or (attribute == "href" and not url.startswith("#")):
                    found.append(f"{name} {attribute}={value[:40]}")
    return found


def csv_grid(table: Path) -> list[list[str]]:
    """A CSV file's cells, its carriage returns kept (a cell may start with one)."""
    with open(table, encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


SIGNED_NUMBER = re.compile(r"[+-](?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


def unneutralised_formulas(release: Path) -> list[str]:
    """CSV cells a spreadsheet would run: starting with `=`, `+`, `-`, `@`, a tab or a carriage
    return and not a signed number (a neutralised one starts with `'`); in `tables.xlsx` (read
    with openpyxl), a formula cell, or a text cell so starting without the quote prefix."""
    found = []
    for table in sorted((release / "tables").glob("*.csv")):
        grid = csv_grid(table)
        assert len({len(row) for row in grid}) == 1, f"{table.name}: rows of different lengths"
        for row in grid:
            for cell in row:
                if cell[:1] in {"=", "+", "-", "@", "\t", "\r"} and not SIGNED_NUMBER.fullmatch(
                    cell
                ):
                    found.append(f"{table.name}: {cell[:30]!r}")
    for cell in workbook_cells(release):
        text = str(cell.value)
        if cell.data_type == "f" or (
            cell.data_type == "s" and text[:1] in {"=", "+", "-", "@", "\t", "\r"} and not cell.quotePrefix
        ):
            found.append(f"tables.xlsx: {cell.coordinate} {text[:30]!r}")
    return found


def workbook_cells(release: Path) -> list:
    """Every cell of `tables.xlsx` holding something, as openpyxl reads it (none: no workbook)."""
    if not (release / "tables.xlsx").is_file():
        return []
    book = openpyxl.load_workbook(release / "tables.xlsx")
    return [cell for sheet in book for row in sheet.iter_rows() for cell in row if cell.value is not None]


def strings_of(value) -> list[str]:
    """Every key and text in a JSON value."""
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in [str(key), *strings_of(item)]]
    if isinstance(value, list):
        return [text for item in value for text in strings_of(item)]
    return [str(value)] if value is not None else []


def released_texts(release: Path) -> dict[str, str]:
    """Each release file's text as a reader sees it: the page's text and attribute values (parsed
    as a browser does), the PDF's text (pypdf), the CSV cells, the manifest's keys and texts."""
    texts = {}
    page = tinyhtml5.parse((release / "briefing.html").read_text(encoding="utf-8"))
    texts["briefing.html"] = " ".join(
        [*page.itertext(), *(v for e in page.iter() for v in e.attrib.values())]
    )
    reader = PdfReader(release / "briefing.pdf")
    texts["briefing.pdf"] = " ".join(page.extract_text() or "" for page in reader.pages)
    for table in sorted((release / "tables").glob("*.csv")):
        grid = csv_grid(table)
        texts[f"tables/{table.name}"] = " ".join(
            cell.removeprefix(NEUTRALISED) for row in grid for cell in row
        )
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    texts["manifest.json"] = " ".join(strings_of(manifest))
    if (release / "tables.xlsx").is_file():
        book = openpyxl.load_workbook(release / "tables.xlsx")
        texts["tables.xlsx"] = " ".join(
            [*book.sheetnames, str(book.properties.title), *(str(c.value) for c in workbook_cells(release))]
        )
    return texts


def comparable(text: str) -> str:
    """Text compared as a reader reads it: typographic quotes as straight ones, any run of white
    space as one space, case folded."""
    text = text.translate(str.maketrans("\u2018\u2019\u201c\u201d", "''\"\""))
    return " ".join(text.split()).casefold()


def leaked(plants, texts: dict[str, str]) -> list[str]:
    """The planted identifiers, people and copied texts found, as written, in a release file
    (not inside a longer word or number)."""
    planted = plants.identifiers + plants.people + plants.copied + plants.disguised
    found = []
    for file, text in texts.items():
        shown = comparable(text)
        for plant in planted:
            wanted = re.escape(comparable(plant))
            if re.search(rf"(?<![0-9a-z]){wanted}(?![0-9a-z])", shown):
                found.append(f"{file}: {plant!r}")
    return found


# ---- the property

#: no `explain` phase: it reruns a failing example many times over (minutes, for a release each)
PHASES = [
    Phase.explicit,
    Phase.generate,
    *([Phase.shrink] if os.environ.get("FOI_HOSTILE_SHRINK", "1") == "1" else []),
]


@settings(
    max_examples=int(os.environ.get("FOI_HOSTILE_EXAMPLES", "20")),
    deadline=None,
    derandomize=True,
    database=None,
    phases=PHASES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_a_release_from_hostile_parameters_is_refused_or_clean(extract, tmp_path_factory, data):
    refused_or_clean(extract, tmp_path_factory, data)


@settings(
    max_examples=int(os.environ.get("FOI_HOSTILE_EXAMPLES", "20")) // 2,
    deadline=None,
    derandomize=True,
    database=None,
    phases=PHASES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_a_release_from_hostile_parameters_on_the_one_system_force_is_refused_or_clean(
    one_system_extract, tmp_path_factory, data
):
    """The same property on the second profile's extract: its identifiers (`OCC-0000123`, a
    five-digit person reference, `2016/0123456A`), people and texts, however written."""
    refused_or_clean(one_system_extract, tmp_path_factory, data)


def refused_or_clean(extract, tmp_path_factory, data) -> None:
    """The property: parameters planted from the extract give a one-line refusal or a clean
    release."""
    values = data.draw(hostile_parameters(extract))
    out = tmp_path_factory.mktemp("hostile")
    try:
        release = make_release(values, out)
    except BriefingError as refused:
        message = str(refused)
        event(
            f"refused: {type(refused).__name__}"
            + (f" ({message.split(': ')[1]})" if refused.exit_code == 2 else "")
        )
        note(f"refused: {message}")
        assert message and "\n" not in message and "Traceback" not in message
        return
    event("released")
    page = (release / "briefing.html").read_text(encoding="utf-8")
    assert live_markup(page) == []
    assert unneutralised_formulas(release) == []
    assert leaked(extract, released_texts(release)) == []


#: the gate's one refusal of markup that is only shown (issue 17 item 1 decodes a data: URL
#: wherever it is written, as text too): a careful choice, not a leak
SCRIPT_IN_WRITTEN_DATA_URL = "(inside an embedded text/html data: URI)"


@settings(
    max_examples=int(os.environ.get("FOI_HOSTILE_EXAMPLES", "20")) // 2,
    deadline=None,
    derandomize=True,
    database=None,
    phases=PHASES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_markup_and_formulas_alone_are_released_escaped_and_neutralised(
    extract, tmp_path_factory, data
):
    """No identifier planted: nothing to refuse. The release is made, and clean."""
    values = data.draw(hostile_parameters(extract, identifiers=False))
    out = tmp_path_factory.mktemp("markup")
    try:
        release = make_release(values, out)
    except BriefingError as refused:
        # parameters the schema refuses (a blank key, a group's code with a space only...) are
        # the analyst's to fix; anything else must not stop a release of harmless text
        findings = gate_findings(out)
        note(f"refused: {refused}; the gate's findings: {findings}")
        if refused.exit_code == 5:  # the gate decodes a data: URL even written as text: refused
            assert findings and all(
                f["detail"].endswith(SCRIPT_IN_WRITTEN_DATA_URL) for f in findings
            ), findings
            event("refused by the gate: a script in a data: URL written as text")
            return
        assert refused.exit_code == 2, refused
        event(f"refused by the parameters' check: {str(refused).split(': ')[1]}")
        return
    event("released")
    assert live_markup((release / "briefing.html").read_text(encoding="utf-8")) == []
    assert unneutralised_formulas(release) == []
    shown = released_texts(release)["briefing.html"]
    assert comparable(values["offence_description"]) in comparable(shown)  # shown as typed


def test_the_checks_find_live_markup_formulas_and_identifiers_they_are_given(any_extract, tmp_path):
    extract = any_extract
    """The property's own checks can fail: each finds what it looks for in a planted release."""
    page = "<html><body>" + "".join(MARKUP) + "</body></html>"
    found = live_markup(page)
    for live in [
        "<script>",
        "svg onload",
        "details ontoggle",
        "<iframe>",
        "a href=javascript:alert(1)",
        "a href=https:evil.example",
        "img onerror",
        "<object>",
        "<embed>",
        "<form>",
        "<meta http-equiv=refresh>",
        "<base>",
        "a href=data:text/html;base64,",
    ]:
        assert any(f.startswith(live) for f in found), live
    assert live_markup("<div onclick=alert(1)>block</div>") == ["div onclick"]
    assert live_markup("<p>child &lt;13 or *aged* 13_15 &lt;script&gt;</p>") == []
    tables = tmp_path / "tables"
    tables.mkdir()
    out = io.StringIO()
    csv.writer(out).writerows(
        [
            ["Offence", "People"],
            *([cell, "1"] for cell in FORMULAS),
            ["'=1+2", "-3"],
            ["-1,234", "+7"],
        ]
    )
    (tables / "t.csv").write_text(out.getvalue(), encoding="utf-8")
    assert len(unneutralised_formulas(tmp_path)) == len(FORMULAS)
    texts = {"a": "x " + " ".join(extract.identifiers + extract.people + extract.copied) + " y"}
    found = set(leaked(extract, texts))  # the disguised forms of the same plants are found too
    assert {
        f"a: {plant!r}" for plant in extract.identifiers + extract.people + extract.copied
    } <= found
    assert leaked(extract, {"a": "x1" + extract.identifiers[0] + "9"}) == []


# ---- one example end to end, through the command


@pytest.mark.slow
def test_a_hostile_release_through_foi_briefing_run(any_extract, tmp_path):
    """`python -m helpers run` on parameters with markup and formulas everywhere: released, clean;
    with an identifier in a question as well: refused by the gate (exit 5), in one line. On each
    profile's extract."""
    extract = any_extract
    values = copy.deepcopy(BASE)
    values["title"] = MARKUP[0] + " " + MARKUP[1]
    values["questions"] = [MARKUP[2], MARKUP[3] + " " + MARKUP[6]]
    values["offence_description"] = MARKUP[4] + " " + MARKUP[5]
    labels = [FORMULAS[0], FORMULAS[1]]
    values["charge_groups"] = {
        name: {**group, "label": label}
        for (name, group), label in zip(BASE["charge_groups"].items(), labels, strict=True)
    }
    values["search_terms"] = [*BASE["search_terms"], MARKUP[13]]

    def run(name: str, changes: dict) -> subprocess.CompletedProcess:
        params = tmp_path / f"{name}.yaml"
        params.write_text(
            yaml.safe_dump({**values, **changes}, allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )
        command = [
            sys.executable,
            "-m",
            "helpers",
            "run",
            params,
            "--extracts",
            extract.folder,
            "--profile",
            extract.profile,
            "--out",
            tmp_path / name,
            "--no-progress",
        ]
        return subprocess.run(
            command,
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=600,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        )

    done = run("clean", {})
    assert done.returncode == 0, done.stderr[-3000:]
    release = tmp_path / "clean" / "20180075" / "release"
    assert live_markup((release / "briefing.html").read_text(encoding="utf-8")) == []
    assert unneutralised_formulas(release) == []
    assert "'@SUM(1+9)" in (release / "tables" / "people_charged.csv").read_text(encoding="utf-8")
    assert leaked(extract, released_texts(release)) == []

    refused = run("refused", {"questions": [f"Was {extract.identifiers[0]} one of them?"]})
    assert refused.returncode == 5, refused.stderr[-3000:]
    said = [line for line in refused.stderr.splitlines() if not line.startswith("20180075: warning: ")]
    assert "Traceback" not in refused.stderr and len(said) == 1, refused.stderr
    assert not (tmp_path / "refused" / "20180075" / "release").exists()


def test_the_normalised_forms_write_the_disguises_of_issue_17():
    """The disguises ready for the gate's normalising (`ENABLED_NORMALISED_FORMS`), as the issue
    found them released."""
    assert spaced_out("89/920945F") == "89 920945F"
    assert hyphenated("00001516/16") == "00001516-16"
    assert (spaced_out("OCC-0000123"), spaced_out("PER7028132")) == ("OCC 0000123", "PER 7028132")
    assert hyphenated("PERD0012345") == "PERD-0012345"
    assert grouped_thousands("428132") == "428,132"
    assert zero_width_inside("CM/16/0000001") == "CM/16/\u200b0000001"
    assert all(
        unicodedata.name(letter).startswith("CYRILLIC CAPITAL LETTER")
        for letter in confusable_letters("CMPEAOKX")
    )
    assert set(ENABLED_NORMALISED_FORMS) <= set(NORMALISED_FORMS) | set(NORMALISED_PEOPLE_AND_TEXTS)


# ---- what the property found, as explicit tests (each failed with a traceback before its fix)


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        (
            "Meeting a child following sexual grooming (s15 Sexual Offences Act 2003)",
            "parameters: charge_groups: attempt_section_15's label is section_15's too: give each group a label of its own",
        ),
        (
            "Charged with any of these (each person once)",
            "parameters: charge_groups: attempt_section_15's label is the name of a row the table adds itself: give the group another",
        ),
        (
            "of whom charged on hunter-group evidence",
            "parameters: charge_groups: attempt_section_15's label is the name of a row the table adds itself: give the group another",
        ),
    ],
)
def test_two_charge_groups_with_one_label_or_a_label_the_table_uses_are_refused_by_check(
    second, expected
):
    values = copy.deepcopy(BASE)
    values["charge_groups"]["attempt_section_15"]["label"] = second
    with pytest.raises(BriefingError) as refused:
        validate_parameters(values)
    assert str(refused.value) == expected
    assert refused.value.exit_code == 2


@pytest.mark.parametrize("term", ["{{7*7}} ${7*7}", "2017", "<>", "  ---  "])
def test_a_search_term_without_a_letter_is_refused_by_check(term):
    values = {**copy.deepcopy(BASE), "search_terms": ["vigilante", term]}
    with pytest.raises(BriefingError) as refused:
        validate_parameters(values)
    assert str(refused.value).startswith(
        "parameters: search_terms: a search term has no letters (the search finds words)"
    )
    assert refused.value.exit_code == 2


@pytest.mark.parametrize(
    ("key", "change", "named"),
    [
        ("title", lambda v: "People\x00 charged", "title"),
        ("questions", lambda v: [*v, "How many\x00?"], "questions.3"),
        ("offence_description", lambda v: "\x00", "offence_description"),
        ("search_terms", lambda v: [*v, "hunter\x00"], "search_terms.8"),
        (
            "charge_groups",
            lambda v: {**v, "section_15": {**v["section_15"], "label": "s15\x00"}},
            "charge_groups.section_15.label",
        ),
    ],
)
def test_a_nul_character_in_a_text_is_refused_by_check_naming_the_key(key, change, named):
    """A NUL (YAML writes one `"\\0"`) made the page a binary file to the gate: the run failed
    with "briefing.html cannot be read by the gate", naming neither the key nor the character."""
    values = copy.deepcopy(BASE)
    values[key] = change(values[key])
    with pytest.raises(BriefingError) as refused:
        validate_parameters(values)
    assert str(refused.value).startswith(
        f"parameters: {named}: a NUL character (\\0) is not text: remove it"
    )
    assert refused.value.exit_code == 2
