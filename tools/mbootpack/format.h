/*
 * format.h - the on-disk layout of an mbootpack image, shared by the host
 * tool (writer/reader), the unit tests, the fuzzer and the 32-bit loader.
 *
 * An image is a Linux bzImage (boot protocol 2.06):
 *
 *   [real-mode setup: (setup_sects + 1) * 512 bytes, header at 0x1f1]
 *   [protected-mode payload, loaded by the boot loader at 1 MiB:
 *      loader32 (32-bit code, its tag at offset 8)
 *      struct mbp_header, segment table, module table, strings,
 *      kernel segment data, module data (each 16-byte aligned),
 *      end marker]
 *
 * All integers are little-endian.  Only fixed-width types are used so the
 * header also compiles freestanding with -m32.
 */
#ifndef MBOOTPACK_FORMAT_H
#define MBOOTPACK_FORMAT_H

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>
#endif

#define MBP_VERSION_STRING "1.0"

/* Limits, documented in docs/booting.md. */
#define MBP_MAX_IMAGE (64u << 20)   /* whole packed file */
#define MBP_MAX_CMDLINE 4095        /* default and loader command line */
#define MBP_MAX_MODSTR 4095u        /* one module string (name + args) */
#define MBP_MAX_MODULES 64u
#define MBP_MAX_SEGMENTS 16u
#define MBP_LOAD_ADDR 0x100000      /* where loaders put the payload */

/* Linux boot protocol header offsets (in the real-mode setup). */
#define BZ_SETUP_SECTS 0x1f1
#define BZ_SYSSIZE 0x1f4
#define BZ_BOOT_FLAG 0x1fe
#define BZ_HEADER 0x202
#define BZ_VERSION 0x206
#define BZ_LOADFLAGS 0x211
#define BZ_CODE32_START 0x214
#define BZ_CMD_LINE_PTR 0x228
#define BZ_CMDLINE_SIZE 0x238
#define BZ_HDRS_MAGIC 0x53726448u   /* "HdrS" */
#define BZ_PROTOCOL 0x0206

/* boot_params ("zero page") offsets used by the 32-bit loader. */
#define BP_EXT_MEM_K 0x002          /* INT 15h/88h result, KiB above 1 MiB */
#define BP_PRIV_MAGIC 0x0cc         /* mbootpack private: set by our setup */
#define BP_PRIV_LOWMEM 0x0d0        /* mbootpack private: INT 12h, KiB */
#define BP_ALT_MEM_K 0x1e0          /* E801 result, KiB above 1 MiB */
#define BP_SCRATCH 0x1e4
#define BP_E820_ENTRIES 0x1e8
#define BP_E820_TABLE 0x2d0
#define BP_E820_MAX 128
#define BP_PRIV_MAGIC_VALUE 0x4b50424d /* "MBPK" */

/* The tag at payload offset 8 that leads to struct mbp_header. */
#define MBP_TAG_OFFSET 8u
#define MBP_TAG_MAGIC "MBOOTPAK"

#ifndef __ASSEMBLER__
struct mbp_tag {
	char magic[8];
	uint32_t header_offset;     /* of struct mbp_header, in the payload */
	uint32_t loader32_size;     /* bytes of 32-bit loader code and data */
};

/* The last MBP_END_SIZE bytes of the payload: MBP_END_MAGIC and the
 * payload size, so the 32-bit loader can tell that the loader loaded all of it. */
#define MBP_END_MAGIC "MBPKEND1"
#define MBP_END_SIZE 16u

#define MBP_HEADER_MAGIC 0x31504d42u  /* "BMP1" */
#define MBP_FORMAT_VERSION 1u

enum mbp_kernel_format {
	MBP_FMT_ELF32 = 1,
	MBP_FMT_ELF64_KLUDGE = 2,
	MBP_FMT_AOUT_KLUDGE = 3,
};

struct mbp_header {
	uint32_t magic;             /* MBP_HEADER_MAGIC */
	uint32_t version;           /* MBP_FORMAT_VERSION */
	uint32_t payload_size;      /* bytes from payload start to end */
	uint32_t entry;             /* kernel entry, physical */
	uint32_t mb_flags;          /* flags of the kernel's Multiboot header */
	uint32_t kernel_format;     /* enum mbp_kernel_format */
	uint32_t nsegs;
	uint32_t seg_offset;        /* struct mbp_segment[nsegs] */
	uint32_t nmods;
	uint32_t mod_offset;        /* struct mbp_module[nmods] */
	uint32_t kernel_name;       /* string offset: kernel file basename */
	uint32_t cmdline;           /* string offset: packed default args */
	uint32_t strings_offset;    /* start of the string area */
	uint32_t strings_size;      /* its size in bytes */
	uint32_t data_crc32;        /* CRC-32 of everything after the strings */
	uint32_t reserved;
};

struct mbp_segment {
	uint32_t dest;              /* physical load address */
	uint32_t offset;            /* of the data in the payload */
	uint32_t filesz;            /* bytes copied */
	uint32_t memsz;             /* bytes occupied; the rest is zeroed */
};

struct mbp_module {
	uint32_t offset;            /* of the data in the payload */
	uint32_t size;
	uint32_t name;              /* string offset: basename */
	uint32_t args;              /* string offset: packed args ("" if none) */
};
#endif

#endif
