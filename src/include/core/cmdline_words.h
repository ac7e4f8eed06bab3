/* Words of a boot command line in Xen's forms (src/core/cmdline_words.c), for the boot
 * options and the comN= settings. Each parser reads s[0..n) only and, unless it says
 * otherwise, wants all of it consumed. */
#ifndef KESTREL_CORE_CMDLINE_WORDS_H
#define KESTREL_CORE_CMDLINE_WORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CMDLINE_WHY_MAX 160        /* the reason part of a complaint line */
/* printf arguments for at most 32 bytes of s[0..n), to quote bad input briefly. */
#define CMDLINE_CUT(s, n) (int)((n) > 32 ? 32 : (n)), (s)

/* Unsigned number, base 10, 16 (optional 0x) or 0 (0x means hex), at most max; *used, if
 * not NULL, gets how many bytes it took so a suffix may follow. */
bool cmdline_uint(const char *s, size_t n, int base, uint64_t max, uint64_t *out,
                  size_t *used);
/* Xen's <size>: a number and an optional K/M/G/T/B suffix (none means KiB), in bytes. */
bool cmdline_size(const char *s, size_t n, uint64_t *out);
/* True if s[0..n) is exactly word. */
bool cmdline_word_is(const char *s, size_t n, const char *word);
/* Xen's booleans (1/0 yes/no true/false on/off enable/disable): 1, 0, or -1 for none. */
int cmdline_bool(const char *s, size_t n);
/* Write a reason into why (CMDLINE_WHY_MAX bytes); returns false, so a parser can
 * `return cmdline_why(why, ...)`. */
__attribute__((format(printf, 2, 3)))
bool cmdline_why(char *why, const char *fmt, ...);

#endif
