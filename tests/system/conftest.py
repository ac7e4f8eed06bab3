"""Shared fixtures for the system tests: `boot(...)` starts a Kestrel and makes sure it is
stopped when the test ends, whatever happens.

The machine is QEMU TCG (AMD SVM backend) unless KESTREL_MACHINE=bochs: then `Kestrel`, for
the fixture and for every test module's `from kestrel import Kestrel`, is
tests/vmx/kestrel_bochs.py's BochsMachine, and the same tests run on Bochs (Intel VMX with
EPT; `make test-vmx`). A test or file that only QEMU can run, or that tests no domains, is
marked `qemu_only("why")` and skipped there with that reason.

Every machine a test starts is read when the test ends: an ASSERT that fired (the debug
image's "Assertion '...' failed at file:line") fails the test, whatever it checked.

Tests marked `soak` (long runs: a mebibyte through the console or the shell) are left out
of `make test`, which proves each feature with a smaller load; KESTREL_SOAK=1 (`make
soak`) runs only them."""
import os
import re
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
MACHINE = os.environ.get("KESTREL_MACHINE", "qemu")
SOAK = os.environ.get("KESTREL_SOAK", "") not in ("", "0")
if MACHINE == "bochs":
    sys.path.insert(0, os.path.join(HERE, "..", "vmx"))
    import kestrel  # noqa: E402
    from kestrel_bochs import BochsMachine  # noqa: E402
    kestrel.Kestrel = BochsMachine          # before any test module imports it
elif MACHINE != "qemu":
    raise pytest.UsageError(f"KESTREL_MACHINE={MACHINE!r}: qemu or bochs")
from kestrel import Kestrel, ELF  # noqa: E402

ASSERTION = re.compile(r"Assertion '.*' failed at \S+:\d+")
_machines = []                          # every machine started by the running test
_machine_init = Kestrel.__init__


def _recorded_init(self, *args, **kwargs):
    _machines.append(self)
    _machine_init(self, *args, **kwargs)


Kestrel.__init__ = _recorded_init


def pytest_configure(config):
    """Register the qemu_only marker."""
    config.addinivalue_line(
        "markers", "qemu_only(reason): needs QEMU or tests no domains; skipped on Bochs")
    config.addinivalue_line(
        "markers", "soak: a long run, only with KESTREL_SOAK=1 (make soak)")


def pytest_collection_modifyitems(config, items):
    """Keep the soak tests (KESTREL_SOAK=1) or everything else; on Bochs, skip every test
    marked qemu_only (on it or its module), with its reason."""
    keep = [it for it in items if bool(it.get_closest_marker("soak")) == SOAK]
    if len(keep) != len(items):
        config.hook.pytest_deselected(items=[it for it in items if it not in keep])
        items[:] = keep
    if MACHINE != "bochs":
        return
    for item in items:
        m = item.get_closest_marker("qemu_only")
        if m:
            reason = m.args[0] if m.args else m.kwargs.get("reason", "")
            item.add_marker(pytest.mark.skip(reason=f"not run on Bochs: {reason}"))


@pytest.fixture
def boot():
    """boot(...) -> a started Kestrel (the machine's); all are stopped after the test."""
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
    """Stop the session at once if build/kestrel.elf was not built."""
    if not os.path.exists(ELF):
        pytest.exit("build/kestrel.elf is missing: run 'make' first", returncode=2)


@pytest.fixture(autouse=True)
def no_assertion_fired():
    """Fail the test if any machine it started printed a failed ASSERT (debug builds)."""
    _machines.clear()
    yield
    fired = []
    for k in _machines:
        text = k.text() if hasattr(k, "text") and hasattr(k, "buf") else ""
        fired += ASSERTION.findall(text)
    _machines.clear()
    if fired:
        pytest.fail("an ASSERT fired in the hypervisor: " + "; ".join(fired), pytrace=False)
