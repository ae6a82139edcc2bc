"""The CI policy: a missing prerequisite skips on a laptop and fails in CI."""
from __future__ import annotations

import pytest

from tests.harness import prerequisites

pytestmark = pytest.mark.static  # no engine needed: part of the fast loop


@pytest.fixture
def engine_down(monkeypatch):
    monkeypatch.setattr(prerequisites, 'missing', lambda tier: 'the Docker engine is not answering')


def test_a_laptop_skips_with_the_reason(engine_down, monkeypatch):
    monkeypatch.delenv('CI', raising=False)
    with pytest.raises(pytest.skip.Exception, match='docker tier: the Docker engine is not answering'):
        prerequisites.require('docker')


def test_ci_fails_with_the_reason(engine_down, monkeypatch):
    monkeypatch.setenv('CI', 'true')
    with pytest.raises(pytest.fail.Exception, match='docker tier: the Docker engine is not answering .CI=true'):
        prerequisites.require('docker')


def test_a_tier_without_prerequisites_is_an_error():
    with pytest.raises(ValueError, match='unknown tier'):
        prerequisites.missing('static')
