/* A stand-in for the split-virtqueue walker (src/vdev/virtq.c) in the transport's tests:
 * virtq_reset forgets the queue as the real one does, and virtq_should_notify answers what
 * the test sets, recording how it was asked. The transport calls nothing else of virtq.h. */
#ifndef KESTREL_TESTS_FAKE_VIRTQ_H
#define KESTREL_TESTS_FAKE_VIRTQ_H

#include <stdbool.h>
#include <stdint.h>

#include "vdev/virtq.h"

struct fake_virtq_state {
    bool should_notify;                 /* what virtq_should_notify answers */
    unsigned should_notify_calls;
    const struct virtq *last_q;
    const struct virtq_mem *last_mem;
    uint16_t last_old_used;
    unsigned resets;
};

extern struct fake_virtq_state fake_virtq;

#endif
