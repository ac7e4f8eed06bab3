"""Shared fixtures for the system tests: `boot(...)` starts a Kestrel under QEMU and makes
sure it is stopped when the test ends, whatever happens."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from kestrel import Kestrel, ELF  # noqa: E402


@pytest.fixture
def boot():
    started = []

    def start(*args, **kwargs):
        k = Kestrel(*args, **kwargs)
        started.append(k)
        return k

    yield start
    for k in started:
        k.stop()


@pytest.fixture(scope="session", autouse=True)
def image_built():
    if not os.path.exists(ELF):
        pytest.exit("build/kestrel.elf is missing: run 'make' first", returncode=2)
