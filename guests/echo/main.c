/* echo: echoes every byte it reads on its UART, raw (no prefix, no translation), after
 * printing `echo: ready`. Receives through the UART IRQ and sleeps with hlt; a 100 Hz PIT
 * tick also wakes it to poll the UART, so it works even if IRQ 4 never arrives. */
#include "guest.h"

/* Echo forever. */
int main(uint32_t magic, struct mb_info *info)
{
    (void)magic;
    (void)info;
    guest_name = "echo";
    uart_enable_rx_irq();
    pit_start(100);
    printf("echo: ready\n");
    for (;;) {
        cli();
        int c = uart_getc();
        if (c < 0) {
            sti_hlt();
            continue;
        }
        sti();
        uart_putc((char)c);
    }
}
