/* A tiny AML (ACPI Machine Language) emitter: just what a hand-built DSDT needs -- names,
 * integers, packages, scopes, devices and buffers, with PkgLength encoded after the fact
 * (ACPI 6.x, 20.2). It writes into a caller's buffer and never past its end: once anything
 * does not fit (or a name is malformed) the emitter is marked failed and ignores the rest. */
#ifndef KESTREL_CORE_AML_H
#define KESTREL_CORE_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AML_PKGLEN_MAX  0x0FFFFFFFu   /* largest PkgLength (4 bytes, 28 bits) */

struct aml {
    uint8_t *buf;
    size_t cap, len;
    bool failed;                /* ran out of room or was given a bad name */
};

/* Start emitting into buf[0..cap). */
void aml_init(struct aml *a, uint8_t *buf, size_t cap);

/* Append raw bytes. */
void aml_byte(struct aml *a, uint8_t b);
void aml_bytes(struct aml *a, const void *p, size_t n);

/* Append an integer in its shortest form: ZeroOp, OneOp, or Byte/Word/DWord/QWordPrefix. */
void aml_integer(struct aml *a, uint64_t v);

/* Append a NameString: "\\_SB_.PCI0", "_S5", "PCI0"... A leading '\\' is the root; segments
 * of 1-4 characters (A-Z, 0-9, '_', not starting with a digit) are padded with '_'. */
void aml_name_string(struct aml *a, const char *path);

/* Encode a PkgLength for body_len bytes that follow it (the value counts its own bytes).
 * Writes 1-4 bytes into out and returns how many, or 0 if body_len is too large. */
unsigned aml_pkglen_encode(size_t body_len, uint8_t out[4]);

/* Open a PkgLength'd construct after its opcode was emitted; returns a mark for
 * aml_close, which inserts the PkgLength in front of everything emitted since. */
size_t aml_open(struct aml *a);
void aml_close(struct aml *a, size_t mark);

/* NameOp path, followed by the object the caller emits next. */
void aml_name(struct aml *a, const char *path);

/* PackageOp with nelems elements (<= 255) the caller emits, then aml_close(mark). */
size_t aml_package_begin(struct aml *a, unsigned nelems);

/* ScopeOp / DeviceOp path, then the contents, then aml_close(mark). */
size_t aml_scope_begin(struct aml *a, const char *path);
size_t aml_device_begin(struct aml *a, const char *path);

/* A String (StringPrefix, the characters of s, NUL): printable ASCII only, else failed. */
void aml_string(struct aml *a, const char *s);

/* BufferOp holding bytes[0..n). */
void aml_buffer(struct aml *a, const uint8_t *bytes, size_t n);

/* The 32-bit compressed EISA ID of a 7-character id such as "PNP0A03" (as iasl's EisaId):
 * three letters A-Z then four hex digits; 0 for a malformed id. */
uint32_t aml_eisaid(const char *id);

#endif
