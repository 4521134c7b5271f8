"""The charts drawn in a process beside the kernel: the same bytes as drawn in it, and the kernel
draws them itself whenever the process cannot."""

import pandas as pd
import pytest
from test_answers import Info, by_year

from helpers.briefing import answers, chart_worker, charts


@pytest.fixture
def worker():
    chart_worker.start()
    yield chart_worker
    chart_worker.stop()


def job(values=("456", "<5", "346"), total="[c]"):
    return answers.chart_job(Info(), by_year(list(values), total))


def test_a_chart_drawn_beside_is_the_chart_drawn_here_byte_for_byte(worker, monkeypatch):
    jobs = [job(), job(("1,234", "5", "17"), "1,256")]
    here = [chart_worker.chart_svg(j) for j in jobs]
    worker.submit(jobs)
    # the kernel cannot draw now: what `drawn` gives came from the other process
    monkeypatch.setattr(charts, "bar_chart", lambda *_: pytest.fail("drawn in the kernel"))
    assert [worker.take(j) for j in reversed(jobs)] == here[::-1]
    assert worker._worker is not None and worker._worker.process.poll() is None


def test_the_figure_in_the_briefing_is_the_one_drawn_beside(worker):
    display = by_year(["456", "<5", "346"], "[c]")
    drawn_here = answers.time_figure(Info(), display, 1)
    worker.submit([answers.chart_job(Info(), display)])
    assert answers.time_figure(Info(), display, 1) == drawn_here
    assert worker._worker is not None and not worker._worker._numbers  # its answer was read


def test_a_chart_not_asked_for_or_from_a_stopped_process_is_drawn_here(worker):
    assert worker.take(job()) is None  # never submitted
    worker.submit([job()])
    worker._worker.process.kill()
    assert worker.take(job()) is None and worker._worker is None
    worker.submit([job()])  # no process: nothing is sent, nothing fails
    assert worker.take(job()) is None


def test_a_slow_process_is_given_up_on(worker, monkeypatch):
    monkeypatch.setattr(chart_worker, "WAIT_SECONDS", 0.0)
    worker.submit([job()])
    assert worker.take(job()) is None and worker._worker is None


def test_a_chart_the_process_cannot_draw_is_drawn_here_and_its_fault_reported_here(worker):
    bad = chart_worker.ChartJob(labels=("2016",), shown=("1", "2"), ylabel="Offences")  # one label, two bars
    worker.submit([bad, job()])
    assert worker.take(bad) is None
    assert worker.take(job()) == chart_worker.chart_svg(job())  # the process goes on
    with pytest.raises(ValueError):
        chart_worker.chart_svg(bad)


def test_the_job_is_what_the_table_shows():
    display = pd.DataFrame({"Offences": ["1,234", "<5", "1,238"]}, index=pd.Index(["2016", "2017", "Total"], name="Year"))
    assert answers.chart_job(Info(), display) == chart_worker.ChartJob(("2016", "2017"), ("1,234", "<5"), "Offences")


def test_the_process_is_started_before_counting_for_a_request_of_two_charts_or_more(monkeypatch):
    from helpers.project import project_root
    from helpers.request import measures, steps
    from helpers.request.parameters import read_parameters

    started = []
    monkeypatch.setattr(chart_worker, "start", lambda: started.append(True))
    monkeypatch.setattr(steps, "answer_tables", lambda params, extract: [])
    charts = {}
    for path in [project_root() / "parameters" / "20180075.yaml", *sorted((project_root() / "parameters" / "examples").glob("*.yaml"))]:
        params = read_parameters(path)
        started.clear()
        steps.answer(params, None)
        grammar = steps.in_grammar(params) if params.has_legacy else params
        own = [t for t in grammar.tables if not (params.has_legacy and t.name in steps.TODAYS_TABLES)]
        charts[path.stem] = sum(measures.drawn(grammar, table) for table in own)
        assert started == ([True] if charts[path.stem] >= 2 else []), path.stem
    assert charts["20180075"] == 0 and max(charts.values()) >= 2


def test_the_charts_handed_over_are_the_answer_tables_with_a_chart(monkeypatch):
    from types import SimpleNamespace

    from helpers.request import steps

    handed = []
    monkeypatch.setattr(chart_worker, "submit", lambda jobs: handed.extend(jobs))
    display = by_year(["456", "<5", "346"], "[c]")
    released = SimpleNamespace(
        answers={"a": Info(name="a"), "b": Info(name="b", chart=False)}, tables={"a": display, "b": display}
    )
    steps.draw_charts_beside(released)
    assert handed == [answers.chart_job(Info(), display)]


def test_a_process_that_died_before_it_was_handed_the_charts_fails_nothing(worker):
    worker._worker.process.kill()
    worker._worker.process.wait()
    worker.submit([job()])  # the pipe is broken: nothing is raised
    assert worker.take(job()) is None


def test_many_long_jobs_never_block_the_kernel_and_each_svg_is_its_own_job_s(worker):
    """Forty monthly charts of ten years: far more than a pipe holds either way."""
    months = [f"M{i}" for i in range(120)]
    jobs = [chart_worker.ChartJob(tuple(months), tuple(str(k + i) for i in range(120)), "Offences") for k in range(40)]
    worker.submit(jobs)  # returns at once, however full the pipes
    for k in (39, 0, 17):
        assert worker.take(jobs[k]) == chart_worker.chart_svg(jobs[k])


def test_the_same_bytes_whatever_the_kernel_s_matplotlib_style(worker):
    import matplotlib

    worker.submit([job()])
    with matplotlib.rc_context({"font.size": 12, "savefig.pad_inches": 0.5, "axes.linewidth": 3}):
        here = chart_worker.chart_svg(job())
    assert worker.take(job()) == here


def test_a_batch_s_kernels_which_share_the_cores_draw_their_charts_themselves(monkeypatch):
    from helpers.run.kernels import KernelPool

    assert [k.charts_in_kernel for k in KernelPool(2).kernels] == [True, True]
    assert [k.charts_in_kernel for k in KernelPool(1).kernels] == [False]
    monkeypatch.setenv(chart_worker.IN_KERNEL, "1")
    chart_worker.start()
    assert chart_worker._worker is None


def test_a_request_of_today_s_shape_with_one_chart_of_its_own_starts_no_process(monkeypatch, tmp_path):
    """Today's four tables are drawn by the first request's own chart, not handed over: only the
    request's own tables' charts count towards the two the process is started for."""
    import yaml

    from helpers.project import project_root
    from helpers.request import steps
    from helpers.request.parameters import read_parameters

    started = []
    monkeypatch.setattr(chart_worker, "start", lambda: started.append(True))
    monkeypatch.setattr(steps, "answer_tables", lambda params, extract: [])
    values = yaml.safe_load((project_root() / "parameters" / "20180075.yaml").read_text(encoding="utf-8"))
    values["measures"] = {"grooming": {"count": "offences", "label": "offences", "classes": ["088/01"], "period": {"last_years": 3}}}
    values["tables"] = [{"name": "grooming_by_month", "question": 1, "title": "Offences by month", "measure": "grooming", "rows": "month"}]
    path = tmp_path / "one-chart.yaml"
    path.write_text(yaml.safe_dump(values), encoding="utf-8")
    steps.answer(read_parameters(path), None)
    assert started == []
    values["tables"].append({"name": "grooming_by_quarter", "question": 1, "title": "By quarter", "measure": "grooming", "rows": "quarter", "chart": True})
    path.write_text(yaml.safe_dump(values), encoding="utf-8")
    steps.answer(read_parameters(path), None)
    assert started == [True]


def test_a_process_left_idle_ends_itself_and_the_next_request_starts_another(monkeypatch):
    """An analyst's JupyterLab kernel stays open for hours after one briefing: its chart process
    ended only with the kernel, holding matplotlib's memory the whole time."""
    import time

    monkeypatch.setattr(chart_worker, "IDLE_SECONDS", 0.5, raising=False)
    chart_worker.start()
    try:
        first = chart_worker._worker.process
        chart_worker.submit([job()])
        assert chart_worker.take(job()) == chart_worker.chart_svg(job())  # a job, then idle
        deadline = time.monotonic() + 20
        while first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert first.poll() == 0
        chart_worker.start()  # the next request's
        assert chart_worker._worker.process is not first
        chart_worker.submit([job(("1", "2", "3"))])
        assert chart_worker.take(job(("1", "2", "3"))) == chart_worker.chart_svg(job(("1", "2", "3")))
    finally:
        chart_worker.stop()


def test_the_process_loads_no_pandas():
    """The process starts as the kernel counts, and its start is on the ten tables' critical
    path: pandas, which it never uses, took a third of its imports (0.24 s of 0.66)."""
    import subprocess
    import sys

    from helpers.project import own_python_environment

    loaded = subprocess.run(
        [sys.executable, "-P", "-c", "import sys, helpers.briefing.chart_worker as w; w.chart_svg(w.ChartJob(('a', 'b'), ('1', '<5'), 'Offences')); print('pandas' in sys.modules)"],
        capture_output=True, text=True, env=own_python_environment(), check=True,
    )
    assert loaded.stdout.strip() == "False"
