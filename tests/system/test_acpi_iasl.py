"""The domain's ACPI tables (src/core/acpi_tables.c) read by a real ACPI implementation:
ACPICA, the one Linux uses. build/firmware/dump_acpi (tests/firmware/firmware.mk) writes
each table to a file; `iasl -d` must decode every one without an error or a warning, the
decoded tables must compile back into the same bytes (so every field was understood as we
meant it), and `acpiexec`, which loads the FADT, DSDT, FACS and MADT as an OS does, must
evaluate \\_S5 to our soft-off SLP_TYP and the PCI root's _HID and _CRS, and decode each
virtio-mmio device's _CRS (its register window and level, active-high GSI) with the resource
code Linux runs. No machine is booted."""
import os
import re
import shutil
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DUMP = os.path.join(ROOT, "build", "firmware", "dump_acpi")
TABLES = ["rsdt", "xsdt", "facp", "facs", "dsdt", "apic"]

pytestmark = pytest.mark.qemu_only("boots no machine: ACPICA on host-built tables")


@pytest.fixture(scope="module")
def dump_acpi():
    if not shutil.which("iasl") or not shutil.which("acpiexec"):
        pytest.fail("acpica-tools is missing (tests/deps/firmware.txt; make deps)")
    r = subprocess.run(["make", "-s", "-C", ROOT, "build/firmware/dump_acpi"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    return DUMP


def dump(tool, d, *args):
    r = subprocess.run([tool, str(d)] + list(args), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


def iasl(d, *args):
    r = subprocess.run(["iasl"] + list(args), cwd=d, capture_output=True, text=True,
                       timeout=120)
    return r.returncode, r.stdout + r.stderr


def body(dsl):
    """The ASL from DefinitionBlock's contents on, without comments and root prefixes."""
    text = dsl.split("DefinitionBlock", 1)[1].split("\n", 1)[1]
    text = re.sub(r"//.*", "", text).replace("\\", "")
    return re.sub(r"\s+", " ", text)


CONFIGS = [[], ["--cpus", "2"], ["--cpus", "4", "--pci"], ["--cpus", "64", "--pci"],
           ["--cpus", "254", "--pci", "--power-button"], ["--gpa", "0x7ff01230"],
           ["--cpus", "2", "--virtio", "1"], ["--cpus", "4", "--pci", "--virtio", "8"],
           ["--cpus", "254", "--pci", "--power-button", "--virtio", "8"]]


def virtio_count(args):
    return int(args[args.index("--virtio") + 1]) if "--virtio" in args else 0


def check_virtio_dsl(dsl, n):
    """Each \\_SB.VRnn as the disassembler reads it: LNRO0005, _UID n, its window at
    0xFE000000 + n * 0x1000 of 0x200 bytes and GSI 16 + n, edge, active high."""
    assert dsl.count('Name (_HID, "LNRO0005")') == n
    for i in range(n):
        dev = dsl.split(f"Device (VR{i:02d})", 1)[1].split("Device (", 1)[0]
        uid = "Zero" if i == 0 else "One" if i == 1 else f"0x{i:02X}"
        assert f"Name (_UID, {uid})" in dev, dev
        assert re.search(r"Memory32Fixed \(ReadWrite,\s*0x%08X,\s*// Address Base\s*"
                         r"0x00000200," % (0xFE000000 + i * 0x1000), dev), dev
        assert "Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive, ,, )" in dev, dev
        assert re.search(r"\{\s*0x%08X,\s*\}" % (16 + i), dev), dev
    assert f"Device (VR{n:02d})" not in dsl


@pytest.mark.parametrize("args", CONFIGS, ids=lambda a: "_".join(a) or "default")
def test_iasl_decodes_and_recompiles(dump_acpi, tmp_path, args):
    dump(dump_acpi, tmp_path, *args)
    for t in TABLES:
        rc, out = iasl(tmp_path, "-d", f"{t}.dat")
        assert rc == 0, out
        assert not re.search(r"\b(Error|Warning)\b", out), out
        dsl = (tmp_path / f"{t}.dsl").read_text()
        if t == "dsdt":
            assert "Name (\\_S5, Package (0x04)" in dsl
            assert ("PNP0A03" in dsl) == ("--pci" in args)
            assert ("0xFDFFFFFF," in dsl) == ("--pci" in args)   # PCI window's end
            check_virtio_dsl(dsl, virtio_count(args))
        rc, out = iasl(tmp_path, "-p", f"re_{t}", f"{t}.dsl")
        assert rc == 0, out
        ours = (tmp_path / f"{t}.dat").read_bytes()
        again = (tmp_path / f"re_{t}.aml").read_bytes()
        # Data tables: the same bytes but iasl's compiler ID and checksum. The DSDT: iasl
        # drops the needless root prefix of \_S5 and \_SB, so compare its disassembly.
        if t == "dsdt":
            rc, out = iasl(tmp_path, "-d", "-p", "re_dsdt", "re_dsdt.aml")
            assert rc == 0, out
            assert body(dsl) == body((tmp_path / "re_dsdt.dsl").read_text())
        elif t != "facs":
            assert ours[36:] == again[36:], t
            assert ours[:9] == again[:9] and ours[10:28] == again[10:28], t


def test_acpiexec_loads_and_evaluates(dump_acpi, tmp_path):
    dump(dump_acpi, tmp_path, "--cpus", "4", "--pci")
    cmds = "evaluate \\_S5; evaluate \\_SB.PCI0._HID; evaluate \\_SB.PCI0._CRS"
    r = subprocess.run(["acpiexec", "-b", cmds, "facp.dat", "dsdt.dat", "apic.dat",
                        "facs.dat"], cwd=tmp_path, capture_output=True, text=True,
                       timeout=120)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert "1 ACPI AML tables successfully acquired and loaded" in out, out
    assert "ACPI Error" not in out and "ACPI Warning" not in out, out
    s5 = out.split("Evaluating \\_S5", 1)[1]
    ints = re.findall(r"\[Integer\] = ([0-9A-F]+)", s5)[:4]
    assert [int(x, 16) for x in ints] == [5, 5, 0, 0], s5
    assert "[Integer] = 00000000030AD041" in out           # EisaId("PNP0A03")
    assert "ACPI: FACP" in out and "ACPI: APIC" in out


def test_acpiexec_decodes_virtio_mmio_resources(dump_acpi, tmp_path):
    n = 3
    dump(dump_acpi, tmp_path, "--cpus", "2", "--pci", "--virtio", str(n))
    cmds = "; ".join([f"evaluate \\_SB.VR{i:02d}._HID; resources \\_SB.VR{i:02d}"
                      for i in range(n)])
    r = subprocess.run(["acpiexec", "-b", cmds, "facp.dat", "dsdt.dat", "apic.dat",
                        "facs.dat"], cwd=tmp_path, capture_output=True, text=True,
                       timeout=120)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert "ACPI Error" not in out and "ACPI Warning" not in out, out
    assert out.count('[String] Length 08 = "LNRO0005"') == n, out
    for i in range(n):
        dev = out.split(f"Device: \\_SB.VR{i:02d}", 1)[1].split("Device: ", 1)[0]
        fields = dict(re.findall(r"^\s*([A-Za-z][A-Za-z0-9 ]*?) : (\S+)\s*$", dev, re.M))
        assert fields["Address"] == "%08X" % (0xFE000000 + i * 0x1000), dev
        assert fields["Address Length"] == "00000200", dev
        assert fields["Write Protect"] == "ReadWrite", dev
        assert fields["Triggering"] == "Edge", dev
        assert fields["Polarity"] == "ActiveHigh", dev
        assert fields["Sharing"] == "Exclusive", dev
        assert fields["Type"] == "ResourceConsumer", dev
        assert fields["Interrupt Count"] == "01", dev
        assert fields["Dword00"] == "%08X" % (16 + i), dev
