/* Unit tests for the xl.cfg reader (src/core/xlcfg.c): defaults, every supported key and its
 * forms, lists, comments, ';' separators, known-but-ignored keys (warnings), and the one-line
 * errors (module:line: key: why) for every way a cfg can be wrong. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>

#include "core/xlcfg.h"

struct warns {
    int n;
    char msg[8][300];
};

static struct domain_config c;
static struct warns w;
static char err[300];

static void on_warn(void *ctx, const char *line)
{
    struct warns *ws = ctx;

    assert_null(strchr(line, '\n'));
    if (ws->n < 8)
        snprintf(ws->msg[ws->n], sizeof(ws->msg[0]), "%s", line);
    ws->n++;
}

/* Parse text (as a module named t.cfg) from an exact-size heap copy, so a read past len
 * would be caught by ASan/valgrind; returns xlcfg_parse's result. */
static int parse(const char *text)
{
    size_t n = strlen(text);
    char *copy = test_malloc(n ? n : 1);
    int rc;

    memcpy(copy, text, n);
    memset(&w, 0, sizeof(w));
    memset(err, 0x55, sizeof(err));
    rc = xlcfg_parse(copy, n, "t.cfg", &c, err, sizeof(err), on_warn, &w);
    test_free(copy);
    if (rc == 0)
        assert_int_equal(err[0], '\0');
    return rc;
}

/* Expect an error containing piece (and piece2 if given), on one line. */
static void bad(const char *text, const char *piece, const char *piece2)
{
    if (parse(text) != -1)
        fail_msg("accepted: %s", text);
    assert_null(strchr(err, '\n'));
    if (!strstr(err, piece) || (piece2 && !strstr(err, piece2)))
        fail_msg("for %s\n got error: %s\n wanted: %s / %s", text, err, piece,
                 piece2 ? piece2 : "");
}

#define MIN "name = \"d1\"\nkernel = \"hello.elf\"\n"

static void test_minimal_defaults(void **state)
{
    (void)state;
    assert_int_equal(parse(MIN), 0);
    assert_string_equal(c.name, "d1");
    assert_string_equal(c.kernel, "hello.elf");
    assert_string_equal(c.ramdisk, "");
    assert_string_equal(c.cmdline, "");
    assert_int_equal(c.memory_mb, 32);
    assert_int_equal(c.maxmem_mb, 32);
    assert_int_equal(c.vcpus, 1);
    assert_int_equal(c.weight, 256);
    assert_int_equal(c.on_poweroff, ACTION_DESTROY);
    assert_int_equal(c.on_reboot, ACTION_RESTART);
    assert_int_equal(c.on_crash, ACTION_DESTROY);
    assert_true(c.autostart);
    assert_int_equal(w.n, 0);
}

static void test_full(void **state)
{
    (void)state;
    assert_int_equal(parse("# a guest\n"
                           "name = 'hello-1.x_y'   # trailing comment\n"
                           "kernel=\"/boot/guests/hello.elf\"\r\n"
                           "ramdisk = \"initrd.img\"\n"
                           "\n   \t\n"
                           "extra = \"console=ttyS0 # not a comment\"\n"
                           "memory = 128; maxmem = 0x100\n"
                           "vcpus = 1\n"
                           "cpu_weight = \"512\"\n"
                           "on_poweroff = \"preserve\"\n"
                           "on_reboot = 'rename-restart'\n"
                           "on_crash = \"restart\"\n"
                           "autostart = 0"), 0);
    assert_string_equal(c.name, "hello-1.x_y");
    assert_string_equal(c.kernel, "hello.elf");
    assert_string_equal(c.ramdisk, "initrd.img");
    assert_string_equal(c.cmdline, "console=ttyS0 # not a comment");
    assert_int_equal(c.memory_mb, 128);
    assert_int_equal(c.maxmem_mb, 256);
    assert_int_equal(c.weight, 512);
    assert_int_equal(c.on_poweroff, ACTION_PRESERVE);
    assert_int_equal(c.on_reboot, ACTION_RENAME_RESTART);
    assert_int_equal(c.on_crash, ACTION_RESTART);
    assert_false(c.autostart);
}

static void test_cmdline_forms(void **state)
{
    (void)state;
    assert_int_equal(parse(MIN "cmdline = \"a b\""), 0);
    assert_string_equal(c.cmdline, "a b");
    assert_int_equal(parse(MIN "root = \"/dev/xvda1\"\nextra = \"ro quiet\""), 0);
    assert_string_equal(c.cmdline, "root=/dev/xvda1 ro quiet");
    assert_int_equal(parse(MIN "root = \"/dev/xvda1\""), 0);
    assert_string_equal(c.cmdline, "root=/dev/xvda1");
    assert_int_equal(parse(MIN "extra = \"x\"\ncmdline = \"y\""), 0);
    assert_string_equal(c.cmdline, "y");
    assert_int_equal(w.n, 1);
    assert_non_null(strstr(w.msg[0], "in favour of cmdline"));
    assert_int_equal(parse(MIN "weight = 7"), 0);
    assert_int_equal(c.weight, 7);
}

static void test_ignored_keys_warn(void **state)
{
    (void)state;
    assert_int_equal(parse(MIN "builder = \"generic\"\n"
                           "vfb = [ 'vnc=1,vnclisten=0.0.0.0', ]\n"
                           "pci = [ '0000:01:00.0',\n"
                           "         '0000:02:00.0' # second\n"
                           "       ]\n"
                           "on_watchdog = \"destroy\"\nserial = 'pty'\n"
                           "memory = 64\n"), 0);
    assert_int_equal(w.n, 5);
    assert_string_equal(w.msg[0], "t.cfg:3: builder: ignored (Kestrel has no use for it)");
    assert_non_null(strstr(w.msg[1], "t.cfg:4: vfb:"));
    assert_non_null(strstr(w.msg[2], "t.cfg:5: pci:"));
    assert_non_null(strstr(w.msg[3], "t.cfg:8: on_watchdog:"));
    assert_int_equal(c.memory_mb, 64);
    /* a NULL warn callback is fine */
    assert_int_equal(xlcfg_parse(MIN "pci=[]", strlen(MIN "pci=[]"), NULL, &c, NULL, 0,
                                 NULL, NULL), 0);
}

/* Every bound is inclusive: the last value each key takes is accepted (the errors test
 * below has the first one it refuses). maxmem may equal memory: that is a domain without
 * room to grow, the balloon's ceiling at its start. */
static void test_edges_of_each_range_are_accepted(void **state)
{
    (void)state;
    assert_int_equal(parse(MIN "memory = 16\nmaxmem = 16"), 0);
    assert_int_equal(c.memory_mb, 16);
    assert_int_equal(c.maxmem_mb, 16);
    assert_int_equal(parse(MIN "maxmem = 32\nmemory = 32"), 0);     /* either order */
    assert_int_equal(c.maxmem_mb, 32);
    bad(MIN "memory = 17\nmaxmem = 16", "t.cfg:4: maxmem:", "less than memory");
    assert_int_equal(parse(MIN "memory = 1"), 0);
    assert_int_equal(c.memory_mb, 1);
    assert_int_equal(parse(MIN "memory = 65536\nmaxmem = 65536"), 0);
    assert_int_equal(c.maxmem_mb, 65536);
    assert_int_equal(parse(MIN "cpu_weight = 1"), 0);
    assert_int_equal(c.weight, 1);
    assert_int_equal(parse(MIN "cpu_weight = 65535"), 0);
    assert_int_equal(c.weight, 65535);
    assert_int_equal(parse(MIN "autostart = 0"), 0);
    assert_false(c.autostart);
    assert_int_equal(parse(MIN "vcpus = 1"), 0);
    assert_int_equal(c.vcpus, 1);
    assert_int_equal(c.maxvcpus, 1);
    assert_int_equal(parse(MIN "vcpus = 64"), 0);
    assert_int_equal(c.vcpus, 64);
    assert_int_equal(c.maxvcpus, 64);
}

/* vcpus, maxvcpus and cpus (hard affinity) as xl.cfg(5) has them. */
static void test_vcpus_and_cpus(void **state)
{
    (void)state;
    assert_int_equal(parse(MIN), 0);
    assert_false(c.cpus_set);
    assert_true(c.cpus[0] == ~0ULL && c.cpus[63] == ~0ULL);
    assert_int_equal(parse(MIN "vcpus = 2\nmaxvcpus = 4\ncpus = \"1-3\""), 0);
    assert_int_equal(c.vcpus, 2);
    assert_int_equal(c.maxvcpus, 4);
    assert_true(c.cpus_set);
    assert_true(c.cpus[0] == 0xe && c.cpus[1] == 0xe && c.cpus[63] == 0xe);
    assert_int_equal(parse(MIN "vcpus = 3\ncpus = [ \"0\", \"2,5\" ]"), 0);
    assert_true(c.cpus[0] == 0x1 && c.cpus[1] == 0x24 && c.cpus[2] == ~0ULL);
    assert_int_equal(parse(MIN "cpus = \"^1\""), 0);
    assert_true(c.cpus[0] == ~0x2ULL);
    assert_int_equal(w.n, 0);           /* cpus is no longer an ignored key */
}

static void test_errors_name_module_line_key(void **state)
{
    (void)state;
    bad(MIN "memory = \"lots\"", "t.cfg:3: memory: expected a number of MiB, got 'lots'", NULL);
    bad(MIN "memory = lots", "t.cfg:3: memory: expected a number of MiB, got 'lots'", NULL);
    bad(MIN "memory = 0", "t.cfg:3: memory:", "out of range");
    bad(MIN "memory = 65537", "memory:", "out of range");
    bad(MIN "memory = 99999999999999999999", "memory:", "expected a number");
    bad(MIN "memory = -1", "memory:", "expected a number");
    bad(MIN "memory = 12abc", "memory:", "'12abc'");
    bad(MIN "memory = 0x", "memory:", "expected a number");
    bad(MIN "memory = [ 1 ]", "t.cfg:3: memory:", "list");
    bad(MIN "colour = \"blue\"", "t.cfg:3: colour: unknown key", NULL);
    bad(MIN "vcpus = 0", "vcpus:", "out of range");
    bad(MIN "vcpus = 65", "t.cfg:3: vcpus:", "out of range");
    bad(MIN "maxvcpus = 65", "maxvcpus:", "out of range");
    bad(MIN "vcpus = 4\nmaxvcpus = 2", "t.cfg:4: maxvcpus: 2 is less than vcpus (4)", NULL);
    bad(MIN "maxvcpus = 2\nvcpus = 4", "t.cfg:3: maxvcpus: 2 is less than vcpus (4)", NULL);
    bad(MIN "cpus = \"3-1\"", "t.cfg:3: cpus: '3-1': the range ends before it starts", NULL);
    bad(MIN "cpus = \"64\"", "t.cfg:3: cpus: '64': expected all, a CPU (0-63)", NULL);
    bad(MIN "cpus = \"^0-63\"", "t.cfg:3: cpus:", "leaves no CPU");
    bad(MIN "cpus = \"nodes:0\"", "cpus:", "NUMA");
    bad(MIN "cpus = 3", "cpus:", "expected a list");
    bad(MIN "cpus = [ 3 ]", "cpus:", "quoted");
    bad(MIN "vcpus = 2\ncpus = [ \"0\", \"1\", \"2\" ]", "t.cfg:4: cpus: 3 lists for 2 vCPUs",
        NULL);
    bad(MIN "cpu_weight = 0", "cpu_weight:", "1..65535");
    bad(MIN "cpu_weight = 65536", "cpu_weight:", "out of range");
    bad(MIN "autostart = 2", "autostart:", "out of range");
    bad(MIN "on_crash = \"coredump-destroy\"", "t.cfg:3: on_crash:", "not supported");
    bad(MIN "on_crash = destroy", "on_crash:", "quoted string");
    bad(MIN "on_crash = [\"destroy\"]", "on_crash:", "list");
    bad(MIN "memory = 64\nmaxmem = 32", "t.cfg:4: maxmem:", "less than memory");
    bad(MIN "name = \"x\"", "t.cfg:3: name: given twice", NULL);
    bad(MIN "memory", "t.cfg:3: memory: expected '='", NULL);
    bad(MIN "memory =", "t.cfg:3: memory: missing value", NULL);
    bad(MIN "memory = # c\n", "memory: missing value", NULL);
    bad(MIN "memory = 3 4", "memory: unexpected '4'", NULL);
    bad(MIN "extra = \"abc", "t.cfg:3: extra: string not closed", NULL);
    bad(MIN "extra = \"ab\ncd\"", "extra: string not closed", NULL);
    bad(MIN "vif = [ 'a' 'b' ]", "vif: expected ',' or ']'", NULL);
    bad(MIN "vif = [ 'a',\n", "t.cfg:3: vif: list not closed", NULL);
    bad(MIN "= 5", "t.cfg:3: expected a key", NULL);
    bad(MIN "9lives = 5", "expected a key", NULL);
    bad("0ame = \"a\"\nkernel = \"k\"", "t.cfg:1: expected a key, got '0ame = \"a\"'", NULL);
    bad(MIN "memory = @", "memory: unexpected character", NULL);
    bad("name = \"a\"\nkernel = \"k\"\nextra = \"a\x01\"", "extra: control character", NULL);
}

static void test_missing_and_names(void **state)
{
    char big[700];

    (void)state;
    bad("kernel = \"k\"", "t.cfg: name: missing", NULL);
    bad("name = \"a\"", "t.cfg: kernel: missing", NULL);
    bad("", "name: missing", NULL);
    bad("name = \"\"\nkernel = \"k\"", "t.cfg:1: name:", "1..31");
    bad("name = \"a b\"\nkernel = \"k\"", "t.cfg:1: name:", "A-Z");
    bad("name = \"a/b\"\nkernel = \"k\"", "name:", "A-Z");
    bad("name = \"abcdefghijabcdefghijabcdefghijab\"\nkernel = \"k\"", "name:", "1..31");
    assert_int_equal(parse("name = \"abcdefghijabcdefghijabcdefghija\"\nkernel = \"k\""), 0);
    bad("name = \"a\"\nkernel = \"\"", "t.cfg:2: kernel:", "module name");
    bad("name = \"a\"\nkernel = \"/boot/\"", "kernel:", "module name");
    bad("name = \"a\"\nkernel = \"a b\"", "kernel:", "blanks");
    snprintf(big, sizeof(big), MIN "ramdisk = \"%070d\"", 0);
    bad(big, "ramdisk: too long", NULL);
    snprintf(big, sizeof(big), MIN "extra = \"%0600d\"", 0);
    bad(big, "t.cfg:3: extra: too long", NULL);
    snprintf(big, sizeof(big), MIN "root = \"%0300d\"\nextra = \"%0300d\"", 0, 0);
    bad(big, "t.cfg:4: extra:", "too long");
    snprintf(big, sizeof(big), MIN "cmdline = \"%0511d\"", 0);
    assert_int_equal(parse(big), 0);
    assert_int_equal(strlen(c.cmdline), 511);
}

static void test_not_nul_terminated_and_small_err(void **state)
{
    const char text[] = MIN "memory = 64XXXX";
    char small[8];

    (void)state;
    /* stop just after "64": the Xs beyond len must not be seen */
    assert_int_equal(xlcfg_parse(text, strlen(MIN) + 11, "m", &c, err, sizeof(err), NULL,
                                 NULL), 0);
    assert_int_equal(c.memory_mb, 64);
    assert_int_equal(xlcfg_parse("colour=1", 8, "m.cfg", &c, small, sizeof(small), NULL,
                                 NULL), -1);
    assert_string_equal(small, "m.cfg:1");
    assert_int_equal(xlcfg_parse(NULL, 5, "m.cfg", &c, err, sizeof(err), NULL, NULL), -1);
    assert_non_null(strstr(err, "name: missing"));
}

static void test_action_names(void **state)
{
    (void)state;
    assert_string_equal(domain_action_name(ACTION_DESTROY), "destroy");
    assert_string_equal(domain_action_name(ACTION_RESTART), "restart");
    assert_string_equal(domain_action_name(ACTION_PRESERVE), "preserve");
    assert_string_equal(domain_action_name(ACTION_RENAME_RESTART), "rename-restart");
    assert_string_equal(domain_action_name((enum domain_action)42), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal_defaults),
        cmocka_unit_test(test_full),
        cmocka_unit_test(test_cmdline_forms),
        cmocka_unit_test(test_ignored_keys_warn),
        cmocka_unit_test(test_edges_of_each_range_are_accepted),
        cmocka_unit_test(test_vcpus_and_cpus),
        cmocka_unit_test(test_errors_name_module_line_key),
        cmocka_unit_test(test_missing_and_names),
        cmocka_unit_test(test_not_nul_terminated_and_small_err),
        cmocka_unit_test(test_action_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
