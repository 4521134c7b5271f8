"""`foi-briefing`: run a request's briefing from its parameters file to a released briefing.

    foi-briefing run PARAMS.yaml [PARAMS.yaml | FOLDER ...] [--extracts DIR] [--out DIR]
                     [--formats html,pdf] [--strict] [--jobs N] [--no-progress]
    foi-briefing check PARAMS.yaml [...] [--fail-on-warnings]
                                              check parameters files, read no data
    foi-briefing cache where|build|clear [--extracts DIR]     the extract cache
    foi-briefing sample [--crimes N]          make a synthetic extract
    foi-briefing demo [--crimes N] [--out DIR] [--formats html,pdf]   sample, then run 20180075
    foi-briefing log list | publish REF | withdraw REF | import FOLDER [--log DIR]
                                              the disclosure log (drafts and published releases)

`run` and `demo` take `--log DIR` too: the disclosure log, by default `outputs/disclosure-log/`
(`FOI_LOG_DIR`), the synthetic extracts' own for `demo` (`helpers.disclosure.log.log_folder`).

A run executes `notebooks/request_briefing.ipynb` with papermill in a staging folder, exports the
HTML (no code) and the PDF, writes the manifest, runs the release gate, and only then moves the
staged outputs into `OUT/<reference>/` (`request.run_request`). A failed run leaves the previous
outputs as they were and says where its partial outputs are. The exit codes are
`helpers.errors.EXIT_CODES`: one failed request's kind, "several" for different kinds. Where a
request's words disagree with its figures (`helpers.request.checks`), `run` and `check` warn on
stderr; `check --fail-on-warnings` then exits as a parameters error (2).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path

from helpers.disclosure.log import LOG_ENV, log_folder
from helpers.errors import EXIT_CODES, BriefingError, RunFailure
from helpers.project import project_root
from helpers.request.checks import request_warnings
from helpers.run.batch import run_many
from helpers.run.kernels import PrivateKernel
from helpers.run.request import RunResult, read_request, run_request, start_build_for


def cli() -> None:
    """The `foi-briefing` command: `main`, then out at once. Every output is written and closed,
    the kernel and any builder are gone by then: tearing down the interpreter (its modules and
    its objects) would only add time to every run. No cyclic garbage collection meanwhile: a run
    lives seconds (a batch of several requests turns it back on, `run_many`)."""
    gc.disable()
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:  # what reads the output stopped (`| head`): nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 0
    sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if getattr(args, "log", None) and args.command in ("run", "demo"):
        # the run and its kernel find the log by the environment (`log_folder`)
        os.environ[LOG_ENV] = str(Path(args.log).resolve())
    try:
        if args.command == "log":
            return log_command(args)
        if args.command == "check":
            return check(args.params, args.profile, args.fail_on_warnings, args.extracts, args.out)
        if args.command == "profile":
            return profile_command(args)
        if args.command == "demo":
            return demo(args)
        if args.command == "cache":
            return cache(args.action, args.extracts, args.lock_fd, args.profile)
        if args.command == "classes":
            return classes_command(args.words, args.group, args.profile)
        if args.command == "sample":
            print(f"synthetic extract: {synthetic_extract(args.crimes, args.layout)}")
            if SAMPLE_LAYOUTS[args.layout][2]:
                print(f"read it with --profile {SAMPLE_LAYOUTS[args.layout][2]}")
            return 0
        results = run(args)
    except KeyboardInterrupt:
        print(
            "foi-briefing: stopped (Ctrl-C); no unfinished request was published", file=sys.stderr
        )
        return 130
    except BriefingError as error:
        print(f"foi-briefing: {error}", file=sys.stderr)
        return error.exit_code
    for result in results:
        for warning in result.warnings:
            print(f"{result.reference}: warning: {warning}", file=sys.stderr)
    if len(results) == 1:
        _report(results[0])
    else:
        for note in notes_of(results):
            print(note)
        print(summary_table(results))
    return exit_code(results)


# ---- the commands


def run(args: argparse.Namespace) -> list[RunResult]:
    """`run`: one request in a kernel started first thing, or several at once (`run_many`)."""
    formats = _formats(args.formats)
    # folders named on the command line are the user's, relative to where they are
    extracts = str(Path(args.extracts).resolve()) if args.extracts else None
    out = str(Path(args.out).resolve()) if args.out else None
    profile = str(Path(args.profile).resolve()) if args.profile else None
    paths = expand_parameter_paths(args.params)
    if not paths:
        raise RunFailure("parameters", f"no parameters files in {' '.join(args.params)}")
    if len(paths) > 1:
        return run_many(
            paths,
            extracts,
            out,
            formats,
            args.strict,
            progress=shows_progress(args.no_progress),
            workers=args.jobs,
            profile=profile,
        )
    builder = start_build_for(paths[0], extracts, out, args.strict, profile)
    with PrivateKernel(low_priority=builder is not None) as kernel:
        kernel.start()  # next: its start and imports overlap ours
        return [
            run_request(
                paths[0],
                extracts,
                out,
                formats,
                args.strict,
                progress=shows_progress(args.no_progress),
                kernel=kernel,
                builder=builder,
                profile=profile,
            )
        ]


def shows_progress(no_progress: bool) -> bool:
    """Progress bars only where someone sees them: not asked away, and a terminal to draw on (a
    scheduler's log would fill with their redrawn lines)."""
    return not no_progress and sys.stderr.isatty()


def check(
    items: list[str],
    profile: str | None = None,
    fail_on_warnings: bool = False,
    extracts: str | None = None,
    out: str | None = None,
) -> int:
    """`check`: read each parameters file (and where it would write, and its force profile), with
    `--extracts` and `--out` over the file's folders as `run` reads them; the first fault raises
    (ParameterError, ProfileError). Each file's warnings go to stderr; with `fail_on_warnings` a
    file with any fails, and the exit code is a parameters error's."""
    profile = str(Path(profile).resolve()) if profile else None
    extracts = str(Path(extracts).resolve()) if extracts else None
    out = str(Path(out).resolve()) if out else None
    failed = False
    for path in expand_parameter_paths(items):
        params = read_request(path, extracts, out, None, profile)
        warnings = request_warnings(params)
        for warning in warnings:
            print(f"{path}: warning: {warning}", file=sys.stderr)
        about = f"request {params.reference}, profile {params.profile_path.name}"
        if not warnings:
            print(f"{path}: ok ({about})")
        elif fail_on_warnings:
            failed = True
            print(
                f"{path}: failed: {_count(len(warnings), 'warning')} and --fail-on-warnings",
                file=sys.stderr,
            )
        else:
            print(f"{path}: ok, with {_count(len(warnings), 'warning')} ({about})")
    return EXIT_CODES["parameters"] if failed else 0


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def profile_command(args: argparse.Namespace) -> int:
    """`profile check FILE [--extracts DIR] [--rows N]`: the profile's keys, then what an export's
    first rows would give; exit 3 if a file or column the profile names is not in the export.
    `profile draft DIR [--out FILE]`: a draft profile of an export, printed or written to FILE."""
    from helpers.run.profile import SAMPLE_ROWS, check_profile

    if args.action == "draft":
        from helpers.run.profile_draft import DRAFT_ROWS, write_draft

        out = Path(args.out) if args.out else None
        print(write_draft(Path(args.file), out, args.rows or DRAFT_ROWS), end="")
        return 0

    extracts = Path(args.extracts) if args.extracts else None
    lines = check_profile(Path(args.file), extracts, args.rows or SAMPLE_ROWS)
    for line in lines:
        print(line)
    return EXIT_CODES["extracts"] if any(line.startswith("error:") for line in lines) else 0


def cache(
    action: str, extracts: str | None, lock_fd: int | None, profile: str | None = None
) -> int:
    """`cache where | build | clear`: the extract cache (`build` reads with `profile`)."""
    from helpers.cache import entries as extract_cache  # heavy: only this command needs it
    from helpers.extracts.profile import profile_sources

    if action == "where":
        print(extract_cache.cache_root())
    elif action == "build":
        if not extracts:
            raise RunFailure("parameters", "cache build: --extracts DIR is needed")
        if extract_cache.own_root():  # the cache's own folder, or one line and exit 2
            print(f"adopted {extract_cache.cache_root()} as the extract cache (entries only)")
        if lock_fd is not None:  # the lock claimed for us (as a run does)
            # here, not at the top: only a run's builder process comes this way
            from helpers.cache.builder import build_claimed

            build_claimed(extracts, lock_fd, profile_sources(profile))
        else:
            extract_cache.open_extract(extracts, profile_sources(profile))
        print(f"cache built for {extracts}")
    else:
        freed, kept = extract_cache.clear(tell=print)
        left = (
            f"; {kept} entr{'y' if kept == 1 else 'ies'} left: a running briefing is reading "
            f"{'it' if kept == 1 else 'them'}"
            if kept
            else ""
        )
        print(f"removed {freed / 1e6:.1f} MB from {extract_cache.cache_root()}{left}")
    return 0


def log_command(args: argparse.Namespace) -> int:
    """`log list | publish REF | withdraw REF | import FOLDER`: the disclosure log."""
    from helpers.run import log as disclosure_log  # heavy (the index page): only this command

    log = disclosure_log.opened(log_folder(args.log))
    if args.action == "list":
        print("\n".join(disclosure_log.list_lines(log)))
        return 0
    if not args.target:
        raise RunFailure("parameters", f"log {args.action}: name the request reference or folder")
    if args.action == "publish":
        record = disclosure_log.publish(log, args.target)
        print(
            f"{record.reference}: published as version {record.version} "
            f"({disclosure_log.public_folder(log, record.reference, record.version)}); "
            f"index: {disclosure_log.index_path(log)}"
        )
    elif args.action == "withdraw":
        record = disclosure_log.withdraw(log, args.target)
        print(f"{record.name}: withdrawn (it still constrains later releases: it was public)")
    else:
        record = disclosure_log.import_release(log, Path(args.target).resolve())
        print(f"{record.reference}: imported as published version {record.version}")
    return 0


#: the synthetic extract's layouts: (folder name's prefix, the file written last, its profile)
SAMPLE_LAYOUTS = {
    "cms-connect": ("synthetic-", "connect_charges.csv", None),
    "one-system": (
        "synthetic-one-system-",
        "occurrence_charges.csv",
        "profiles/examples/synthetic-one-system.yaml",
    ),
    "three-systems": (
        "synthetic-three-systems-",
        "niche_charges.csv",
        "profiles/examples/synthetic-three-systems.yaml",
    ),
}


def synthetic_extract(crimes: int, layout: str = "cms-connect") -> Path:
    """`data/synthetic-<crimes>/` (`data/synthetic-one-system-<crimes>/`): made by the project's
    own seeded generator, once for each version of it (a folder made by an older generator, whose
    figures the docs no longer quote, is written again, its files replaced)."""
    # heavy: only these commands need it
    from helpers.synthetic.generator import generate_extracts, generator_version

    prefix, last, _ = SAMPLE_LAYOUTS[layout]
    extracts = project_root() / "data" / f"{prefix}{crimes}"
    stamp, version = extracts / GENERATOR_STAMP, generator_version()
    made_by = stamp.read_text(encoding="utf-8").strip() if stamp.is_file() else None
    if not (extracts / last).exists() or made_by != version:
        again = (
            " again (made by another version of the generator)"
            if (extracts / last).exists()
            else ""
        )
        print(f"making a synthetic extract of {crimes:,} crimes in {extracts}{again} ...")
        generate_extracts(extracts, n_crimes=crimes, layout=layout)
        stamp.write_text(version + "\n", encoding="utf-8")
    return extracts


#: in a synthetic extract's folder: the version of the generator that made it
GENERATOR_STAMP = ".generator"


def demo(args: argparse.Namespace) -> int:
    """A synthetic extract made by the project's own generator, and request 20180075 run on it."""
    extracts = synthetic_extract(args.crimes)
    out = str(Path(args.out).resolve()) if args.out else None
    result = run_request(
        project_root() / "parameters" / "20180075.yaml",
        str(extracts),
        out,
        _formats(args.formats),
        progress=shows_progress(False),
    )
    _report(result)
    return EXIT_CODES[result.kind]


# ---- what the user is told


def exit_code(results: list[RunResult]) -> int:
    """0 if every request made its draft; else the failures' kind's code, or "several"'s."""
    kinds = {result.kind for result in results if not result.ok}
    if not kinds:
        return 0
    return EXIT_CODES[kinds.pop()] if len(kinds) == 1 else EXIT_CODES["several"]


def notes_of(results: list[RunResult]) -> list[str]:
    """What a batch's requests have to tell besides their outcome, each under its request's
    reference, each note once (every request of a batch finds the log its first one started)."""
    said: dict[str, str] = {}
    for result in results:
        for note in result.notes:
            said.setdefault(note, f"{result.reference}: {note}")
    return list(said.values())


def summary_table(results: list[RunResult]) -> str:
    """One line per request: reference, outcome, time, and where to look."""
    width = max(len(r.reference) for r in results)
    lines = [f"{'request':<{width}}  {'result':<10} {'seconds':>7}  outputs or reason"]
    for r in results:
        # a run's release is a draft until an officer publishes it from the disclosure log
        where = f"{r.release} ({_draft_note(r.reference)})" if r.ok else r.message
        outcome = "draft" if r.ok else f"FAILED ({EXIT_CODES[r.kind]})"
        lines.append(f"{r.reference:<{width}}  {outcome:<10} {r.seconds:7.1f}  {where}")
    return "\n".join(lines)


def _draft_note(reference: str) -> str:
    """What a run's outputs are, and how they are published."""
    return f"a draft: review it, then foi-briefing log publish {reference}"


def _report(result: RunResult) -> None:
    for note in result.notes:
        print(f"{result.reference}: {note}")
    if result.ok:
        print(
            f"{result.reference}: done in {result.seconds:.1f} s -> {result.release} "
            f"({_draft_note(result.reference)})"
        )
    else:
        print(f"{result.reference}: failed: {result.message}", file=sys.stderr)


# ---- the command line


def expand_parameter_paths(items: list[str]) -> list[Path]:
    """Parameters files named directly, and every `*.yaml` in a named folder."""
    paths: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            paths.extend(sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml")))
        else:
            paths.append(path)
    return paths


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="foi-briefing", description="FOI request briefings from the force's crime extracts."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run one or more requests")
    run.add_argument("params", nargs="+", help="parameters YAML file(s) or folder(s) of them")
    run.add_argument("--extracts", help="folder of the extract files (overrides extracts_dir)")
    run.add_argument("--out", help="output folder (overrides output_dir)")
    run.add_argument("--formats", default="html,pdf", help="html, pdf or both (default html,pdf)")
    run.add_argument(
        "--strict",
        action="store_true",
        default=None,
        help="fail on any quarantined row or open disagreement of the two reviewers",
    )
    run.add_argument("--no-progress", action="store_true", help="no progress bars")
    run.add_argument("--jobs", type=_positive, help="requests run at once (default: one per core)")
    run.add_argument("--log", help=LOG_HELP)
    run.add_argument("--profile", help=PROFILE_HELP)

    check = sub.add_parser("check", help="check parameters files without reading any data")
    check.add_argument("params", nargs="+", help="parameters YAML file(s) or folder(s) of them")
    check.add_argument("--profile", help=PROFILE_HELP)
    check.add_argument("--extracts", help="as for run: over the file's extracts_dir")
    check.add_argument("--out", help="as for run: over the file's output_dir")
    check.add_argument(
        "--fail-on-warnings",
        action="store_true",
        help="a warning (a year the request names but does not count, a received date after the "
        "extracts were taken ...) fails the check: exit 2",
    )

    profile = sub.add_parser(
        "profile", help="check a force profile (and an export against it), or draft one"
    )
    profile.add_argument("action", choices=["check", "draft"])
    profile.add_argument(
        "file",
        help="check: the force profile (YAML), e.g. profiles/cms-connect.yaml; draft: the folder "
        "of an export",
    )
    profile.add_argument("--extracts", help="check: a folder of the force's export to read")
    profile.add_argument("--out", help="draft: a new file to write the draft to (default: printed)")
    profile.add_argument(
        "--rows",
        type=_positive,
        help="the records of each file read (draft: default 5000; check: default 2000)",
    )

    cache = sub.add_parser("cache", help="the extract cache (it holds personal data)")
    cache.add_argument("action", choices=["clear", "where", "build"])
    cache.add_argument("--extracts", help="folder of extracts to build the cache for (build)")
    cache.add_argument("--profile", help="the force profile the extracts are read with (build)")
    # a run's builder: the lock it inherits
    cache.add_argument("--lock-fd", type=int, help=argparse.SUPPRESS)

    classes = sub.add_parser(
        "classes",
        help="find Home Office classes in the shipped list, as a class group to paste",
    )
    classes.add_argument(
        "words", nargs="*", help="words every title found holds (any case), or a code: 028/"
    )
    classes.add_argument("--group", help="a Home Office group of the list: Burglary, Robbery ...")
    classes.add_argument(
        "--profile",
        help="the force profile whose own class titles are searched and shown (default: "
        "profiles/cms-connect.yaml)",
    )

    sample = sub.add_parser(
        "sample", help="make a synthetic extract (for JupyterLab and trying things out)"
    )
    sample.add_argument("--crimes", type=int, default=40_000, help="size of the synthetic extract")
    sample.add_argument(
        "--layout",
        choices=list(SAMPLE_LAYOUTS),
        default="cms-connect",
        help="the force's two systems (default), one system in another layout and encoding, or "
        "three systems (a second migration)",
    )

    demo = sub.add_parser("demo", help="make a synthetic extract and brief request 20180075 on it")
    demo.add_argument("--crimes", type=int, default=40_000, help="size of the synthetic extract")
    demo.add_argument("--out", help="output folder (default outputs/)")
    demo.add_argument("--formats", default="html,pdf", help="html, pdf or both (default html,pdf)")
    demo.add_argument("--log", help="the disclosure log (default: the synthetic extracts' own)")

    log = sub.add_parser("log", help="the disclosure log: list, publish, withdraw, import")
    log.add_argument("action", choices=["list", "publish", "withdraw", "import"])
    log.add_argument("target", nargs="?", help="a request reference (publish, withdraw) or folder")
    log.add_argument("--log", help=LOG_HELP)
    return parser


PROFILE_HELP = "the force profile (default: the file's profile key, else profiles/cms-connect.yaml)"
LOG_HELP = "the disclosure log's folder (default: FOI_LOG_DIR, else outputs/disclosure-log)"


def classes_command(words: list[str], group: str | None, profile: str | None = None) -> int:
    """`classes`: the groups of the shipped class list; or the classes the words (and group)
    find, each with its title as the briefing prints it (the force profile's own, or the
    list's), then the same as a class group to paste into a request."""
    import re

    import yaml

    from helpers.extracts import ho_classes
    from helpers.extracts.profile import profile_class_titles
    from helpers.yaml_input import did_you_mean

    groups = ho_classes.class_list_groups()
    words = [word.strip() for word in words if word.strip()]
    if not words and group is None:
        for name, count in groups.items():
            print(f"{name}: {count:,} classes")
        print("foi-briefing classes --group NAME (or words of a title) lists them")
        return 0
    if group is not None and group.casefold() not in {name.casefold() for name in groups}:
        close = did_you_mean(group, set(groups))
        hint = f"; did you mean {close}?" if close else f" (its groups: {', '.join(groups)})"
        raise RunFailure(
            "parameters", f"--group: no group {group!r} in the shipped class list{hint}"
        )
    own = profile_class_titles(profile)
    found = ho_classes.find_classes(words, group, own)
    if not found:
        asked = " ".join(words)
        raise RunFailure(
            "parameters",
            f"no class of the shipped list has {asked!r} in its title or code"
            + (f" in the group {group}" if group else ""),
        )
    for row in found:
        listed = (
            f"; the force\u2019s title, the list\u2019s: {row['listed']}" if "listed" in row else ""
        )
        print(f"{row['code']}  {row['title']}  ({row['group']}{listed})")
    label = " ".join(words) if words else found[0]["group"]
    if words and all(re.fullmatch(r"[\d/\s]+", word) for word in words):  # codes: by the classes
        label = found[0]["title"].rstrip(".") if len(found) == 1 else f"classes {label}"
    name = re.sub(r"[^a-z0-9]+", "_", label.casefold()).strip("_")[:40].strip("_")
    name = name if name[:1].isalpha() else f"classes_{name}".strip("_")
    entry = {name: {"label": label.casefold(), "classes": [row["code"] for row in found]}}
    many = "class" if len(found) == 1 else "classes"
    print(f"\n# {len(found):,} {many} of the list shipped with foi-briefing: check each title")
    print("class_groups:")
    pasted = yaml.safe_dump(entry, sort_keys=False, width=96, default_flow_style=None)
    print("".join(f"  {line}" for line in pasted.splitlines(keepends=True)), end="")
    return 0


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more (got {text!r})")
    return int(text)


def _formats(text: str) -> tuple[str, ...]:
    formats = tuple(part.strip().lower() for part in text.split(",") if part.strip())
    unknown = set(formats) - {"html", "pdf"}
    if unknown or not formats:
        raise RunFailure("parameters", f"--formats: expected html, pdf or html,pdf (got {text!r})")
    return formats


if __name__ == "__main__":
    cli()
