/* libFuzzer target: mbimage_parse on arbitrary bytes (an exact-size copy, so ASan flags any
 * read past len). Checks that it never crashes, that errors are single lines, and that an
 * accepted plan keeps its promises: segments inside the file and [1 MiB, 4 GiB), sorted,
 * not overlapping, file_size <= mem_size, entry inside one of them, lowest/highest exact. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mbimage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *img = malloc(size ? size : 1);
    struct mbimage m;
    char err[200];
    int entry_ok = 0;

    if (!img)
        return 0;
    memcpy(img, data, size);
    if (mbimage_parse(img, size, &m, err, sizeof(err)) != 0) {
        if (err[0] == '\0' || strchr(err, '\n'))
            abort();
        free(img);
        return 0;
    }
    if (m.nsegs < 1 || m.nsegs > MBIMAGE_MAX_SEGS || !m.format || err[0] != '\0')
        abort();
    for (unsigned i = 0; i < m.nsegs; i++) {
        const struct mbimage_seg *s = &m.segs[i];

        if (s->file_size > s->mem_size || s->file_off > size ||
            s->file_size > size - s->file_off)
            abort();
        if (s->load_addr < MBIMAGE_MIN_ADDR || s->load_addr + s->mem_size > MBIMAGE_MAX_ADDR)
            abort();
        if (i > 0 && m.segs[i - 1].load_addr + m.segs[i - 1].mem_size > s->load_addr)
            abort();
        if (m.entry >= s->load_addr && m.entry < s->load_addr + s->mem_size)
            entry_ok = 1;
    }
    if (!entry_ok || m.lowest != m.segs[0].load_addr ||
        m.highest != m.segs[m.nsegs - 1].load_addr + m.segs[m.nsegs - 1].mem_size)
        abort();
    free(img);
    return 0;
}
