/* A hardware virtualization backend (AMD SVM, Intel VMX): the operations behind the
 * arch_vcpu_* / arch_p2m_* interface of core/vcpu.h. Private to arch/x86: arch/x86/virt.c
 * picks the backend the CPU supports at boot and forwards to it. */
#ifndef KESTREL_ARCH_VIRT_BACKEND_H
#define KESTREL_ARCH_VIRT_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vcpu;
struct vcpu_sregs;
struct vcpu_entry;

/* Pages the boot CPU sets aside for each application processor's cpu_enable. */
#define VIRT_CPU_AREA_PAGES 2

struct virt_backend {
    const char *name;                   /* "AMD SVM with NPT" */
    const char *hypercall_insn;         /* "vmmcall" or "vmcall", for `cpuinfo` */
    /* Detect and enable on this CPU; false with a one-line reason. */
    bool (*init)(char *why, size_t whysz);
    /* Enable on an application processor, after init succeeded on the boot CPU, with the
     * VIRT_CPU_AREA_PAGES zeroed pages at area_pa set aside for it (SVM: the host-save
     * area and a host VMCB; VMX: the VMXON region); false with a one-line reason. */
    bool (*cpu_enable)(uint64_t area_pa, char *why, size_t whysz);
    int (*vcpu_create)(struct vcpu *v);
    void (*vcpu_destroy)(struct vcpu *v);
    void (*vcpu_reset)(struct vcpu *v, const struct vcpu_entry *e, uint64_t p2m_root);
    void (*vcpu_run_once)(struct vcpu *v);
    bool (*vcpu_interruptible)(struct vcpu *v);
    void (*vcpu_inject_irq)(struct vcpu *v, uint8_t vector);
    void (*vcpu_request_irq_window)(struct vcpu *v);
    void (*vcpu_get_sregs)(struct vcpu *v, struct vcpu_sregs *s);
    void (*vcpu_flush_tlb)(struct vcpu *v);
    /* Move the guest past the instruction that exited (its length as the exit gives it). */
    void (*vcpu_skip_insn)(struct vcpu *v);
    /* Move the guest past an instruction of len bytes that the hypervisor decoded itself
     * (an MMIO access: the exit gives no length), ending any STI/MOV SS shadow. */
    void (*vcpu_advance)(struct vcpu *v, unsigned len);
    void (*vcpu_inject_exception)(struct vcpu *v, uint8_t vector, bool has_err, uint32_t err);
    /* For the shared MSR handler (arch/vcpu_x86.h): EFER, which the backend keeps (0, or -1
     * for #GP), and a new TSC offset after the guest wrote the TSC or TSC_ADJUST. */
    int (*vcpu_efer)(struct vcpu *v, bool write, uint64_t *val);
    void (*vcpu_set_tsc_offset)(struct vcpu *v, uint64_t offset);
    uint64_t (*p2m_create)(void);
    int (*p2m_map)(uint64_t root, uint64_t gpa, uint64_t hpa, uint64_t size, bool large);
    /* Optional (NULL: the core clears memory itself and maps it at once): map frames that are
     * cleared on the guest's first touch, and do that clearing for one address (small: clear
     * only its 4 KiB page, for the hypervisor's own accesses). */
    int (*p2m_map_lazy)(uint64_t root, uint64_t gpa, uint64_t hpa, uint64_t size);
    bool (*p2m_fault_in)(uint64_t root, uint64_t gpa, bool small);
    uint64_t (*p2m_unmap_4k)(uint64_t root, uint64_t gpa);
    void (*p2m_destroy)(uint64_t root, void (*free_leaf)(uint64_t hpa, uint64_t size));
    uint64_t (*p2m_table_pages)(uint64_t root);
    void *(*gpa_to_hva)(uint64_t root, uint64_t gpa);
};

extern const struct virt_backend svm_backend;
extern const struct virt_backend vmx_backend;

/* Enable the backend in use on this application processor (see cpu_enable); false with a
 * reason when there is none or it cannot be. */
bool arch_virt_cpu_enable(uint64_t area_pa, char *why, size_t whysz);

/* The backend in use, or NULL before arch_virt_init succeeded. */
const struct virt_backend *virt_backend(void);

#endif
