/*
 * mbootpack.c - command line front end: packs a Multiboot kernel and its
 * modules into one Linux-bzImage-format file (--list shows one).  Reads
 * inputs (gzip or plain), reports each fault as one line naming the file,
 * and writes the output atomically so a failure leaves no partial file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "image.h"
#include "kernel.h"

extern const uint8_t mbp_setup_blob[], mbp_setup_blob_end[];
extern const uint8_t mbp_loader32_blob[], mbp_loader32_blob_end[];

/* Print "mbootpack: FILE: message" and exit with status 1. */
static void __attribute__((noreturn, format(printf, 2, 3)))
die(const char *file, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mbootpack: ");
	if (file)
		fprintf(stderr, "%s: ", file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/*
 * Read the whole of path, gunzipping it if it is gzip-compressed, into a
 * malloc'ed buffer.  At most MBP_MAX_IMAGE bytes are accepted.  Exits via
 * die() on any failure.
 */
static uint8_t *read_input(const char *path, size_t *lenp)
{
	struct stat st;

	if (stat(path, &st) < 0)
		die(path, "%s", strerror(errno));
	if (S_ISDIR(st.st_mode))
		die(path, "is a directory");
	FILE *f = fopen(path, "rb");
	if (!f)
		die(path, "%s", strerror(errno));
	unsigned char magic[2] = { 0, 0 };
	size_t got = fread(magic, 1, 2, f);
	fclose(f);
	int gz = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;

	gzFile z = gzopen(path, "rb");
	if (!z)
		die(path, "%s", strerror(errno ? errno : EIO));
	size_t cap = 1 << 16, len = 0;
	uint8_t *buf = malloc(cap);
	for (;;) {
		if (!buf)
			die(path, "out of memory");
		if (len > MBP_MAX_IMAGE)
			die(path, "larger than the %u MiB limit%s",
			    MBP_MAX_IMAGE >> 20, gz ? " when decompressed" : "");
		if (len == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			continue;
		}
		int n = gzread(z, buf + len, (unsigned)(cap - len));
		if (n < 0) {
			int e;
			const char *msg = gzerror(z, &e);
			die(path, "%s%s", gz ? "bad gzip data: " : "",
			    e == Z_ERRNO ? strerror(errno) : msg);
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	int e = 0;
	const char *msg = gzerror(z, &e);
	if (e != Z_OK && e != Z_STREAM_END)
		die(path, "bad gzip data: %s", msg);
	gzclose(z);
	*lenp = len;
	return buf;
}

/* Return the part of path after its last '/'. */
static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/*
 * Write buf to path atomically (temporary file in the same directory,
 * then rename).  Exits via die() on failure, leaving no file behind.
 */
static void write_output(const char *path, const uint8_t *buf, size_t len)
{
	size_t n = strlen(path);
	char *tmp = malloc(n + 16);

	if (!tmp)
		die(path, "out of memory");
	snprintf(tmp, n + 16, "%s.tmp.XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0)
		die(path, "cannot create: %s", strerror(errno));
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, buf + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int err = errno;
			close(fd);
			unlink(tmp);
			die(path, "write failed: %s", strerror(err));
		}
		off += (size_t)w;
	}
	if (fchmod(fd, 0644) < 0 || close(fd) < 0 || rename(tmp, path) < 0) {
		int err = errno;
		unlink(tmp);
		die(path, "cannot write: %s", strerror(err));
	}
	free(tmp);
}

/* Print the contents of image file path; return the exit status. */
static int list_image(const char *path)
{
	size_t len;
	uint8_t *buf = read_input(path, &len);
	struct mbp_image img;
	char err[256], ms[MBP_MAX_MODSTR + 64];

	if (mbp_read(buf, len, &img, err, sizeof(err)) < 0)
		die(path, "%s", err);
	printf("image: %s (%zu bytes, boot protocol %u.%02u, %u setup "
	       "sectors)\n", path, len, img.protocol >> 8,
	       img.protocol & 0xff, img.setup_sects);
	printf("kernel: %s (%s), entry 0x%08x, Multiboot flags 0x%08x\n",
	       img.kernel_name, mb_format_name(img.hdr.kernel_format),
	       img.hdr.entry, img.hdr.mb_flags);
	for (uint32_t i = 0; i < img.hdr.nsegs; i++)
		printf("segment %u: 0x%08x, %u bytes from file, %u in "
		       "memory\n", i, img.segs[i].dest, img.segs[i].filesz,
		       img.segs[i].memsz);
	for (uint32_t i = 0; i < img.hdr.nmods; i++) {
		mbp_module_string(&img, i, ms, sizeof(ms));
		printf("module %u: %u bytes, \"%s\"\n", i, img.mods[i].size,
		       ms);
	}
	printf("cmdline: \"%s%s%s\"\n", img.kernel_name,
	       img.cmdline[0] ? " " : "", img.cmdline);
	if (img.crc_actual != img.hdr.data_crc32) {
		printf("checksum: BAD (stored 0x%08x, actual 0x%08x)\n",
		       img.hdr.data_crc32, img.crc_actual);
		free(buf);
		return 1;
	}
	printf("checksum: ok (0x%08x)\n", img.crc_actual);
	free(buf);
	return 0;
}

/* Print the usage text to f. */
static void usage(FILE *f)
{
	fprintf(f,
		"usage: mbootpack [-o OUT] [-c CMDLINE] [-m \"MODULE [ARGS]\"]..."
		" KERNEL\n"
		"       mbootpack --list IMAGE\n"
		"Pack a Multiboot kernel and its modules into one file that "
		"Linux boot\nloaders (LILO, SYSLINUX, GRUB linux16/linux, "
		"QEMU -kernel) can start.\n"
		"  -o OUT       output file (default: bzImage)\n"
		"  -c CMDLINE   default kernel command line\n"
		"  -m \"MODULE [ARGS]\"  add a module (repeatable, in order);\n"
		"               the kernel sees \"basename(MODULE) ARGS\"\n"
		"  --list IMAGE describe a packed image\n"
		"  -h, --help   this text;  --version  the version\n"
		"Inputs may be gzip-compressed.  At boot, a loader command "
		"line replaces\nthe default; \" -- \" separates the kernel's "
		"part from each module's args.\n");
}

/* Parse the options, then pack (or --list); exit status 0, or 1 on error. */
int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "list", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = "bzImage", *cmdline = "";
	const char **mspec = calloc((size_t)argc + 1, sizeof(*mspec));
	size_t nmods = 0;
	int c;

	if (!mspec)
		die(NULL, "out of memory");
	while ((c = getopt_long(argc, argv, "o:c:m:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'c': cmdline = optarg; break;
		case 'm': mspec[nmods++] = optarg; break;
		case 'l': return list_image(optarg);
		case 'h': usage(stdout); return 0;
		case 'V':
			printf("mbootpack " MBP_VERSION_STRING "\n");
			return 0;
		default: usage(stderr); return 1;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 1;
	}
	const char *kpath = argv[optind];
	if (nmods > MBP_MAX_MODULES)
		die(mspec[MBP_MAX_MODULES], "too many modules (at most %u)",
		    MBP_MAX_MODULES);

	size_t klen;
	uint8_t *kbuf = read_input(kpath, &klen);
	struct mb_kernel k;
	char err[256];
	if (mb_kernel_parse(kbuf, klen, &k, err, sizeof(err)) < 0)
		die(kpath, "%s", err);
	size_t kcl = strlen(base_name(kpath)) + 1 + strlen(cmdline);
	if (kcl > MBP_MAX_CMDLINE)
		die(kpath, "command line too long (%zu bytes with the kernel "
		    "name, max %u)", kcl, MBP_MAX_CMDLINE);

	struct mbp_module_in *mods = calloc(nmods + 1, sizeof(*mods));
	if (!mods)
		die(NULL, "out of memory");
	for (size_t i = 0; i < nmods; i++) {
		char *spec = strdup(mspec[i]);
		if (!spec)
			die(NULL, "out of memory");
		char *p = spec + strspn(spec, " \t");
		char *args = p + strcspn(p, " \t");
		if (*args)
			*args++ = '\0';
		args += strspn(args, " \t");
		if (!*p)
			die(NULL, "-m needs a module file name");
		size_t ml = strlen(base_name(p)) + 1 + strlen(args);
		if (ml > MBP_MAX_MODSTR)
			die(p, "module string too long (%zu bytes, max %u)",
			    ml, MBP_MAX_MODSTR);
		mods[i].name = base_name(p);
		mods[i].args = args;
		mods[i].data = read_input(p, &mods[i].size);
	}

	struct mbp_pack_in in = {
		.setup = mbp_setup_blob,
		.setup_len = (size_t)(mbp_setup_blob_end - mbp_setup_blob),
		.loader32 = mbp_loader32_blob,
		.loader32_len = (size_t)(mbp_loader32_blob_end - mbp_loader32_blob),
		.kernel = &k,
		.kernel_name = base_name(kpath),
		.cmdline = cmdline,
		.nmods = nmods,
		.mods = mods,
	};
	uint8_t *img;
	size_t ilen;
	if (mbp_pack(&in, &img, &ilen, err, sizeof(err)) < 0)
		die(out, "%s", err);
	write_output(out, img, ilen);
	return 0;
}
