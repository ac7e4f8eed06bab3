/* Register lines in Xen's dump layout (see lib/gprs.h), so the host's panic dump and a
 * guest's `dump` read alike and are written once. */
#include "lib/gprs.h"
#include "lib/format.h"

void gprs_format(const uint64_t gpr[GPR_COUNT], gprs_line_fn emit, void *ctx)
{
    static const char *const names[GPR_R15] = {
        "rax:", "rbx:", "rcx:", "rdx:", "rsi:", "rdi:", "rbp:", "rsp:",
        "r8: ", "r9: ", "r10:", "r11:", "r12:", "r13:", "r14:",
    };
    for (int i = 0; i < GPR_R15; i += 3) {
        char line[96];
        snprintf(line, sizeof(line), "%s %016llx   %s %016llx   %s %016llx", names[i],
                 (unsigned long long)gpr[i], names[i + 1], (unsigned long long)gpr[i + 1],
                 names[i + 2], (unsigned long long)gpr[i + 2]);
        emit(ctx, line);
    }
}
