/* The stand-in virtq walker of fake_virtq.h. */
#include <string.h>

#include "fake_virtq.h"

struct fake_virtq_state fake_virtq;

void virtq_reset(struct virtq *q)
{
    memset(q, 0, sizeof(*q));
    fake_virtq.resets++;
}

bool virtq_should_notify(struct virtq *q, const struct virtq_mem *mem, uint16_t old_used)
{
    fake_virtq.should_notify_calls++;
    fake_virtq.last_q = q;
    fake_virtq.last_mem = mem;
    fake_virtq.last_old_used = old_used;
    return fake_virtq.should_notify;
}
