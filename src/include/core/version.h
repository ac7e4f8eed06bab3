/* The hypervisor's version string (set by the Makefile from git). */
#ifndef KESTREL_CORE_VERSION_H
#define KESTREL_CORE_VERSION_H

extern const char kestrel_version[];
extern const char kestrel_compiler[];

#endif
