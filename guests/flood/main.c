/* flood (hostile): writes `bytes=N` bytes (default 1 MiB) to its UART as fast as it can,
 * as 64-byte lines `flood: <counter> xxx...\r\n`, then `flood: done <bytes> bytes crc32 <hex>`
 * (CRC-32/IEEE of exactly the bytes before that line) and powers off. */
#include "guest.h"

#define LINE 64

/* Flood. */
int main(uint32_t magic, struct mb_info *info)
{
    (void)magic;
    (void)info;
    guest_name = "flood";
    uint32_t total = (uint32_t)cmdline_num("bytes", 1u << 20);
    uint32_t sent = 0, crc = 0;
    char line[LINE + 1];
    for (uint32_t n = 0; sent < total; n++) {
        int len = snprintf(line, sizeof(line), "flood: %08u ", (unsigned)n);
        for (; len < LINE - 2; len++)
            line[len] = (char)('a' + (n + (uint32_t)len) % 26);
        line[len++] = '\r';
        line[len++] = '\n';
        uint32_t k = total - sent < (uint32_t)len ? total - sent : (uint32_t)len;
        uart_write(line, k);
        crc = crc32_update(crc, line, k);
        sent += k;
    }
    printf("\nflood: done %u bytes crc32 %08x\n", (unsigned)sent, (unsigned)crc);
    return 0;
}
