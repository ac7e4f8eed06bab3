/* The hypervisor's version string (set by the Makefile from git). */
#ifndef KESTREL_CORE_VERSION_H
#define KESTREL_CORE_VERSION_H

extern const char kestrel_version[];
extern const char kestrel_compiler[];
/* " debug=y", " perfc=y", both or "": the build's options, as Xen names them. */
extern const char *const kestrel_build_flags;

#endif
