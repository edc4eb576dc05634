from fengqiao.core import periodic


def test_jobs_run_when_their_interval_has_passed(monkeypatch):
    calls = []
    monkeypatch.setattr(periodic, "JOBS", {})
    periodic.register("count", 60, lambda: calls.append(1))
    assert periodic.run_due(now=100.0) == ["count"]
    assert periodic.run_due(now=130.0) == []
    assert periodic.run_due(now=161.0) == ["count"]
    assert len(calls) == 2


def test_a_failing_job_does_not_stop_the_others(monkeypatch):
    monkeypatch.setattr(periodic, "JOBS", {})
    calls = []

    def boom():
        raise RuntimeError("boom")

    periodic.register("boom", 1, boom)
    periodic.register("ok", 1, lambda: calls.append(1))
    assert periodic.run_due(now=10.0) == ["boom", "ok"]
    assert calls == [1]
