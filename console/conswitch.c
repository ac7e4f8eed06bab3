/* Xen's serial input switch: three CTRL-<letter> presses in a row move input to the next
 * owner. Same state machine as serial_rx() in Xen's console.c: presses are counted, not
 * delivered; a different byte first replays the held presses to whoever owns input now, then
 * goes there itself. So a single CTRL-a (or two) still reaches the guest or shell. */
#include "console/conswitch.h"
#include "lib/format.h"

/* Presses that make a switch. */
#define SWITCH_PRESSES 3u

/* Bring up a switch owned by Xen. A bad letter falls back to Xen's default 'a' rather than
 * leaving input stuck with no way to switch. */
void conswitch_init(struct conswitch *cs, char conswitch_char, conswitch_next_fn next,
                    conswitch_deliver_fn deliver, conswitch_announce_fn announce, void *ctx)
{
    char c = conswitch_char;

    if (c >= 'A' && c <= 'Z')
        c = (char)(c - 'A' + 'a');
    if (c < 'a' || c > 'z')
        c = 'a';
    cs->letter = c;
    cs->code = (unsigned char)(c - 'a' + 1);
    cs->held = 0;
    cs->owner = CONSWITCH_XEN;
    cs->next = next;
    cs->deliver = deliver;
    cs->announce = announce;
    cs->ctx = ctx;
}

/* Format the announcement for owner; the letter is the configured one, as in Xen. */
void conswitch_message(const struct conswitch *cs, int owner, char *buf, size_t size)
{
    if (!buf || size == 0)
        return;
    if (owner == CONSWITCH_XEN)
        snprintf(buf, size, "*** Serial input to Xen (type 'CTRL-%c' three times to switch input)",
                 cs->letter);
    else
        snprintf(buf, size, "*** Serial input to DOM%d (type 'CTRL-%c' three times to switch input)",
                 owner, cs->letter);
}

/* Hand n bytes to the current owner, if anyone listens. */
static void deliver(struct conswitch *cs, const unsigned char *bytes, size_t n)
{
    if (cs->deliver && n)
        cs->deliver(cs->ctx, cs->owner, bytes, n);
}

/* Give the held presses to the current owner, in the order they came (all are the same
 * byte), and forget them. */
static void replay_held(struct conswitch *cs)
{
    unsigned char held[SWITCH_PRESSES];
    size_t n = cs->held;

    for (size_t i = 0; i < n; i++)
        held[i] = cs->code;
    cs->held = 0;
    deliver(cs, held, n);
}

/* Make owner the input owner and say so. */
static void announce_owner(struct conswitch *cs, int owner)
{
    char msg[96];

    cs->owner = owner;
    if (cs->announce) {
        conswitch_message(cs, owner, msg, sizeof(msg));
        cs->announce(cs->ctx, owner, msg);
    }
}

/* Move to the next owner of the cycle. With nobody else to go to, input stays where it is
 * but is announced again, as Xen does: the operator sees that the keys were understood. */
static void switch_input(struct conswitch *cs)
{
    int next = cs->next ? cs->next(cs->ctx, cs->owner) : CONSWITCH_XEN;

    if (next < CONSWITCH_XEN)
        next = CONSWITCH_XEN;        /* a confused callback sends input home */
    announce_owner(cs, next);
}

/* One input byte through the machine. */
void conswitch_feed(struct conswitch *cs, unsigned char byte)
{
    if (byte == cs->code) {
        if (++cs->held == SWITCH_PRESSES) {
            cs->held = 0;
            switch_input(cs);
        }
        return;
    }
    replay_held(cs);
    deliver(cs, &byte, 1);
}

/* Explicit switch (shell command or boot auto-switch). Held presses belong to the owner that
 * was current when they were typed, so they go there first. */
void conswitch_set_owner(struct conswitch *cs, int owner)
{
    replay_held(cs);
    if (owner < CONSWITCH_XEN)
        owner = CONSWITCH_XEN;
    announce_owner(cs, owner);
}

/* Current owner. */
int conswitch_owner(const struct conswitch *cs)
{
    return cs->owner;
}

/* Xen -> 0 -> Xen: the cycle before any real domain exists. */
int conswitch_placeholder_next(void *ctx, int current)
{
    (void)ctx;
    return current == CONSWITCH_XEN ? 0 : CONSWITCH_XEN;
}
