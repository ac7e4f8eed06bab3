/* Choosing the virtualization backend at boot: each known backend is asked in turn to
 * enable itself on this CPU; the first that can is used for every vCPU and guest memory
 * map, through the arch_* interface of core/vcpu.h. The same image thus runs on AMD (SVM)
 * and Intel (VMX) machines. */
#include "core/vcpu.h"
#include "arch/virt_backend.h"
#include "arch/fpu.h"
#include "arch/vcpu_x86.h"
#include "lib/format.h"
#include "lib/string.h"

static const struct virt_backend *const backends[] = {
    &svm_backend,
    &vmx_backend,
};

static const struct virt_backend *active;

const struct virt_backend *virt_backend(void)
{
    return active;
}

bool arch_virt_init(char *why, size_t whysz)
{
    size_t pos = 0;
    why[0] = '\0';
    fpu_init();
    vcpu_model_init();
    for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
        char reason[96];
        if (backends[i]->init(reason, sizeof(reason))) {
            active = backends[i];
            return true;
        }
        /* Collect every backend's reason: "this CPU has no AMD SVM; ..." */
        int n = snprintf(why + pos, whysz - pos, "%s%s", pos ? "; " : "", reason);
        if (n > 0)
            pos += (size_t)n < whysz - pos ? (size_t)n : whysz - pos - 1;
    }
    return false;
}

bool arch_virt_cpu_enable(uint64_t area_pa, char *why, size_t whysz)
{
    if (!active) {
        snprintf(why, whysz, "no virtualization backend");
        return false;
    }
    return active->cpu_enable(area_pa, why, whysz);
}

const char *arch_virt_name(void)
{
    return active ? active->name : "none";
}

int arch_vcpu_create(struct vcpu *v) { return active->vcpu_create(v); }
void arch_vcpu_destroy(struct vcpu *v) { active->vcpu_destroy(v); }
void arch_vcpu_reset(struct vcpu *v, const struct vcpu_entry *e, uint64_t p2m_root)
{
    active->vcpu_reset(v, e, p2m_root);
}
void arch_vcpu_run_once(struct vcpu *v) { active->vcpu_run_once(v); }
bool arch_vcpu_interruptible(struct vcpu *v) { return active->vcpu_interruptible(v); }
void arch_vcpu_inject_irq(struct vcpu *v, uint8_t vector) { active->vcpu_inject_irq(v, vector); }
void arch_vcpu_request_irq_window(struct vcpu *v) { active->vcpu_request_irq_window(v); }
void arch_vcpu_get_sregs(struct vcpu *v, struct vcpu_sregs *s) { active->vcpu_get_sregs(v, s); }
void arch_vcpu_flush_tlb(struct vcpu *v) { active->vcpu_flush_tlb(v); }
void arch_vcpu_skip_insn(struct vcpu *v) { active->vcpu_skip_insn(v); }
void arch_vcpu_advance(struct vcpu *v, unsigned len) { active->vcpu_advance(v, len); }
void arch_vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_err, uint32_t err)
{
    active->vcpu_inject_exception(v, vector, has_err, err);
}
uint64_t arch_p2m_create(void) { return active->p2m_create(); }
int arch_p2m_map(uint64_t root, uint64_t gpa, uint64_t hpa, uint64_t size, bool large)
{
    return active->p2m_map(root, gpa, hpa, size, large);
}
uint64_t arch_p2m_unmap_4k(uint64_t root, uint64_t gpa) { return active->p2m_unmap_4k(root, gpa); }
int arch_p2m_map_lazy(uint64_t root, uint64_t gpa, uint64_t hpa, uint64_t size)
{
    return active->p2m_map_lazy ? active->p2m_map_lazy(root, gpa, hpa, size) : -1;
}
bool arch_p2m_fault_in(uint64_t root, uint64_t gpa)
{
    return active->p2m_fault_in && active->p2m_fault_in(root, gpa, true);
}
void arch_p2m_destroy(uint64_t root, void (*free_leaf)(uint64_t hpa, uint64_t size))
{
    active->p2m_destroy(root, free_leaf);
}
uint64_t arch_p2m_table_pages(uint64_t root) { return active->p2m_table_pages(root); }
void *arch_gpa_to_hva(uint64_t root, uint64_t gpa) { return active->gpa_to_hva(root, gpa); }
