/* xl's CPU lists: the syntax of `cpus = "..."` in a domain's cfg and of `vcpu-pin`'s last
 * argument (xl.cfg(5), xl(1)), as a mask of host CPU numbers, and back to text.
 *
 * A list is comma-separated items, blanks around them ignored:
 *   "all"        every CPU
 *   "N"          CPU N
 *   "N-M"        CPUs N to M (N <= M)
 *   "^N", "^N-M" not these CPUs (taken out of what the items before it gave; a list that
 *                starts with ^ starts from "all", as xl's "^1" means every CPU but 1)
 * CPU numbers are decimal, 0..CPULIST_MAX-1. "nodes:..." (NUMA) is refused: Kestrel has
 * one node. A list that leaves no CPU is an error. */
#ifndef KESTREL_CORE_CPULIST_H
#define KESTREL_CORE_CPULIST_H

#include <stddef.h>
#include <stdint.h>

#define CPULIST_MAX 64                  /* bits of the mask */
#define CPULIST_ALL (~(uint64_t)0)

/* Parse s[0..n) (not NUL-terminated, never read past n) into *mask. Returns 0, or -1 with
 * one line in err (may be NULL or errsz 0) saying what is wrong, e.g.
 * "'3-1': the range ends before it starts" (*mask untouched). */
int cpulist_parse(const char *s, size_t n, uint64_t *mask, char *err, size_t errsz);

/* Write mask as the shortest list: "all" for CPULIST_ALL, "none" for 0, else ranges and
 * single CPUs in order ("0-3,5"). Always NUL-terminates when sz > 0 (truncating);
 * returns the length the whole text needs, as snprintf. */
size_t cpulist_format(uint64_t mask, char *buf, size_t sz);

#endif
