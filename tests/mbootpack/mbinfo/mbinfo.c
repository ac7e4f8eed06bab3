/*
 * mbinfo.c - a tiny Multiboot v1 test kernel: prints the whole Multiboot
 * information it received and the machine state to COM1 in a stable text
 * form, then exits QEMU through the isa-debug-exit device (port 0xf4).
 * The system tests compare this output between boot paths.
 */
#include <stddef.h>
#include <stdint.h>

extern char _load_start[], _edata[], _end[];

/* A large zero-initialised array: the loader must clear it. */
static uint8_t big_bss[65536];

/* Write v to I/O port. */
static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

/* Read a byte from I/O port. */
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* Send one character to COM1. */
static void putc_(char c)
{
	while (!(inb(0x3fd) & 0x20))
		;
	outb(0x3f8, (uint8_t)c);
}

/* Send a string to COM1. */
static void puts_(const char *s)
{
	while (*s)
		putc_(*s++);
}

/* Print v as 0x followed by digits hex digits. */
static void hex(uint64_t v, int digits)
{
	puts_("0x");
	for (int i = digits - 1; i >= 0; i--)
		putc_("0123456789abcdef"[(v >> (4 * i)) & 15]);
}

/* Print v in decimal. */
static void dec(uint32_t v)
{
	char b[12];
	int n = 0;

	do {
		b[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		putc_(b[--n]);
}

/* Print a C string in quotes, escaping anything unusual; at most max
 * bytes. */
static void quoted(const char *s, unsigned max)
{
	putc_('"');
	for (unsigned i = 0; i < max && s[i]; i++) {
		uint8_t c = (uint8_t)s[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			putc_((char)c);
		} else {
			puts_("\\x");
			putc_("0123456789abcdef"[c >> 4]);
			putc_("0123456789abcdef"[c & 15]);
		}
	}
	putc_('"');
}

/* CRC-32 (IEEE, as zlib) of p[0..n). */
static uint32_t crc32(const uint8_t *p, uint32_t n)
{
	uint32_t crc = 0xffffffffu;

	for (uint32_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

/* Read a 32-bit field at byte offset off of the info structure. */
static uint32_t field(uint32_t mbi, uint32_t off)
{
	return *(volatile uint32_t *)(uintptr_t)(mbi + off);
}

/* Nonzero if A20 is enabled: 0x300000 must not alias 0x200000. */
static int a20_on(void)
{
	volatile uint32_t *lo = (uint32_t *)0x200000;
	volatile uint32_t *hi = (uint32_t *)0x300000;
	uint32_t save_lo = *lo, save_hi = *hi;

	*lo = 0x12345678;
	*hi = 0x9abcdef0;
	int on = *lo == 0x12345678;
	*lo = save_lo;
	*hi = save_hi;
	return on;
}

/* Print the module list. */
static void print_mods(uint32_t mbi)
{
	uint32_t count = field(mbi, 20), addr = field(mbi, 24);

	puts_("mods_count=");
	dec(count);
	putc_('\n');
	for (uint32_t i = 0; i < count && i < 64; i++) {
		uint32_t m = addr + 16 * i;
		uint32_t start = field(m, 0), end = field(m, 4);
		puts_("mod[");
		dec(i);
		puts_("] start=");
		hex(start, 8);
		puts_(" end=");
		hex(end, 8);
		puts_(" size=");
		dec(end - start);
		puts_(" crc32=");
		hex(crc32((const uint8_t *)(uintptr_t)start, end - start), 8);
		puts_(" aligned=");
		puts_(start % 4096 ? "no" : "yes");
		puts_(" above_kernel=");
		puts_(start >= (uint32_t)(uintptr_t)_end ? "yes" : "no");
		puts_(" string=");
		quoted((const char *)(uintptr_t)field(m, 8), 4096);
		putc_('\n');
	}
}

/* Print the memory map. */
static void print_mmap(uint32_t mbi)
{
	uint32_t len = field(mbi, 44), addr = field(mbi, 48);

	puts_("mmap_length=");
	dec(len);
	putc_('\n');
	for (uint32_t p = addr, i = 0; p < addr + len && i < 256; i++) {
		uint32_t size = field(p, 0);
		puts_("mmap[");
		dec(i);
		puts_("] size=");
		dec(size);
		puts_(" base=");
		hex(*(volatile uint64_t *)(uintptr_t)(p + 4), 16);
		puts_(" length=");
		hex(*(volatile uint64_t *)(uintptr_t)(p + 12), 16);
		puts_(" type=");
		dec(field(p, 20));
		putc_('\n');
		p += size + 4;
	}
}

/* Entry from head.S: magic in EAX, info in EBX, EFLAGS at entry. */
void mbinfo_main(uint32_t magic, uint32_t mbi, uint32_t eflags)
{
	uint32_t cr0, cs, ds;
	int bss_zero = 1;

	for (size_t i = 0; i < sizeof(big_bss); i++)
		if (big_bss[i])
			bss_zero = 0;
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	__asm__ volatile("mov %%ds, %0" : "=r"(ds));

	puts_("\nMBINFO BEGIN\nmagic=");
	hex(magic, 8);
	puts_("\nstate pe=");
	dec(cr0 & 1);
	puts_(" pg=");
	dec(cr0 >> 31);
	puts_(" if=");
	dec((eflags >> 9) & 1);
	puts_(" vm=");
	dec((eflags >> 17) & 1);
	puts_(" bss_zero=");
	dec((uint32_t)bss_zero);
	puts_(" image_crc32=");
	hex(crc32((const uint8_t *)_load_start,
		  (uint32_t)(_edata - _load_start)), 8);
	puts_("\nflags=");
	uint32_t flags = field(mbi, 0);
	hex(flags, 8);
	putc_('\n');
	if (flags & 0x1) {
		puts_("mem_lower=");
		dec(field(mbi, 4));
		puts_(" mem_upper=");
		dec(field(mbi, 8));
		putc_('\n');
	}
	if (flags & 0x4) {
		puts_("cmdline=");
		quoted((const char *)(uintptr_t)field(mbi, 16), 8192);
		putc_('\n');
	}
	if (flags & 0x200) {
		puts_("boot_loader_name=");
		quoted((const char *)(uintptr_t)field(mbi, 64), 256);
		putc_('\n');
	}
	if (flags & 0x8)
		print_mods(mbi);
	if (flags & 0x40)
		print_mmap(mbi);
	puts_("a20=");
	puts_(a20_on() ? "on" : "off");
	puts_("\nMBINFO END\n");
	outb(0xf4, 0);
	for (;;)
		__asm__ volatile("cli; hlt");
}
