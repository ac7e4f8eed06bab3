/* Xen's CTRL-<char>x3 serial input switch (the state machine of serial_rx() in Xen's
 * xen/drivers/char/console.c). Three consecutive CTRL-<char> bytes move input to the next
 * owner; the bytes of an unfinished sequence are held and, when another byte arrives,
 * delivered to the current owner before it. Owners are CONSWITCH_XEN (the hypervisor shell)
 * or a domain id >= 0; their order comes from a callback so domains can come and go. */
#ifndef KESTREL_CONSOLE_CONSWITCH_H
#define KESTREL_CONSOLE_CONSWITCH_H

#include <stddef.h>

#define CONSWITCH_XEN (-1)

/* Owner after `current` in the cycle: Xen -> first domain -> ... -> last domain -> Xen. */
typedef int (*conswitch_next_fn)(void *ctx, int current);
/* Hand input bytes to an owner (the caller drops them for a placeholder owner). */
typedef void (*conswitch_deliver_fn)(void *ctx, int owner, const unsigned char *bytes, size_t n);
/* Tell the operator input moved; message is the whole line without "(XEN) " and newline. */
typedef void (*conswitch_announce_fn)(void *ctx, int new_owner, const char *message);

struct conswitch {
    char letter;                    /* conswitch letter 'a'..'z' */
    unsigned char code;             /* the CTRL code of letter: 'a' -> 0x01 */
    unsigned int held;              /* CTRL presses of an unfinished sequence (0..2) */
    int owner;                      /* who gets input now */
    conswitch_next_fn next;
    conswitch_deliver_fn deliver;
    conswitch_announce_fn announce;
    void *ctx;
};

/* Set up with owner CONSWITCH_XEN, no bytes held, nothing announced. conswitch_char is the
 * letter ('a'..'z', or 'A'..'Z' taken as lower case); anything else falls back to 'a'.
 * deliver and announce may be NULL (bytes/messages are then dropped); next may be NULL
 * (then there is only Xen and the switch never moves). */
void conswitch_init(struct conswitch *cs, char conswitch_char, conswitch_next_fn next,
                    conswitch_deliver_fn deliver, conswitch_announce_fn announce, void *ctx);

/* One received byte: counts CTRL-<char>, switches on the third, else replays held presses to
 * the current owner and then delivers the byte. */
void conswitch_feed(struct conswitch *cs, unsigned char byte);

/* Move input to owner (the `console <dom>` command, or the automatic switch at boot) and
 * announce it, even if it is the current owner. Held presses are first replayed to the old
 * owner so none is lost. */
void conswitch_set_owner(struct conswitch *cs, int owner);

/* Who gets input now. */
int conswitch_owner(const struct conswitch *cs);

/* Write the switch line for owner into buf (NUL-terminated, cut to size), e.g.
 * "*** Serial input to DOM0 (type 'CTRL-a' three times to switch input)". */
void conswitch_message(const struct conswitch *cs, int owner, char *buf, size_t size);

/* A next-fn for before domains exist: Xen -> 0 -> Xen (domain 0 being a placeholder whose
 * input the caller's deliver fn discards). ctx is unused. */
int conswitch_placeholder_next(void *ctx, int current);

#endif
