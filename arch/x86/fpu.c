/* Per-vCPU extended register state (see arch/fpu.h). The registers belong to one vCPU at a
 * time (owner); a switch saves the owner's image and loads the next one's, with XCR0 set to
 * every component the CPU supports while doing so, so nothing of one guest (AVX upper
 * halves included) can survive into another whatever either set its XCR0 to. The host keeps
 * CR4.OSXSAVE set (as Xen does) so that XSAVE, XRSTOR, XSETBV and XGETBV work; its own code
 * uses no extended state. */
#include "arch/fpu.h"
#include "arch/cpu.h"
#include "arch/processor.h"
#include "mm/frame.h"
#include "lib/string.h"


static bool has_xsave;
static uint64_t xcr0_all;          /* every component this CPU can save */
static uint32_t area_size;         /* bytes of an image with all of them */
static struct fpu_state *owner;    /* whose state (and XCR0) the CPU holds; NULL: nobody's */

void fpu_init(void)
{
    has_xsave = (cpuid(1, 0).ecx >> 26) & 1;
    area_size = 512;
    if (has_xsave) {
        struct cpuid_regs d = cpuid(0xD, 0);
        xcr0_all = d.eax | ((uint64_t)d.edx << 32);
        area_size = d.ecx > 576 ? d.ecx : 576;    /* legacy area + XSAVE header at least */
    }
    /* FXSAVE/FXRSTOR and SSE state need OSFXSR; the host itself never runs SSE code. */
    write_cr4(read_cr4() | CR4_OSFXSR | (has_xsave ? CR4_OSXSAVE : 0));
}

bool fpu_has_xsave(void)
{
    return has_xsave;
}

/* Frames one vCPU's image takes. */
static size_t area_frames(void)
{
    return (area_size + FRAME_SIZE - 1) / FRAME_SIZE;
}

static void set_xcr0(uint64_t val)
{
    __asm__ volatile("xsetbv" :: "c"(0), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)));
}

static uint64_t get_xcr0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return lo | ((uint64_t)hi << 32);
}

void fpu_state_reset(struct fpu_state *f)
{
    if (owner == f)
        owner = NULL;               /* the registers no longer hold f's state */
    memset(f->area, 0, area_frames() * FRAME_SIZE);
    uint8_t *a = f->area;
    a[0] = 0x7f;                    /* FCW 0x037F */
    a[1] = 0x03;
    uint32_t mxcsr = 0x1f80;        /* XSTATE_BV = 0: everything else is its init state */
    memcpy(a + 24, &mxcsr, 4);
    f->xcr0 = 1;
}

int fpu_state_init(struct fpu_state *f)
{
    uint64_t pa = frame_alloc_contig(area_frames(), 1);
    if (!pa)
        return -1;
    f->area = frame_virt(pa);
    f->area_pa = pa;
    fpu_state_reset(f);
    return 0;
}

void fpu_state_free(struct fpu_state *f)
{
    if (owner == f)
        owner = NULL;
    if (f->area) {
        frame_free_contig(f->area_pa, area_frames());
        f->area = NULL;
    }
}

/* Contract in the header. While a vCPU owns the CPU, the real XCR0 is its XCR0 (a guest
 * XSETBV that exits goes through fpu_xsetbv; one that does not exit, as under emulators
 * that ignore SVM's intercept, changes it directly), so it is read back only when the
 * owner changes: nothing is added to an ordinary exit. */
void fpu_enter(struct fpu_state *f)
{
    if (owner == f)
        return;
    if (!has_xsave) {
        if (owner)
            __asm__ volatile("fxsaveq (%0)" :: "r"(owner->area) : "memory");
        __asm__ volatile("fxrstorq (%0)" :: "r"(f->area) : "memory");
        owner = f;
        return;
    }
    uint32_t lo = (uint32_t)xcr0_all, hi = (uint32_t)(xcr0_all >> 32);
    if (owner)
        owner->xcr0 = get_xcr0();
    set_xcr0(xcr0_all);
    if (owner)
        __asm__ volatile("xsaveq (%0)" :: "r"(owner->area), "a"(lo), "d"(hi) : "memory");
    __asm__ volatile("xrstorq (%0)" :: "r"(f->area), "a"(lo), "d"(hi) : "memory");
    set_xcr0(f->xcr0);
    owner = f;
}

/* Contract in the header. */
uint64_t fpu_guest_xcr0(const struct fpu_state *f)
{
    return owner == f && has_xsave ? get_xcr0() : f->xcr0;
}

/* Would XSETBV with XCR0 = val be accepted: every rule of the SDM's #GP list, against what
 * this CPU supports? */
static bool xcr0_valid(uint64_t val)
{
    uint64_t avx512 = val & (7ULL << 5);
    return has_xsave && (val & 1) && !(val & ~xcr0_all) &&     /* x87 on, known bits */
           (!(val & 4) || (val & 2)) &&                         /* AVX needs SSE */
           ((val >> 3) & 1) == ((val >> 4) & 1) &&              /* MPX: both or neither */
           (!avx512 || (avx512 == 7ULL << 5 && (val & 4))) &&   /* AVX-512: all, on AVX */
           ((val >> 17) & 1) == ((val >> 18) & 1);              /* AMX: both or neither */
}

/* Contract in the header. */
int fpu_xsetbv(struct fpu_state *f, uint64_t guest_cr4, uint32_t xcr, uint64_t val)
{
    if (!(guest_cr4 & CR4_OSXSAVE))
        return 6;
    if (xcr != 0 || !xcr0_valid(val))
        return 13;
    f->xcr0 = val;
    if (owner == f)
        set_xcr0(val);
    return 0;
}
