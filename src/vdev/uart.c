/* A virtual 16550A UART. The register model follows the National PC16550D datasheet; the
 * interrupt rules (THRE latch, IIR priorities, OUT2 gating) are those real drivers probe
 * for (Linux's 8250 autoconfig and its THRE test, FreeBSD's uart, GRUB, Multiboot kernels).
 * Without a real line, transmission is instantaneous and receive data arrives in bursts
 * from vuart_rx_push(); between bursts the line is idle, so the FIFO's character timeout
 * is treated as already elapsed whenever data sits below the trigger level. */
#include "vdev/uart.h"
#include "lib/string.h"

/* Register offsets from the base port. */
enum { RBR_THR = 0, IER = 1, IIR_FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

#define LCR_DLAB  0x80
#define MCR_DTR   0x01
#define MCR_RTS   0x02
#define MCR_OUT1  0x04
#define MCR_OUT2  0x08
#define MCR_LOOP  0x10
#define LSR_DR    0x01
#define LSR_OE    0x02
#define LSR_ERRS  0x1e      /* OE, PE, FE, BI: the line status interrupt sources */
#define LSR_THRE  0x20
#define LSR_TEMT  0x40
#define IER_RDI   0x01
#define IER_THRI  0x02
#define IER_RLSI  0x04
#define IER_MSI   0x08
#define FCR_ENABLE 0x01
#define FCR_CLR_RX 0x02
#define MSR_DELTAS 0x0f
#define MSR_TERI  0x04
#define MSR_RI    0x40

/* IIR interrupt identification codes, highest priority first. */
#define IIR_NONE    0x01
#define IIR_RLS     0x06
#define IIR_RDA     0x04
#define IIR_TIMEOUT 0x0c
#define IIR_THRE    0x02
#define IIR_MSI     0x00

static bool fifo_on(const struct vuart *u)
{
    return u->fcr & FCR_ENABLE;
}

/* RX trigger level from FCR bits 7:6: 1, 4, 8 or 14 bytes. */
static unsigned rx_trigger(const struct vuart *u)
{
    static const uint8_t levels[4] = { 1, 4, 8, 14 };

    return fifo_on(u) ? levels[u->fcr >> 6] : 1;
}

static unsigned rx_capacity(const struct vuart *u)
{
    return fifo_on(u) ? VUART_FIFO_SIZE : 1;
}

/* Modem status inputs as the UART sees them: in loopback, MCR's outputs wired back
 * (DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD); otherwise an attached console that is always
 * ready (CTS, DSR and DCD asserted, no ring). */
static uint8_t modem_inputs(const struct vuart *u)
{
    if (u->mcr & MCR_LOOP)
        return (uint8_t)(((u->mcr & MCR_RTS) << 3) | ((u->mcr & MCR_DTR) << 5) |
                         ((u->mcr & MCR_OUT1) << 4) | ((u->mcr & MCR_OUT2) << 4));
    return 0xb0;
}

/* Recompute MSR's status bits from the inputs and latch delta bits for what changed; RI
 * only reports its trailing edge (TERI), as the datasheet says. */
static void update_msr(struct vuart *u)
{
    uint8_t now = modem_inputs(u), old = u->msr & 0xf0, ch = now ^ old;
    uint8_t d = (uint8_t)((ch >> 4) & 0x0b);  /* DCTS, DDSR, DDCD */

    if ((old & MSR_RI) && !(now & MSR_RI))
        d |= MSR_TERI;
    u->msr = (uint8_t)(now | (u->msr & MSR_DELTAS) | d);
}

/* The highest-priority pending interrupt's IIR code (without FIFO bits), or IIR_NONE. */
static uint8_t pending_iir(const struct vuart *u)
{
    if ((u->ier & IER_RLSI) && (u->lsr & LSR_ERRS))
        return IIR_RLS;
    if ((u->ier & IER_RDI) && u->rx_count) {
        if (u->rx_count >= rx_trigger(u))
            return IIR_RDA;
        return IIR_TIMEOUT;
    }
    if ((u->ier & IER_THRI) && u->thr_ipending)
        return IIR_THRE;
    if ((u->ier & IER_MSI) && (u->msr & MSR_DELTAS))
        return IIR_MSI;
    return IIR_NONE;
}

/* Store one received byte; on a full receiver the byte is lost and OE is set (in the
 * only place bytes arrive unasked: loopback). */
static void rx_put(struct vuart *u, uint8_t b)
{
    if (u->rx_count >= rx_capacity(u)) {
        u->lsr |= LSR_OE;
        return;
    }
    u->rx[(u->rx_head + u->rx_count) % VUART_FIFO_SIZE] = b;
    u->rx_count++;
}

static void rx_clear(struct vuart *u)
{
    u->rx_head = 0;
    u->rx_count = 0;
}

/* Contract: see uart.h. Reset values from the datasheet's reset table; the divisor is set
 * to 1 because no BIOS runs before our guests and drivers that derive the baud rate from
 * the divisor must not divide by zero. */
static void vuart_reset(void *dev)
{
    struct vuart *u = dev;

    rx_clear(u);
    u->ier = 0;
    u->lcr = 0;
    u->mcr = 0;
    u->lsr = LSR_THRE | LSR_TEMT;
    u->scr = 0;
    u->dll = 1;
    u->dlm = 0;
    u->fcr = 0;
    u->thr_ipending = false;
    u->msr = modem_inputs(u);       /* no deltas at reset */
}

void vuart_init(struct vuart *u, void (*tx)(void *ctx, uint8_t byte), void *ctx)
{
    memset(u, 0, sizeof(*u));
    u->tx = tx;
    u->ctx = ctx;
    vuart_reset(u);
}

/* Contract: see uart.h. */
size_t vuart_rx_room(const struct vuart *u)
{
    unsigned cap = rx_capacity(u);

    return u->rx_count < cap ? cap - u->rx_count : 0;
}

/* Contract: see uart.h. In loopback the receiver is disconnected from the line, so
 * nothing is taken. */
size_t vuart_rx_push(struct vuart *u, const uint8_t *bytes, size_t n)
{
    size_t room, i;

    if (u->mcr & MCR_LOOP)
        return 0;
    room = vuart_rx_room(u);
    if (n > room)
        n = room;
    for (i = 0; i < n; i++)
        rx_put(u, bytes[i]);
    return n;
}

/* Contract: see uart.h. */
bool vuart_irq_line(const struct vuart *u)
{
    return (u->mcr & MCR_OUT2) && !(u->mcr & MCR_LOOP) && pending_iir(u) != IIR_NONE;
}

/* A byte written to THR: out on the line (or back into RX in loopback), after which THR is
 * empty again, so the THRE interrupt is latched anew (writing THR cleared the old one). */
static void write_thr(struct vuart *u, uint8_t b)
{
    u->thr_ipending = false;
    if (u->mcr & MCR_LOOP)
        rx_put(u, b);
    else if (u->tx)
        u->tx(u->ctx, b);
    u->thr_ipending = true;
}

/* FCR: FIFO enable changes clear both FIFOs; the other bits only take with bit 0 set. */
static void write_fcr(struct vuart *u, uint8_t v)
{
    if ((v ^ u->fcr) & FCR_ENABLE)
        rx_clear(u);
    if (!(v & FCR_ENABLE)) {
        u->fcr = 0;
        return;
    }
    if (v & FCR_CLR_RX)
        rx_clear(u);
    /* clearing TX has nothing to do: the transmitter is always empty */
    u->fcr = (uint8_t)(v & 0xc9);   /* enable, DMA mode, trigger level */
}

/* Contract: vdev_write_fn; only the low byte of val and the port's offset count. */
static void vuart_write(void *dev, uint16_t port, unsigned size, uint32_t val)
{
    struct vuart *u = dev;
    uint8_t v = (uint8_t)val;

    (void)size;
    switch (port & 7) {
    case RBR_THR:
        if (u->lcr & LCR_DLAB)
            u->dll = v;
        else
            write_thr(u, v);
        break;
    case IER:
        if (u->lcr & LCR_DLAB) {
            u->dlm = v;
            break;
        }
        /* enabling THRI while THR is empty raises the interrupt, as on a real 16550 */
        if ((v & IER_THRI) && !(u->ier & IER_THRI))
            u->thr_ipending = true;
        u->ier = v & 0x0f;
        break;
    case IIR_FCR:
        write_fcr(u, v);
        break;
    case LCR:
        u->lcr = v;
        break;
    case MCR:
        u->mcr = v & 0x1f;
        update_msr(u);
        break;
    case LSR:
    case MSR:
        break;                      /* read-only (factory test registers) */
    case SCR:
        u->scr = v;
        break;
    }
}

/* Reading RBR: the oldest byte, or the last one again if empty (as the chip's holding
 * register does, harmlessly). */
static uint8_t read_rbr(struct vuart *u)
{
    uint8_t b = u->rx[u->rx_head];

    if (u->rx_count) {
        u->rx_head = (uint8_t)((u->rx_head + 1) % VUART_FIFO_SIZE);
        u->rx_count--;
    }
    return b;
}

/* Contract: vdev_read_fn; side effects as the datasheet: IIR read clears a reported THRE
 * interrupt, LSR read clears the error bits, MSR read clears the delta bits. */
static uint32_t vuart_read(void *dev, uint16_t port, unsigned size)
{
    struct vuart *u = dev;
    uint8_t v = 0;

    (void)size;
    switch (port & 7) {
    case RBR_THR:
        v = (u->lcr & LCR_DLAB) ? u->dll : read_rbr(u);
        break;
    case IER:
        v = (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
        break;
    case IIR_FCR:
        v = pending_iir(u);
        if (v == IIR_THRE)
            u->thr_ipending = false;
        if (fifo_on(u))
            v |= 0xc0;
        break;
    case LCR:
        v = u->lcr;
        break;
    case MCR:
        v = u->mcr;
        break;
    case LSR:
        v = (uint8_t)(u->lsr | LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0));
        u->lsr &= (uint8_t)~LSR_ERRS;
        break;
    case MSR:
        update_msr(u);
        v = u->msr;
        u->msr &= 0xf0;
        break;
    case SCR:
        v = u->scr;
        break;
    }
    return v;
}

/* Contract: see uart.h. */
bool vuart_fast_io(struct vuart *u, uint16_t port, bool in, uint32_t *val)
{
    if (in && (port & 7) == LSR && !(u->lsr & LSR_ERRS)) {
        *val = vuart_read(u, port, 1);
        return true;
    }
    /* A THR write leaves the THRE interrupt latched, as it found it when it was latched
     * already (the interrupt-driven output's second and later bytes) or when disabled. */
    if (!in && (port & 7) == RBR_THR && !(u->lcr & LCR_DLAB) && !(u->mcr & MCR_LOOP) &&
        (!(u->ier & IER_THRI) || u->thr_ipending)) {
        write_thr(u, (uint8_t)*val);
        return true;
    }
    return false;
}

/* Contract: vdev_dump_fn. */
static size_t vuart_dump(void *dev, char *buf, size_t len)
{
    struct vuart *u = dev;
    static const char *const names[] = { "ier", " lcr", " mcr", " lsr", " msr", " fcr", " dl" };
    uint8_t lsr = (uint8_t)(u->lsr | LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0));
    const unsigned vals[] = { u->ier, u->lcr, u->mcr, lsr, u->msr, u->fcr,
                              (unsigned)u->dlm << 8 | u->dll };
    size_t pos = 0;
    unsigned i;

    for (i = 0; i < 7; i++) {
        pos = vdev_put_str(buf, len, pos, names[i]);
        pos = vdev_put_str(buf, len, pos, "=");
        pos = vdev_put_hex(buf, len, pos, vals[i], i == 6 ? 4 : 2);
    }
    pos = vdev_put_str(buf, len, pos, " rx=");
    pos = vdev_put_hex(buf, len, pos, u->rx_count, 2);
    pos = vdev_put_str(buf, len, pos, vuart_irq_line(u) ? " irq" : "");
    return pos;
}

const struct vdev_ops vuart_ops = {
    .name = "uart16550",
    .read = vuart_read,
    .write = vuart_write,
    .reset = vuart_reset,
    .dump = vuart_dump,
    .bytewise = true,
};
