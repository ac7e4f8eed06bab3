/* libFuzzer target for the console ring: the input is a ring size and a script of puts
 * (with levels and lengths), gets, clears and iterator reads. Checks bounds (ASan) and the
 * ring's own accounting: every line put is held, dropped or cleared, and every line read
 * back fits the limits. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "console/conring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct conring r;
    struct conring_iter it;
    char out[128];
    char *buf;
    size_t ringsz, i = 2;
    uint64_t puts = 0, cleared = 0, missed = 0;
    int lvl;

    if (size < 2)
        return 0;
    ringsz = ((size_t)data[0] | ((size_t)data[1] << 8)) % 2048;
    buf = malloc(ringsz ? ringsz : 1);
    if (!buf)
        return 0;
    conring_init(&r, buf, ringsz);
    conring_iter_start(&r, &it);

    while (i < size) {
        uint8_t op = data[i++];
        size_t arg = i < size ? data[i++] : 0;

        switch (op % 5) {
        case 0: case 1: {           /* put arg*4 bytes (or what is left) of the input */
            size_t n = arg * 4 > size - i ? size - i : arg * 4;
            conring_put(&r, op >> 3, (const char *)data + i, n);
            if (ringsz / 2 > CONRING_HDR)
                puts++;
            i += n;
            break;
        }
        case 2: {                   /* get line arg, with a buffer cut to op bits */
            int len = conring_get(&r, arg, &lvl, out, (op >> 3) % sizeof(out));
            if ((len < 0) != (arg >= conring_lines(&r)))
                abort();
            if (len >= 0 && (size_t)len + CONRING_HDR > ringsz / 2)
                abort();
            break;
        }
        case 3:                     /* clear */
            cleared += conring_lines(&r);
            conring_clear(&r);
            break;
        default:                    /* read on with the iterator */
            for (size_t k = 0; k <= arg % 4; k++) {
                int len = conring_iter_next(&r, &it, &lvl, out, sizeof(out), &missed);
                if (len >= 0 && (size_t)len + CONRING_HDR > ringsz / 2)
                    abort();
                /* text may hold NULs, so check the terminator where it must be */
                if (len >= 0 && out[(size_t)len < sizeof(out) ? (size_t)len : sizeof(out) - 1])
                    abort();
            }
            break;
        }
        if (conring_dropped(&r) + conring_lines(&r) + cleared != puts)
            abort();
        if (conring_lines(&r) * CONRING_HDR > ringsz)
            abort();
    }
    free(buf);
    return 0;
}
