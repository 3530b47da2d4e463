"""Shared test setup.

Interop tests import TensorFlow with `pytest.importorskip("tensorflow")`. On a developer machine
without TensorFlow they skip; where SAVEDMODEL_REQUIRE_TF=1 (tools/test.sh sets it) such a skip
is turned into a failure, so a broken TensorFlow install can never make the interop suite vanish.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# TensorFlow is chatty on import; keep test output readable.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

FIXTURES = Path(__file__).parent / "fixtures"
REQUIRE_TF = os.environ.get("SAVEDMODEL_REQUIRE_TF") == "1"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def tf1():
    """TensorFlow building TF1 (v1) control flow (Switch/Merge, TensorArrayV3) during the test."""
    tf = pytest.importorskip("tensorflow")
    tf.compat.v1.disable_control_flow_v2()
    try:
        yield tf
    finally:
        tf.compat.v1.enable_control_flow_v2()


def _skipped_for_missing_tensorflow(report) -> bool:
    # Only a real skip from `pytest.importorskip("tensorflow")`; an expected failure (xfail) is
    # reported as "skipped" too, and must stay what it is.
    if not report.skipped or hasattr(report, "wasxfail"):
        return False
    return "could not import 'tensorflow" in str(report.longrepr)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_TF and _skipped_for_missing_tensorflow(report):
        report.outcome = "failed"
        report.longrepr = f"TensorFlow is required (SAVEDMODEL_REQUIRE_TF=1): {report.longrepr}"
