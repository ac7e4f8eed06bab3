/* The shared handler for a guest access to guest-physical memory it has no RAM at (SVM
 * #NPF, VMX EPT violation, after the backend's lazy-clearing check): when a device of the
 * domain's MMIO bus (vdev/mmio.h) owns the address, the instruction is fetched through the
 * guest's own paging, decoded (arch/mmio_insn.h), performed against the device and
 * stepped over; any other address crashes the domain (core's vcpu_handle_bad_gpa). An
 * instruction that cannot be fetched or that the decoder refuses also crashes the domain,
 * with its bytes in the log line: guessing at an instruction would corrupt the guest. */
#include "core/domain.h"
#include "arch/guest_walk.h"
#include "arch/mmio_insn.h"
#include "arch/vcpu_x86.h"
#include "lib/format.h"

/* The decoder's device accesses, on the domain's MMIO bus. An access the bus does not
 * claim (it straddles a range's end) reads as all ones and writes nothing, as on a PC. */
static int bus_read(void *ctx, uint64_t gpa, unsigned size, uint64_t *val)
{
    struct domain *d = ctx;
    vdev_mmio_access(&d->mmio, gpa, size, false, val);
    return 0;
}

static int bus_write(void *ctx, uint64_t gpa, unsigned size, uint64_t val)
{
    struct domain *d = ctx;
    vdev_mmio_access(&d->mmio, gpa, size, true, &val);
    return 0;
}

static const struct mmio_ops bus_ops = { bus_read, bus_write };

void vcpu_handle_npf(struct vcpu *v, uint64_t gpa, bool write)
{
    struct domain *d = v->dom;
    struct vcpu_sregs sr;
    uint8_t bytes[MMIO_INSN_MAX_LEN];
    struct mmio_insn insn;
    char hex[3 * MMIO_INSN_MAX_LEN + 1];

    if (!vdev_mmio_find(&d->mmio, gpa)) {
        vcpu_handle_bad_gpa(v, gpa, write);
        return;
    }
    arch_vcpu_get_sregs(v, &sr);
    struct guest_paging pg = { sr.cr0, sr.cr3, sr.cr4, sr.efer, d };
    uint64_t lin = v->regs.rip + (v->long_mode ? 0 : sr.cs.base);
    size_t n = guest_fetch_insn(&pg, lin, bytes);
    enum mmio_insn_mode mode = mmio_insn_mode_of(v->long_mode, sr.cr0 & 1,
                                                 (sr.cs.attr >> 10) & 1);
    enum mmio_insn_status st = mmio_insn_decode(bytes, n, mode, &insn);
    if (st != MMIO_INSN_OK) {
        mmio_insn_hex(bytes, n, hex, sizeof(hex));
        domain_crash(d, "%s of device memory at %#llx by an instruction Kestrel does not "
                     "emulate (%s: %s) at rip %#llx", write ? "write" : "read",
                     (unsigned long long)gpa, mmio_insn_status_name(st), n ? hex : "unreadable",
                     (unsigned long long)v->regs.rip);
        return;
    }
    if (mmio_insn_emulate(&insn, &v->regs, gpa, &bus_ops, d) != 0) {
        vcpu_handle_fatal(v, "device memory access failed");
        return;
    }
    arch_vcpu_advance(v, insn.len);
}
