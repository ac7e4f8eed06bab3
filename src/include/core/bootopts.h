/* The hypervisor's boot command line, in Xen's syntax (console=, com1=, conswitch=,
 * conring_size=, loglvl=, ...). Parsing never fails as a whole: a bad or unknown option is
 * reported through a callback, one line each, and leaves its setting at the default. */
#ifndef KESTREL_CORE_BOOTOPTS_H
#define KESTREL_CORE_BOOTOPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch/uart.h"              /* struct uart_config */
#include "console/log.h"            /* enum console_ts, LOG_RING_DEFAULT */
#include "core/uart_config.h"

#define BOOTOPTS_UART_CLOCK_HZ   UART_CLOCK_HZ
#define BOOTOPTS_CONRING_DEFAULT LOG_RING_DEFAULT
#define BOOTOPTS_CONRING_MIN     (16u << 10)
#define BOOTOPTS_CONRING_MAX     (16u << 20)
#define BOOTOPTS_SLICE_DEFAULT   10u
#define BOOTOPTS_SLICE_MIN       1u
#define BOOTOPTS_SLICE_MAX       1000u
#define BOOTOPTS_MAXCPUS_MAX     4096u

struct bootopts {
    int console_uart;                /* console=: 1 com1 (default), 2 com2, 0 no serial output */
    bool console_vga;                /* console=...,vga */
    struct uart_config com1, com2;   /* com1: 115200 8n1 0x3f8 irq 4; com2: 115200 8n1 0x2f8 irq 3 */
    char conswitch_char;             /* 'a'..'z' (CTRL letter), default 'a' */
    bool conswitch_noauto;           /* conswitch=<c>x: don't switch input to DOM0 at boot */
    uint32_t conring_size;           /* bytes, power of two in [MIN, MAX] */
    int loglvl, loglvl_rate;         /* LOG_* thresholds: printed always / printed rate-limited */
    int guest_loglvl, guest_loglvl_rate;
    bool sync_console, noreboot;
    int console_timestamps;          /* enum console_ts */
    uint64_t mem_limit;              /* mem=, bytes; 0 = no limit */
    uint32_t sched_slice_ms;         /* sched_slice_ms=, 1..1000, default 10 */
    bool nosmp;                      /* nosmp: run on the boot CPU only */
    uint32_t max_cpus;               /* maxcpus=, 1..4096 CPUs brought up; 0 = no limit */
    char raw[1024];                  /* the command line as given (cut to fit, NUL-terminated) */
};

/* Receives one complaint: a single line, no prefix, no newline. */
typedef void (*bootopts_err_fn)(void *ctx, const char *msg);

/* Fill o with every default (Xen's: loglvl=warning, guest_loglvl=none/warning, ...). */
void bootopts_defaults(struct bootopts *o);

/* Parse cmdline (NULL is taken as empty) over the values already in o (call
 * bootopts_defaults first). Options are separated by spaces/tabs; the first word is skipped
 * when it is the image name (no '=' and not a known option). Each unknown option or bad value
 * calls err once (err may be NULL) and leaves that setting as it was. Reads only up to the
 * NUL and up to 64 KiB of line. */
void bootopts_parse(struct bootopts *o, const char *cmdline, bootopts_err_fn err, void *ctx);

/* Call line once per option with "key = value" (no newline), for the `cmdline` command. */
void bootopts_describe(const struct bootopts *o, void (*line)(void *ctx, const char *text),
                       void *ctx);

/* Name of a console_timestamps value ("none", "date", ...); "?" if out of range. */
const char *bootopts_timestamps_name(int ts);

#endif
