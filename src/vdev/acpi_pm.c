/* The ACPI PM1a event/control registers, the PM timer and the reset control register
 * (see vdev/acpi_pm.h; ACPI 6.x 4.8.3, Intel PIIX4 datasheet 0xCF9). Accesses are decoded
 * a byte at a time against a snapshot of the timer taken once per access, so 1-, 2- and
 * 4-byte accesses at any offset behave as the same bytes would, and a 32-bit timer read is
 * one consistent value. Every register bit the guest writes is masked to what exists. */
#include "vdev/acpi_pm.h"

#define NS_PER_S      1000000000ull
#define EN_WRITABLE   0x4721u   /* TMR_EN, GBL_EN, PWRBTN_EN, SLPBTN_EN, RTC_EN, PCIEXP_WAKE_DIS */
#define STS_W1C       (VACPI_PM1_PWRBTN | VACPI_PM1_WAK)
#define SCI_SOURCES   (VACPI_PM1_TMR | VACPI_PM1_PWRBTN)
#define CNT_BM_RLD    (1u << 1)
#define CNT_SLP_TYP   (7u << 10)
#define RCR_KEPT      0x0au     /* SYS_RST (bit 1) and FULL_RST (bit 3) read back */
#define RCR_RST_CPU   0x04u

/* Whole timer ticks in ns nanoseconds, exact (as the PIT's: split off whole seconds). */
static uint64_t ns_to_ticks(uint64_t ns)
{
    return (ns / NS_PER_S) * VACPI_PM_TMR_HZ + (ns % NS_PER_S) * VACPI_PM_TMR_HZ / NS_PER_S;
}

/* The smallest ns with ns_to_ticks(ns) >= t, saturating. */
static uint64_t ticks_to_ns_ceil(uint64_t t)
{
    uint64_t q = t / VACPI_PM_TMR_HZ, r = t % VACPI_PM_TMR_HZ;

    if (q >= UINT64_MAX / NS_PER_S)
        return UINT64_MAX;
    return q * NS_PER_S + (r * NS_PER_S + VACPI_PM_TMR_HZ - 1) / VACPI_PM_TMR_HZ;
}

static uint64_t ticks_now(const struct vacpi_pm *pm)
{
    return pm->now_ns ? ns_to_ticks(pm->now_ns(pm->ctx)) : 0;
}

/* PM1_STS as read at timer tick count t: TMR_STS is set once bit 31 has toggled since it
 * was last cleared. */
static uint16_t status(const struct vacpi_pm *pm, uint64_t t)
{
    return (uint16_t)(pm->sts | ((t >> 31) != pm->tmr_epoch ? VACPI_PM1_TMR : 0));
}

/* Contract: see acpi_pm.h. */
void vacpi_pm_init(struct vacpi_pm *pm, uint16_t base, uint64_t (*now_ns)(void *ctx),
                   void (*poweroff)(void *ctx), void *ctx)
{
    *pm = (struct vacpi_pm){ .base = base, .now_ns = now_ns, .poweroff = poweroff, .ctx = ctx };
    pm->tmr_epoch = ticks_now(pm) >> 31;
}

/* Contract: see acpi_pm.h. */
uint32_t vacpi_pm_timer(const struct vacpi_pm *pm)
{
    return (uint32_t)ticks_now(pm);
}

/* Contract: see acpi_pm.h. */
void vacpi_pm_press_power_button(struct vacpi_pm *pm)
{
    pm->sts |= VACPI_PM1_PWRBTN;
}

/* Contract: see acpi_pm.h. */
bool vacpi_pm_sci(const struct vacpi_pm *pm)
{
    return (status(pm, ticks_now(pm)) & pm->en & SCI_SOURCES) != 0;
}

/* Contract: see acpi_pm.h. */
uint64_t vacpi_pm_next_event_ns(const struct vacpi_pm *pm)
{
    uint64_t t = ticks_now(pm);

    if (!(pm->en & VACPI_PM1_TMR) || (status(pm, t) & VACPI_PM1_TMR) ||
        pm->tmr_epoch >= (UINT64_MAX >> 31))
        return UINT64_MAX;
    return ticks_to_ns_ceil((pm->tmr_epoch + 1) << 31);
}

/* The byte at offset off of the block, at timer tick count t. */
static uint8_t read_byte(const struct vacpi_pm *pm, unsigned off, uint64_t t)
{
    switch (off) {
    case 0: case 1:
        return (uint8_t)(status(pm, t) >> (8 * off));
    case 2: case 3:
        return (uint8_t)(pm->en >> (8 * (off - 2)));
    case 4: case 5:
        return (uint8_t)((pm->cnt | VACPI_PM1_SCI_EN) >> (8 * (off - 4)));
    case 8: case 9: case 10: case 11:
        return (uint8_t)(t >> (8 * (off - 8)));
    default:
        return 0xff;            /* 6, 7: nothing there */
    }
}

/* SLP_EN written with sleep type typ. */
static void sleep_request(struct vacpi_pm *pm, unsigned typ)
{
    if (typ == VACPI_PM_SLP_TYP_S5) {
        pm->poweroffs++;
        if (pm->poweroff)
            pm->poweroff(pm->ctx);
        return;
    }
    pm->sleeps_ignored++;
    pm->sts |= VACPI_PM1_WAK;   /* "woke up" at once, so a waiting OS goes on */
}

/* Write byte b at offset off, at timer tick count t. */
static void write_byte(struct vacpi_pm *pm, unsigned off, uint8_t b, uint64_t t)
{
    unsigned shift = 8 * (off & 1);

    switch (off) {
    case 0: case 1:
        pm->sts &= (uint16_t)~((unsigned)b << shift & STS_W1C);
        if (off == 0 && (b & VACPI_PM1_TMR))
            pm->tmr_epoch = t >> 31;
        break;
    case 2: case 3:
        pm->en = (uint16_t)((pm->en & ~(0xffu << shift)) | (((unsigned)b << shift) & EN_WRITABLE));
        break;
    case 4:
        pm->cnt = (uint16_t)((pm->cnt & ~CNT_BM_RLD) | (b & CNT_BM_RLD));
        break;
    case 5:
        pm->cnt = (uint16_t)((pm->cnt & ~CNT_SLP_TYP) | (((unsigned)b << 8) & CNT_SLP_TYP));
        if ((((unsigned)b << 8) & VACPI_PM1_SLP_EN) != 0)
            sleep_request(pm, (b >> 2) & 7);
        break;
    default:
        break;                  /* the timer is read-only; 6, 7 hold nothing */
    }
}

/* Contract: vdev_read_fn over the 12-byte block. */
static uint32_t vacpi_pm_read(void *dev, uint16_t port, unsigned size)
{
    struct vacpi_pm *pm = dev;
    uint64_t t = ticks_now(pm);
    uint32_t v = 0;

    for (unsigned i = 0; i < size && i < 4; i++) {
        unsigned off = (unsigned)(uint16_t)(port - pm->base) + i;

        v |= (uint32_t)(off < VACPI_PM_LEN ? read_byte(pm, off, t) : 0xff) << (8 * i);
    }
    return v;
}

/* Contract: vdev_write_fn over the 12-byte block. */
static void vacpi_pm_write(void *dev, uint16_t port, unsigned size, uint32_t val)
{
    struct vacpi_pm *pm = dev;
    uint64_t t = ticks_now(pm);

    for (unsigned i = 0; i < size && i < 4; i++) {
        unsigned off = (unsigned)(uint16_t)(port - pm->base) + i;

        if (off < VACPI_PM_LEN)
            write_byte(pm, off, (uint8_t)(val >> (8 * i)), t);
    }
}

/* Machine reset: registers to power-on values; the counters stay (dump shows them). */
static void vacpi_pm_reset(void *dev)
{
    struct vacpi_pm *pm = dev;

    pm->sts = 0;
    pm->en = 0;
    pm->cnt = 0;
    pm->tmr_epoch = ticks_now(pm) >> 31;
}

/* Contract: vdev_dump_fn: "sts=XXXX en=XXXX cnt=XXXX tmr=XXXXXXXX off=N sleeps=N" (hex). */
static size_t vacpi_pm_dump(void *dev, char *buf, size_t len)
{
    struct vacpi_pm *pm = dev;
    uint64_t t = ticks_now(pm);
    size_t pos = vdev_put_str(buf, len, 0, "sts=");

    pos = vdev_put_hex(buf, len, pos, status(pm, t), 4);
    pos = vdev_put_str(buf, len, pos, " en=");
    pos = vdev_put_hex(buf, len, pos, pm->en, 4);
    pos = vdev_put_str(buf, len, pos, " cnt=");
    pos = vdev_put_hex(buf, len, pos, pm->cnt | VACPI_PM1_SCI_EN, 4);
    pos = vdev_put_str(buf, len, pos, " tmr=");
    pos = vdev_put_hex(buf, len, pos, (uint32_t)t, 8);
    pos = vdev_put_str(buf, len, pos, " off=");
    pos = vdev_put_hex(buf, len, pos, pm->poweroffs, 4);
    pos = vdev_put_str(buf, len, pos, " sleeps=");
    return vdev_put_hex(buf, len, pos, pm->sleeps_ignored, 4);
}

const struct vdev_ops vacpi_pm_ops = {
    .name = "acpi-pm",
    .read = vacpi_pm_read,
    .write = vacpi_pm_write,
    .reset = vacpi_pm_reset,
    .dump = vacpi_pm_dump,
};

/* Contract: see acpi_pm.h. */
void vacpi_reset_init(struct vacpi_reset *r, void (*reset)(void *ctx), void *ctx)
{
    *r = (struct vacpi_reset){ .reset = reset, .ctx = ctx };
}

/* Contract: vdev_read_fn (bytewise): the kept bits. */
static uint32_t vacpi_reset_read(void *dev, uint16_t port, unsigned size)
{
    (void)port;
    (void)size;
    return ((struct vacpi_reset *)dev)->value;
}

/* Contract: vdev_write_fn (bytewise): bit 2 resets the machine. */
static void vacpi_reset_write(void *dev, uint16_t port, unsigned size, uint32_t val)
{
    struct vacpi_reset *r = dev;

    (void)port;
    (void)size;
    r->value = (uint8_t)(val & RCR_KEPT);
    if (val & RCR_RST_CPU) {
        r->resets++;
        if (r->reset)
            r->reset(r->ctx);
    }
}

static void vacpi_reset_reset(void *dev)
{
    ((struct vacpi_reset *)dev)->value = 0;
}

/* Contract: vdev_dump_fn: "rcr=XX resets=N" (hex). */
static size_t vacpi_reset_dump(void *dev, char *buf, size_t len)
{
    struct vacpi_reset *r = dev;
    size_t pos = vdev_put_str(buf, len, 0, "rcr=");

    pos = vdev_put_hex(buf, len, pos, r->value, 2);
    pos = vdev_put_str(buf, len, pos, " resets=");
    return vdev_put_hex(buf, len, pos, r->resets, 4);
}

const struct vdev_ops vacpi_reset_ops = {
    .name = "reset-cf9",
    .read = vacpi_reset_read,
    .write = vacpi_reset_write,
    .reset = vacpi_reset_reset,
    .dump = vacpi_reset_dump,
    .bytewise = true,
};
