/* Guest runtime: RDMSR and WRMSR that may fault. Each instruction runs under recover_eip,
 * so a #GP (or any exception the guest has no handler of its own for) is recorded in
 * last_trap and skipped instead of crashing the guest. */
#include "guest.h"

bool rdmsr_try(uint32_t msr, uint64_t *v)
{
    uint32_t lo = 0, hi = 0, before = last_trap.count;
    __asm__ volatile("movl $1f, recover_eip\n\trdmsr\n1:\tmovl $0, recover_eip"
                     : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
    *v = ((uint64_t)hi << 32) | lo;
    return last_trap.count == before;
}

bool wrmsr_try(uint32_t msr, uint64_t v)
{
    uint32_t before = last_trap.count;
    __asm__ volatile("movl $1f, recover_eip\n\twrmsr\n1:\tmovl $0, recover_eip"
                     :: "a"((uint32_t)v), "d"((uint32_t)(v >> 32)), "c"(msr) : "memory");
    return last_trap.count == before;
}
