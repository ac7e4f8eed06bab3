/* echo: echoes every byte it reads on its UART, raw (no prefix, no translation), after
 * printing `echo: ready`. Receives through the UART IRQ and sleeps with hlt; a 100 Hz PIT
 * tick also wakes it to poll the UART, so it works even if IRQ 4 never arrives.
 *
 * With `mode=hex` on its command line it prints `echo: ready (hex)` and answers each byte
 * with two lowercase hex digits instead (CR and LF also end the answer's line: "hi\r" ->
 * "68690d\r\n"). An answer the guest made cannot be mistaken for the shell's echo of what
 * was typed, so tests use it to prove that input reached the guest, byte for byte. */
#include "guest.h"

/* Echo forever. */
int main(uint32_t magic, struct mb_info *info)
{
    (void)magic;
    (void)info;
    guest_name = "echo";
    char mode[8];
    bool hex = cmdline_str("mode", mode, sizeof(mode)) && strcmp(mode, "hex") == 0;
    uart_enable_rx_irq();
    pit_start(100);
    printf(hex ? "echo: ready (hex)\n" : "echo: ready\n");
    for (;;) {
        cli();
        int c = uart_getc();
        if (c < 0) {
            sti_hlt();
            continue;
        }
        sti();
        if (!hex) {
            uart_putc((char)c);
            continue;
        }
        static const char digits[] = "0123456789abcdef";
        uart_putc(digits[(c >> 4) & 0xf]);
        uart_putc(digits[c & 0xf]);
        if (c == '\r' || c == '\n') {
            uart_putc('\r');
            uart_putc('\n');
        }
    }
}
