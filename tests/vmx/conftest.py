"""Fixtures for the VMX system tests: `boot(...)` starts a Kestrel under Bochs (Intel VMX
with EPT) and makes sure it is stopped when the test ends, whatever happens."""
import os
import shutil
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from kestrel_bochs import KestrelBochs, ELF, BOCHS  # noqa: E402


@pytest.fixture
def boot():
    started = []

    def start(*args, **kwargs):
        k = KestrelBochs(*args, **kwargs)
        started.append(k)
        return k

    yield start
    for k in started:
        k.stop()


@pytest.fixture(scope="session", autouse=True)
def vmx_prerequisites():
    if not os.path.exists(ELF):
        pytest.exit("build/kestrel.elf is missing: run 'make' first", returncode=2)
    for tool in (BOCHS, shutil.which("xorriso"), "/usr/lib/ISOLINUX/isolinux.bin"):
        if not tool or not os.path.exists(tool):
            pytest.exit(f"{tool or 'xorriso'} is missing: install tests/deps/vmx.txt",
                        returncode=2)
