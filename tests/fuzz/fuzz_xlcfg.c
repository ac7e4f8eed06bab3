/* libFuzzer target: xlcfg_parse on arbitrary bytes (an exact-size copy, not NUL-terminated,
 * so ASan flags any read past len). Checks that it never crashes, that errors and warnings
 * are single non-empty lines, and that an accepted config keeps every documented rule. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/xlcfg.h"

static void on_warn(void *ctx, const char *line)
{
    (void)ctx;
    if (strchr(line, '\n') || line[0] == '\0')
        abort();
}

/* True if s is NUL-terminated within size. */
static int terminated(const char *s, size_t size)
{
    return memchr(s, '\0', size) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size ? size : 1);
    struct domain_config c;
    char err[200];

    if (!text)
        return 0;
    memcpy(text, data, size);
    if (xlcfg_parse(text, size, "fuzz.cfg", &c, err, sizeof(err), on_warn, NULL) != 0) {
        if (err[0] == '\0' || strchr(err, '\n') || strncmp(err, "fuzz.cfg", 8) != 0)
            abort();
    } else {
        size_t nl = strlen(c.name);

        if (err[0] != '\0' || !terminated(c.name, sizeof(c.name)) || nl == 0 ||
            !terminated(c.kernel, sizeof(c.kernel)) || c.kernel[0] == '\0' ||
            !terminated(c.ramdisk, sizeof(c.ramdisk)) ||
            !terminated(c.cmdline, sizeof(c.cmdline)))
            abort();
        if (strspn(c.name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
            != nl)
            abort();
        if (c.memory_mb < 1 || c.memory_mb > 65536 || c.maxmem_mb < c.memory_mb ||
            c.maxmem_mb > 65536 || c.vcpus != 1 || c.weight < 1 || c.weight > 65535)
            abort();
        if (c.on_poweroff > ACTION_RENAME_RESTART || c.on_reboot > ACTION_RENAME_RESTART ||
            c.on_crash > ACTION_RENAME_RESTART)
            abort();
    }
    /* a tiny error buffer must still be terminated */
    if (xlcfg_parse(text, size, "f", &c, err, 3, NULL, NULL) != 0 && strlen(err) > 2)
        abort();
    free(text);
    return 0;
}
