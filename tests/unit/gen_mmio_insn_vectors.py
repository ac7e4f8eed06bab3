#!/usr/bin/python3
"""Generate tests/unit/mmio_insn_vectors.h (and its rows in tests/unit/mmio_insn_vectors/): instruction bytes with their lengths and their
meaning, from the host's GNU assembler and objdump (-M intel), for test_mmio_insn.c and
test_mmio_emul.c (through mmio_insn_test.h).

Run by hand at development time (the build never runs it):
    python3 tests/unit/gen_mmio_insn_vectors.py
It writes tests/unit/mmio_insn_vectors.h and the rows it includes, tests/unit/mmio_insn_vectors/.

Each instruction is assembled in its mode (.code64/.code32/.code16) between int3 markers and
disassembled again; the bytes and length come from the assembler, the expected meaning from
objdump's text rewritten to mmio_insn_describe's form ("mov m32, eax": the memory operand
as m<bits>, prefixes other than lock dropped, movabs as mov). Positive vectors must decode
to exactly that; the refused ones carry the status the decoder must give.
"""
import os
import re
import subprocess
import sys
import tempfile

MODES = {64: "MMIO_CODE64", 32: "MMIO_CODE32", 16: "MMIO_CODE16"}
OBJDUMP_M = {64: ["-m", "i386:x86-64", "-M", "intel"], 32: ["-m", "i386", "-M", "intel"],
             16: ["-m", "i386", "-M", "intel,i8086"]}
SIZE_PTR = {8: "BYTE PTR", 16: "WORD PTR", 32: "DWORD PTR", 64: "QWORD PTR"}

# Every addressing form of each mode (ModRM mod/rm, SIB with and without base or index,
# disp8/disp32/disp16, RIP/EIP-relative, the other address size through 0x67, segment
# overrides).
FORMS = {
    64: ["[rax]", "[rsp]", "[rbp]", "[r12]", "[r13]", "[rax+0x12]", "[rbx-0x80]",
         "[rcx+0x12345678]", "[rsp+0x10]", "[r12-0x1000]", "[rbp+rcx*2]",
         "[r13+r14*8+0x12]", "[rax+rbx*4+0x12345678]", "[rcx*8+0x1000]", "[0x12345678]",
         "[rip+0x100]", "[rip-0x12345678]", "[eax]", "[r8d+ecx*2+0x10]", "[esp]",
         "[ebp-0x8]", "fs:[rax]", "gs:[0x10]", "ds:[rsi+rdi*1]", "[rsi+riz*1]",
         "[r13+0x0]", "[rsp+rbp*1]"],
    32: ["[eax]", "[esp]", "[ebp]", "[ebp+0x12]", "[eax+0x12345678]", "[esi+edi*4]",
         "[ebp+ecx*1+0x10]", "[ecx*2+0x100]", "ds:0xfee00020", "[esp+0x7f]",
         "[bx+si]", "[bp+0x12]", "[bp+di+0x1234]", "ds:0x1234", "es:[eax]",
         "cs:[ebx+0x10]"],
    16: ["[bx+si]", "[bx+di]", "[bp+si]", "[bp+di]", "[si]", "[di]", "[bp]", "[bx]",
         "[bx+si+0x12]", "[bp+0x1234]", "[di-0x80]", "ds:0x1234", "[eax]", "[esp+0x10]",
         "[ecx*4+0x100]", "[ebp]", "[eax+0xfee00020]", "cs:[bx]", "ss:[bp+si+0x7f]"],
}
# Forms for the per-opcode vectors: the shortest and the longest.
SHORT_LONG = {64: ["[rax]", "[rax+rbx*4+0x12345678]", "[rip+0x100]"],
              32: ["[eax]", "[ebp+ecx*1+0x10]", "[bp+di+0x1234]"],
              16: ["[bx+si]", "[bp+0x1234]", "[ecx*4+0x100]"]}

REGS = {
    64: {8: ["al", "cl", "ah", "dh", "bh", "spl", "bpl", "sil", "dil", "r8b", "r9b", "r15b"],
         16: ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di", "r8w", "r13w"],
         32: ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "r8d", "r11d", "r15d"],
         64: ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r12", "r15"]},
    32: {8: ["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"],
         16: ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"],
         32: ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"]},
}
REGS[16] = REGS[32]

ALU = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"]
OPCODE_TEMPLATES = []
for op in ALU:
    OPCODE_TEMPLATES += [f"{op} {{m8}}, {{r8}}", f"{op} {{m16}}, {{r16}}",
                         f"{op} {{m32}}, {{r32}}", f"{op} {{m64}}, {{r64}}",
                         f"{op} {{r8}}, {{m8}}", f"{op} {{r16}}, {{m16}}",
                         f"{op} {{r32}}, {{m32}}", f"{op} {{r64}}, {{m64}}",
                         f"{op} {{m8}}, 0x81", f"{op} {{m16}}, 0x1234",
                         f"{op} {{m32}}, 0x12345678", f"{op} {{m64}}, 0x7fffffff",
                         f"{op} {{m64}}, -0x12345678", f"{op} {{m16}}, -3",
                         f"{op} {{m32}}, 0x7f", f"{op} {{m64}}, -0x80"]
    if op != "cmp":
        OPCODE_TEMPLATES += [f"lock {op} {{m32}}, {{r32}}", f"lock {op} {{m8}}, 1",
                             f"lock {op} {{m64}}, {{r64}}", f"lock {op} {{m16}}, -2"]
OPCODE_TEMPLATES += [
    "mov {m8}, {r8}", "mov {m16}, {r16}", "mov {m32}, {r32}", "mov {m64}, {r64}",
    "mov {r8}, {m8}", "mov {r16}, {m16}", "mov {r32}, {m32}", "mov {r64}, {m64}",
    "mov {m8}, 0x5a", "mov {m16}, 0x1234", "mov {m32}, 0x12345678", "mov {m64}, -2",
    "mov {m64}, 0x7fffffff",
    "movzx {r32}, {m8}", "movzx {r16}, {m8}", "movzx {r64}, {m8}", "movzx {r32}, {m16}",
    "movzx {r64}, {m16}", "movsx {r32}, {m8}", "movsx {r16}, {m8}", "movsx {r64}, {m8}",
    "movsx {r32}, {m16}", "movsx {r64}, {m16}", "movsxd {r64}, {m32}",
    "xchg {m8}, {r8}", "xchg {m16}, {r16}", "xchg {m32}, {r32}", "xchg {m64}, {r64}",
    "lock xchg {m32}, {r32}",
    "test {m8}, {r8}", "test {m16}, {r16}", "test {m32}, {r32}", "test {m64}, {r64}",
    "test {m8}, 0x80", "test {m16}, 0x8000", "test {m32}, 0x80000000", "test {m64}, -1",
    "bt {m16}, 15", "bt {m32}, 0x21", "bt {m64}, 0xff", "bts {m64}, 63", "bts {m16}, 1",
    "btr {m32}, 0", "btr {m64}, 0x40", "btc {m16}, 3", "btc {m32}, 31",
    "lock bts {m32}, 5", "lock btr {m64}, 7", "lock btc {m16}, 9",
    "xacquire lock add {m32}, {r32}", "xrelease lock sub {m8}, {r8}",
    "xrelease mov {m32}, {r32}", "xrelease mov {m8}, 1", "xrelease mov {m64}, {r64}",
    "xacquire xchg {m32}, {r32}", "xrelease xchg {m8}, {r8}",
]
# Templates run over every addressing form (lengths of ModRM/SIB/disp, then an immediate).
FORM_TEMPLATES = ["mov {m32}, {r32}", "mov {r8}, {m8}", "add {m16}, 0x1234",
                  "cmp {m64}, -0x12345678", "test {m8}, 0x5a", "bt {m32}, 3",
                  "movzx {r32}, {m16}", "lock xchg {m64}, {r64}"]

# Hand-encoded forms the assembler picks no other way: the moffs forms, prefix orders, REX
# voided by a later prefix, the 15-byte limit.
RAW = {
    64: ["a0 20 00 e0 fe 00 00 00 00", "a1 20 00 e0 fe 00 00 00 00",
         "a2 20 00 e0 fe 00 00 00 00", "48 a3 20 00 e0 fe 00 00 00 00",
         "66 a1 20 00 e0 fe 00 00 00 00", "67 a1 20 00 e0 fe", "67 48 a2 20 00 e0 fe",
         "41 a1 20 00 e0 fe 00 00 00 00", "44 a0 20 00 e0 fe 00 00 00 00",
         "66 48 89 00", "48 66 89 00", "40 88 20", "48 41 89 00", "4c 40 89 18",
         "f3 40 88 20", "2e 89 00", "3e 26 8b 00", "67 66 8b 04 24",
         "2e 3e 26 48 c7 84 88 78 56 34 12 ef be ad de",
         "66 66 66 66 66 66 81 84 88 78 56 34 12 ef be",
         "f0 f0 01 00", "f0 66 f0 81 00 34 12",
         "66 0f b6 00", "66 0f be 00", "66 0f b7 00", "66 0f bf 00", "48 0f bf 00",
         "0f ba 20 ff", "66 0f ba 38 11", "48 0f ba 28 41", "c6 05 00 00 00 00 ff",
         "f6 04 25 20 00 e0 fe 80"],
    32: ["a0 20 00 e0 fe", "a1 20 00 e0 fe", "a2 20 00 e0 fe", "a3 20 00 e0 fe",
         "66 a1 20 00 e0 fe", "67 a1 34 12", "67 66 a3 34 12", "82 00 05", "82 38 ff",
         "66 0f b7 00", "f3 89 00", "2e 3e 26 36 64 66 81 84 88 78 56 34 12 ef be"],
    16: ["a0 34 12", "a1 34 12", "a2 34 12", "66 a3 34 12", "67 a1 20 00 e0 fe",
         "67 66 a1 20 00 e0 fe", "82 00 05", "66 0f ba 20 21", "0f bf 07",
         "66 0f bf 07", "f0 66 09 07", "67 89 05 20 00 e0 fe", "67 c6 05 20 00 e0 fe 01"],
}

# Refused: (mode, asm or bytes, status). Bytes are hex with spaces; asm otherwise.
REFUSED = [
    (64, "movsd", "UNSUPPORTED"), (64, "rep movsb", "UNSUPPORTED"),
    (64, "stosd", "UNSUPPORTED"), (64, "lodsq", "UNSUPPORTED"),
    (64, "movdqa xmm0, XMMWORD PTR [rax]", "UNSUPPORTED"),
    (64, "movd DWORD PTR [rax], xmm1", "UNSUPPORTED"),
    (64, "vmovdqu ymm0, YMMWORD PTR [rax]", "UNSUPPORTED"),
    (64, "vmovd DWORD PTR [rax], xmm2", "UNSUPPORTED"),
    (64, "vmovdqu32 zmm0, ZMMWORD PTR [rax]", "UNSUPPORTED"),
    (64, "movnti DWORD PTR [rax], eax", "UNSUPPORTED"),
    (64, "cmpxchg DWORD PTR [rax], ecx", "UNSUPPORTED"),
    (64, "lock cmpxchg8b QWORD PTR [rax]", "UNSUPPORTED"),
    (64, "xadd DWORD PTR [rax], ecx", "UNSUPPORTED"),
    (64, "inc DWORD PTR [rax]", "UNSUPPORTED"), (64, "dec BYTE PTR [rax]", "UNSUPPORTED"),
    (64, "neg DWORD PTR [rax]", "UNSUPPORTED"), (64, "not QWORD PTR [rax]", "UNSUPPORTED"),
    (64, "mul DWORD PTR [rax]", "UNSUPPORTED"), (64, "idiv BYTE PTR [rax]", "UNSUPPORTED"),
    (64, "push QWORD PTR [rax]", "UNSUPPORTED"), (64, "pop QWORD PTR [rax]", "UNSUPPORTED"),
    (64, "mov eax, ecx", "UNSUPPORTED"), (64, "add eax, ecx", "UNSUPPORTED"),
    (64, "add eax, 5", "UNSUPPORTED"), (64, "test eax, 0x10", "UNSUPPORTED"),
    (64, "mov eax, 0x12345678", "UNSUPPORTED"),
    (64, "bt DWORD PTR [rax], eax", "UNSUPPORTED"),
    (64, "bts QWORD PTR [rax], rcx", "UNSUPPORTED"),
    (64, "lea eax, [rax+0x10]", "UNSUPPORTED"), (64, "movbe eax, DWORD PTR [rax]", "UNSUPPORTED"),
    (64, "popcnt eax, DWORD PTR [rax]", "UNSUPPORTED"),
    (64, "tzcnt eax, DWORD PTR [rax]", "UNSUPPORTED"),
    (64, "clflush BYTE PTR [rax]", "UNSUPPORTED"), (64, "call QWORD PTR [rax]", "UNSUPPORTED"),
    (64, "jmp QWORD PTR [rax]", "UNSUPPORTED"), (64, "mov ds, WORD PTR [rax]", "UNSUPPORTED"),
    (64, "mov WORD PTR [rax], ds", "UNSUPPORTED"),
    (64, "shl DWORD PTR [rax], 1", "UNSUPPORTED"), (64, "rol BYTE PTR [rax], 3", "UNSUPPORTED"),
    (64, "sete BYTE PTR [rax]", "UNSUPPORTED"), (64, "cmove eax, DWORD PTR [rax]", "UNSUPPORTED"),
    (64, "imul eax, DWORD PTR [rax], 5", "UNSUPPORTED"),
    (64, "movsx eax, cl", "UNSUPPORTED"), (64, "xchg eax, ecx", "UNSUPPORTED"),
    (64, "nop DWORD PTR [rax]", "UNSUPPORTED"), (64, "fld DWORD PTR [rax]", "UNSUPPORTED"),
    (64, "63 00", "UNSUPPORTED"),                   # MOVSXD without REX.W
    (64, "f3 0f b6 00", "UNSUPPORTED"), (64, "f2 0f bf 00", "UNSUPPORTED"),
    (64, "f2 89 00", "UNSUPPORTED"), (64, "f3 8b 00", "UNSUPPORTED"),
    (64, "f3 01 00", "UNSUPPORTED"), (64, "f2 a1 20 00 e0 fe 00 00 00 00", "UNSUPPORTED"),
    (64, "f3 f6 00 01", "UNSUPPORTED"), (64, "f7 08 01 00 00 00", "UNSUPPORTED"),
    (64, "c6 08 01", "UNSUPPORTED"), (64, "c7 f8 00 00 00 00", "UNSUPPORTED"),
    (64, "c4 e1 7a 6f 00", "UNSUPPORTED"), (64, "c5 fa 6f 00", "UNSUPPORTED"),
    (64, "62 f1 7e 48 6f 00", "UNSUPPORTED"), (64, "8f e9 78 e1 00", "UNSUPPORTED"),
    (64, "f0 89 00", "INVALID"), (64, "f0 8b 00", "INVALID"), (64, "f0 39 00", "INVALID"),
    (64, "f0 85 00", "INVALID"), (64, "f0 f6 00 01", "INVALID"), (64, "f0 03 00", "INVALID"),
    (64, "f0 0f b6 00", "INVALID"), (64, "f0 0f ba 20 01", "INVALID"),
    (64, "f0 a3 20 00 e0 fe 00 00 00 00", "INVALID"), (64, "f0 48 63 00", "INVALID"),
    (64, "f0 c7 00 01 00 00 00", "INVALID"), (64, "82 00 05", "INVALID"),
    (64, "0f ba 00 01", "INVALID"), (64, "0f ba 18 01", "INVALID"),
    (64, "2e 3e 26 2e 48 c7 84 88 78 56 34 12 ef be ad de", "INVALID"),
    (64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 89", "INVALID"),
    (32, "movsd", "UNSUPPORTED"), (32, "inc DWORD PTR [eax]", "UNSUPPORTED"),
    (32, "arpl WORD PTR [eax], ax", "UNSUPPORTED"), (32, "les eax, [eax]", "UNSUPPORTED"),
    (32, "bound eax, QWORD PTR [eax]", "UNSUPPORTED"), (32, "inc eax", "UNSUPPORTED"),
    (32, "mov eax, ecx", "UNSUPPORTED"), (32, "f0 88 00", "INVALID"),
    (32, "f0 82 38 ff", "INVALID"),
    (16, "movsw", "UNSUPPORTED"), (16, "mov ax, bx", "UNSUPPORTED"),
    (16, "les ax, [bx]", "UNSUPPORTED"), (16, "f0 8a 07", "INVALID"),
]

PREFIX_WORDS = {"ds", "cs", "es", "ss", "fs", "gs", "data16", "data32", "addr16", "addr32",
                "xrelease", "xacquire", "rep", "repz", "repnz", "repe", "repne", "bnd",
                "notrack"}


def is_hex_bytes(s):
    return re.fullmatch(r"[0-9a-f]{2}( [0-9a-f]{2})*", s) is not None


def fill(template, mode, form, pick):
    """The template with its memory operand in the given form and registers picked."""
    out = template
    for bits in (8, 16, 32, 64):
        out = out.replace(f"{{m{bits}}}", f"{SIZE_PTR[bits]} {form}")
        regs = REGS[mode].get(bits)
        if f"{{r{bits}}}" in out:
            reg = regs[pick % len(regs)]
            if reg in ("ah", "ch", "dh", "bh") and needs_rex(form):
                reg = "bl"                      # AH..BH cannot be encoded with a REX
            out = out.replace(f"{{r{bits}}}", reg)
    return out


def needs_rex(form):
    return re.search(r"\br(8|9|1[0-5])[bwd]?\b|spl|bpl|sil|dil", form) is not None


def usable(template, mode):
    if mode != 64 and ("{m64}" in template or "{r64}" in template or "movsxd" in template):
        return False
    return True


def assemble(mode, items):
    """[(text or raw hex)] -> [(bytes, objdump text)] in order, via one assembly each mode."""
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "v.s")
        with open(src, "w") as f:
            f.write(f".intel_syntax noprefix\n.code{mode}\nint3\n")
            for it in items:
                if is_hex_bytes(it):
                    f.write(".byte " + ", ".join("0x" + b for b in it.split()) + "\n")
                else:
                    f.write(it + "\n")
                f.write("int3\n")
        obj, binf = os.path.join(tmp, "v.o"), os.path.join(tmp, "v.bin")
        subprocess.run(["as", "--64", src, "-o", obj], check=True)
        subprocess.run(["objcopy", "-O", "binary", "-j", ".text", obj, binf], check=True)
        dis = subprocess.run(["objdump", "-D", "-b", "binary"] + OBJDUMP_M[mode] + [binf],
                             check=True, capture_output=True, text=True).stdout
    groups, cur, texts = [], None, []
    for line in dis.splitlines():
        m = re.match(r"\s*[0-9a-f]+:\t([0-9a-f ]+)\t?(.*)$", line)
        if not m:
            continue
        raw, text = m.group(1).split(), m.group(2).strip()
        if text == "int3" and raw == ["cc"]:
            if cur is not None:
                groups.append((bytes(cur), texts))
            cur, texts = [], []
            continue
        cur += [int(b, 16) for b in raw]
        if text:
            texts.append(text)
    if len(groups) != len(items):
        sys.exit(f"mode {mode}: {len(items)} items but {len(groups)} groups")
    return groups


def assemble_one(mode, item):
    """The bytes of one instruction (hex given as such), without disassembling them."""
    if is_hex_bytes(item):
        return bytes(int(b, 16) for b in item.split())
    with tempfile.TemporaryDirectory() as tmp:
        src, obj, binf = (os.path.join(tmp, n) for n in ("v.s", "v.o", "v.bin"))
        with open(src, "w") as f:
            f.write(f".intel_syntax noprefix\n.code{mode}\n{item}\n")
        subprocess.run(["as", "--64", src, "-o", obj], check=True)
        subprocess.run(["objcopy", "-O", "binary", "-j", ".text", obj, binf], check=True)
        with open(binf, "rb") as f:
            return f.read()


def normalize(texts, size_hint=None):
    """objdump's Intel text -> mmio_insn_describe's form."""
    words = " ".join(texts).split("#")[0].split()
    lines = [t for t in texts
             if any(w not in PREFIX_WORDS | {"lock"} and not w.startswith("rex")
                    for w in t.split("#")[0].split())]
    if len(lines) != 1:
        sys.exit(f"not one instruction: {texts}")
    lock = "lock" in words
    words = [w for w in words
             if w not in PREFIX_WORDS and w != "lock" and not w.startswith("rex")]
    mnem, rest = words[0], " ".join(words[1:])
    if mnem == "movabs":
        mnem = "mov"
    ops = [o.strip() for o in rest.split(",")]
    regbits = {}
    for bits, names in ((8, REGS[64][8] + ["r10b", "r11b", "r12b", "r13b", "r14b", "bl", "ch", "dl"]),
                        (16, REGS[64][16]), (32, REGS[64][32]), (64, REGS[64][64])):
        for n in names:
            regbits[n] = bits
    out = []
    for o in ops:
        m = re.match(r"(BYTE|WORD|DWORD|QWORD) PTR ", o)
        if m:
            out.append("m" + str({"BYTE": 8, "WORD": 16, "DWORD": 32, "QWORD": 64}[m.group(1)]))
        elif re.match(r"[a-z]s:0x[0-9a-f]+$", o):      # moffs: the register says the size
            other = [x for x in ops if x != o][0]
            out.append("m" + str(regbits[other]))
        else:
            out.append(o)
    return ("lock " if lock else "") + mnem + " " + ", ".join(out)


def c_bytes(b):
    return "{ " + ", ".join(f"0x{x:02x}" for x in b) + " }"


def main():
    pos, neg = [], []
    for mode in (64, 32, 16):
        items = []
        pick = 0
        for t in FORM_TEMPLATES:
            if "{m64}" in t and mode != 64:
                t = t.replace("{m64}", "{m32}").replace("{r64}", "{r32}")
            for form in FORMS[mode]:
                items.append(fill(t, mode, form, pick))
                pick += 1
        for t in OPCODE_TEMPLATES:
            if not usable(t, mode):
                continue
            for form in SHORT_LONG[mode]:
                items.append(fill(t, mode, form, pick))
                pick += 1
        items += RAW[mode]
        for (b, texts), src in zip(assemble(mode, items), items):
            if any("(bad)" in t for t in texts):
                sys.exit(f"objdump cannot decode {src!r}")
            pos.append((mode, b, normalize(texts), src))
        refused = [r for r in REFUSED if r[0] == mode]
        for r in refused:
            neg.append((mode, assemble_one(mode, r[1]), r[2], r[1]))
    items = [fill(t, 64, "[rdi]", 3 * i + k)
             for i, t in enumerate(OPCODE_TEMPLATES) for k in range(3)]
    native = [(b, normalize(texts), src)
              for (b, texts), src in zip(assemble(64, items), items)]
    pos_lines = [(MODES[mode], text, f"    {{ {MODES[mode]}, {len(b)}, {c_bytes(b)}, \"{text}\" }},"
                  f"  /* {src} */") for mode, b, text, src in pos]
    native_lines = [("MMIO_CODE64", text, f"    {{ MMIO_CODE64, {len(b)}, {c_bytes(b)}, \"{text}\" }},"
                     f"  /* {src} */") for b, text, src in native]
    refused_lines = []
    for mode, b, st, src in neg:
        src = src.replace("*/", "* /")
        refused_lines.append(f"    {{ {MODES[mode]}, {len(b)}, {c_bytes(b)}, MMIO_INSN_{st} }},"
                             f"  /* {src} */")
    write_split(OUT_DIR, pos_lines, native_lines, refused_lines)


# The vectors are split by instruction family (and the big families by mode) into fragments
# of one array's initializer each, so no file of them is larger than a reader can take in.
FAMILIES = [("moves", ("mov", "movsx", "movsxd", "movzx", "xchg")),
            ("arith", ("add", "adc", "sub", "sbb")),
            ("logic", ("and", "or", "xor", "cmp")),
            ("test_bt", ("test", "bt", "bts", "btr", "btc"))]
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mmio_insn_vectors")


def family(text):
    op = text.split()[1] if text.startswith("lock ") else text.split()[0]
    for name, ops in FAMILIES:
        if op in ops:
            return name
    raise SystemExit(f"no family for {text!r}")


def write_split(outdir, pos, native, refused):
    """Write outdir/<family>_<64|16_32>.inc (mmio_vectors), native_<family>.inc
    (mmio_native), refused.inc and the umbrella header mmio_insn_vectors.h beside outdir."""
    os.makedirs(outdir, exist_ok=True)
    for f in os.listdir(outdir):
        if f.endswith(".inc"):
            os.unlink(os.path.join(outdir, f))
    head = "/* Generated by tests/unit/gen_mmio_insn_vectors.py (do not edit): {}. */\n"
    parts = {"vectors": [], "native": []}
    for name, _ in FAMILIES:
        for modes, tag in ((("MMIO_CODE64",), "64"), (("MMIO_CODE32", "MMIO_CODE16"), "16_32")):
            rows = [ln for m, t, ln in pos if m in modes and family(t) == name]
            fn = f"{name}_{tag}.inc"
            with open(os.path.join(outdir, fn), "w") as out:
                out.write(head.format(f"{name}, {tag.replace('_', '/')}-bit code") + "\n".join(rows) + "\n")
            parts["vectors"].append(fn)
        rows = [ln for m, t, ln in native if family(t) == name]
        fn = f"native_{name}.inc"
        with open(os.path.join(outdir, fn), "w") as out:
            out.write(head.format(f"{name} on [rdi], for the host CPU") + "\n".join(rows) + "\n")
        parts["native"].append(fn)
    with open(os.path.join(outdir, "refused.inc"), "w") as out:
        out.write(head.format("instructions the decoder must refuse") + "\n".join(refused) + "\n")
    with open(os.path.join(os.path.dirname(outdir), "mmio_insn_vectors.h"), "w") as out:
        out.write("/* Generated by tests/unit/gen_mmio_insn_vectors.py from GNU as and objdump -M intel"
                  " (do not edit):\n * instruction bytes with the meaning objdump gives them, and"
                  " instructions the decoder must refuse;\n * the rows are in"
                  " tests/unit/mmio_insn_vectors/, one file per instruction family and mode. */\n")
        out.write("static const struct mmio_vector mmio_vectors[] __attribute__((unused)) = {\n")
        out.write("".join(f'#include "mmio_insn_vectors/{fn}"\n' for fn in parts["vectors"]))
        out.write("};\n\n/* 64-bit vectors whose memory operand is [rdi], for running on the host CPU. */\n")
        out.write("static const struct mmio_vector mmio_native[] __attribute__((unused)) = {\n")
        out.write("".join(f'#include "mmio_insn_vectors/{fn}"\n' for fn in parts["native"]))
        out.write("};\n\nstatic const struct mmio_refused mmio_refused[] __attribute__((unused)) = {\n")
        out.write('#include "mmio_insn_vectors/refused.inc"\n};\n')


if __name__ == "__main__":
    main()
