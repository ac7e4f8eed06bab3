"""A representative part of the VMX domain suite (tests/vmx, `make test-vmx`) for `make
test`: Kestrel under Bochs on an Intel CPU with VMX + EPT - boot with the VMX backend, two
domains, console switching, list, pause/unpause, destroy, a guest spinning with IF=0
beside one that prints, a triple-faulting guest contained, #UD for every VMX instruction,
and the Multiboot example kernel. The tests are
tests/vmx/test_vmx_domains.py's own, imported here so both runs check the same things."""
import os
import shutil
import sys

import pytest

VMX_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vmx")
sys.path.insert(0, VMX_DIR)

if not (shutil.which("bochs-bin") or os.path.exists("/usr/bin/bochs-bin")) \
        or not shutil.which("xorriso"):
    pytest.skip("Bochs or xorriso missing (tests/deps/vmx.txt)", allow_module_level=True)

pytestmark = pytest.mark.qemu_only("it is part of tests/vmx, which make test-vmx runs whole")

from test_vmx_domains import (  # noqa: E402,F401  (fixtures and tests, collected here)
    vmx_boot, board, example_kernel,
    test_boots_with_the_vmx_backend,
    test_two_domains_run_and_hello_gets_its_id_through_vmcall,
    test_list_shows_both_domains,
    test_console_switch_cycles_through_the_domains,
    test_pause_and_unpause,
    test_destroy,
    test_ifspin_with_if_0_does_not_stall_the_canary,
    test_triplefault_is_contained,
    test_svminsn_gets_ud_for_every_vmx_instruction,
    test_multiboot_example_kernel,
)
