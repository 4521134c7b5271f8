"""The release gate and the manifest: nothing leaves `release/` unchecked.

check.py      check_release, check_tables, write_tables: every rule run over the release;
              check_draft: a run's draft and its copy to publish, the draft gated around its mark
readers.py    each release file (HTML/SVG, CSS, CSV, JSON, PDF) read into the `Content`
              the rules look at; a file the gate cannot read is `unreadable`
rules/        one module per leak rule (identifier, name_with_dob, copied_text, small_count,
              external_link), each stating its rule, all behind `rules.base.Rule`
sensitive.py  what the rules look for in the extracts: `Sensitive`, `FrameSensitive`,
              `ExtractSensitive` (its answers kept in the extract cache's entry for other
              processes: `helpers.cache.searches`); the search scope (the texts a run read)
report.py     `Finding` and `GateReport`: the gate's report and its serialisation
manifest.py   `release/manifest.json`
"""
