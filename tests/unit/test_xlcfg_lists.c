/* Unit tests for the cfg reader's list keys (src/core/xlcfg.c's list iterator, xlcfg_disk.c,
 * xlcfg_vif.c): xl's disk specs in key=value, positional, mixed and legacy-prefix forms,
 * their order by vdev letter, vif specs with their ignored keys, the default MAC, lists over
 * several lines with comments, trailing commas and both quotes, and every error as one line
 * naming the module, the element's line and the key. */
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

/* Parse text (as t.cfg) from an exact-size heap copy, so a read past len is caught. */
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

/* Expect an error holding piece (and piece2 if given), on one line. */
static void bad(const char *text, const char *piece, const char *piece2)
{
    if (parse(text) != -1)
        fail_msg("accepted: %s", text);
    assert_null(strchr(err, '\n'));
    if (!strstr(err, piece) || (piece2 && !strstr(err, piece2)))
        fail_msg("for %s\n got error: %s\n wanted: %s / %s", text, err, piece,
                 piece2 ? piece2 : "");
}

/* Two lines, so a list key written after MIN is on line 3. */
#define MIN "name = \"d1\"\nkernel = \"hello.elf\"\n"

/* Expect c.disks[i] to be target/vdev/ro. */
static void disk_is(unsigned i, const char *target, const char *vdev, bool ro)
{
    assert_true(i < c.ndisks);
    assert_string_equal(c.disks[i].target, target);
    assert_string_equal(c.disks[i].vdev, vdev);
    assert_int_equal(c.disks[i].ro, ro);
}

/* Parse MIN + "disk = [ '<spec>' ]" and expect one disk target/vdev/ro. */
static void one_disk(const char *spec, const char *target, const char *vdev, bool ro)
{
    char text[400];

    snprintf(text, sizeof(text), MIN "disk = [ '%s' ]", spec);
    if (parse(text) != 0)
        fail_msg("refused: %s\n error: %s", spec, err);
    assert_int_equal(c.ndisks, 1);
    disk_is(0, target, vdev, ro);
}

static void test_no_lists_means_no_devices(void **state)
{
    (void)state;
    assert_int_equal(parse(MIN), 0);
    assert_int_equal(c.ndisks, 0);
    assert_int_equal(c.nvifs, 0);
    assert_int_equal(parse(MIN "disk = []\nvif = [ ]"), 0);
    assert_int_equal(c.ndisks, 0);
    assert_int_equal(c.nvifs, 0);
    assert_int_equal(w.n, 0);                 /* disk and vif no longer warn "ignored" */
}

static void test_disk_key_value_form(void **state)
{
    (void)state;
    one_disk("target=rootfs.img,vdev=xvda,access=rw", "rootfs.img", "xvda", false);
    one_disk("format=raw, vdev=hdb, access=ro, devtype=disk, target=/img/data.img",
             "data.img", "hdb", true);
    one_disk("vdev = sdc , access = r , target = x.img ", "x.img", "sdc", true);
    one_disk("access=w,vdev=vdd,target=y.img", "y.img", "vdd", false);
    one_disk("vdev=xvda,target=rootfs.img", "rootfs.img", "xvda", false);  /* default rw */
    /* everything after target= is the target, commas included; one final comma is cut */
    one_disk("vdev=xvdb,target=a,b.img", "a,b.img", "xvdb", false);
    one_disk("vdev=xvdb,target=r.img,", "r.img", "xvdb", false);
    one_disk("vdev=xvdb,target=dir/x,y=z", "x,y=z", "xvdb", false);
    one_disk("vdev=xvdb, target = a,b,c ", "a,b,c", "xvdb", false);
    /* ...unless all that follows its first comma is format/vdev/access/devtype fields,
     * which no module name holds: the 'target=rootfs.img,vdev=xvda,access=rw' */
    one_disk("target=rootfs.img, vdev=xvda ,access=ro,", "rootfs.img", "xvda", true);
    one_disk("target=r.img,format=raw,devtype=disk,vdev=xvdb", "r.img", "xvdb", false);
    one_disk("vdev=xvdc,target=r.img,access=ro,x", "r.img,access=ro,x", "xvdc", false);
}

static void test_disk_positional_and_mixed_forms(void **state)
{
    (void)state;
    one_disk("rootfs.img,raw,xvda,rw", "rootfs.img", "xvda", false);
    one_disk("rootfs.img,raw,xvda,ro", "rootfs.img", "xvda", true);
    one_disk("rootfs.img,raw,xvda,r", "rootfs.img", "xvda", true);
    one_disk("rootfs.img,raw,xvda,w", "rootfs.img", "xvda", false);
    one_disk("rootfs.img,,xvda", "rootfs.img", "xvda", false);        /* empty: defaults */
    one_disk("rootfs.img,,xvda,", "rootfs.img", "xvda", false);
    one_disk("rootfs.img, raw , xvda ,  ro  ", "rootfs.img", "xvda", true);
    one_disk("/boot/images/rootfs.img,raw,xvda", "rootfs.img", "xvda", false);
    /* a key fills its slot, positional fields the ones left, in xl's order */
    one_disk("format=raw,rootfs.img,xvda", "rootfs.img", "xvda", false);
    one_disk("vdev=xvdc,rootfs.img,raw,ro", "rootfs.img", "xvdc", true);
    one_disk("access=ro,rootfs.img,,hda", "rootfs.img", "hda", true);
    /* xl's deprecated prefixes meaning a raw file: the format slot is then taken */
    one_disk("file:/img/rootfs.img,xvda,w", "rootfs.img", "xvda", false);
    one_disk("raw:rootfs.img,xvdb,r", "rootfs.img", "xvdb", true);
    one_disk("tap:aio:/x.img,xvdc,r", "x.img", "xvdc", true);
    one_disk("aio:x.img,xvdd", "x.img", "xvdd", false);
    one_disk("vdev=xvde,target=file:/x.img", "x.img", "xvde", false);
}

/* disks[] is in the order of the vdev letters, whatever the prefix, with gaps closed: the
 * guest's /dev/vda, /dev/vdb... are disks[0], disks[1]... */
static void test_disks_sorted_by_letter(void **state)
{
    (void)state;
    assert_int_equal(parse(MIN "disk = [ 'c.img,,xvdz', \"a.img,,hdc\",\n"
                           "  'b.img,,sdb,ro',  # the second in the guest\n"
                           "  'd.img,,vdy',\n"
                           "]\n"
                           "memory = 64\n"), 0);
    assert_int_equal(c.ndisks, 4);
    disk_is(0, "b.img", "sdb", true);
    disk_is(1, "a.img", "hdc", false);
    disk_is(2, "d.img", "vdy", false);
    disk_is(3, "c.img", "xvdz", false);
    assert_int_equal(c.memory_mb, 64);
    assert_int_equal(w.n, 0);
}

static void test_disk_limit(void **state)
{
    (void)state;
    assert_int_equal(parse(MIN "disk = [ 'a,,xvdh', 'b,,xvdg', 'c,,xvdf', 'd,,xvde',\n"
                           "'e,,xvdd', 'f,,xvdc', 'g,,xvdb', 'h,,xvda', ]"), 0);
    assert_int_equal(c.ndisks, XLCFG_DISKS_MAX);
    disk_is(0, "h", "xvda", false);
    disk_is(7, "a", "xvdh", false);
    bad(MIN "disk = [ 'a,,xvdh', 'b,,xvdg', 'c,,xvdf', 'd,,xvde',\n"
        "'e,,xvdd', 'f,,xvdc', 'g,,xvdb', 'h,,xvda',\n 'i,,xvdi' ]",
        "t.cfg:5: disk: more than 8 disks", NULL);
}

static void test_disk_errors(void **state)
{
    char big[300];

    (void)state;
    bad(MIN "disk = [ 'colour=red,target=r.img' ]", "t.cfg:3: disk: unknown key 'colour'",
        NULL);
    bad(MIN "disk = [ 'r.img,,xvda,rw,backendtype=qdisk' ]", "t.cfg:3: disk: unknown key",
        "backendtype");
    bad(MIN "disk = [ 'vdev=xvda' ]", "t.cfg:3: disk: no target", NULL);
    bad(MIN "disk = [ 'vdev=xvda,access=ro' ]", "t.cfg:3: disk: no target", NULL);
    bad(MIN "disk = [ '' ]", "t.cfg:3: disk: no target", NULL);
    bad(MIN "disk = [ ',raw,xvda' ]", "t.cfg:3: disk: no target", NULL);
    bad(MIN "disk = [ 'vdev=xvda,target=' ]", "t.cfg:3: disk: no target", NULL);
    bad(MIN "disk = [ 'images/,,xvda' ]", "t.cfg:3: disk:", "module name");
    bad(MIN "disk = [ 'r img,,xvda' ]", "t.cfg:3: disk:", "blanks");
    snprintf(big, sizeof(big), MIN "disk = [ '%070d,,xvda' ]", 0);
    bad(big, "t.cfg:3: disk: target too long", NULL);
    bad(MIN "disk = [ 'rootfs.img' ]", "t.cfg:3: disk: no vdev", NULL);
    bad(MIN "disk = [ 'rootfs.img,raw' ]", "t.cfg:3: disk: no vdev", NULL);
    bad(MIN "disk = [ 'r.img,qcow2,xvda' ]", "t.cfg:3: disk: format 'qcow2' is not supported",
        "raw only");
    bad(MIN "disk = [ 'format=vhd,vdev=xvda,target=r' ]", "disk: format 'vhd'", NULL);
    bad(MIN "disk = [ 'qcow2:/x.img,xvda' ]", "t.cfg:3: disk: format 'qcow2'", NULL);
    bad(MIN "disk = [ 'qcow:/x.img,xvda' ]", "disk: format 'qcow'", NULL);
    bad(MIN "disk = [ 'phy:/dev/vg/g,xvda,w' ]", "t.cfg:3: disk: 'phy:/dev/vg/g'",
        "host device");
    bad(MIN "disk = [ 'r.img,,xvd1' ]", "t.cfg:3: disk: vdev 'xvd1'", "xvd[a-z]");
    bad(MIN "disk = [ 'r.img,,xvdaa' ]", "disk: vdev 'xvdaa'", NULL);
    bad(MIN "disk = [ 'r.img,,hdA' ]", "disk: vdev 'hdA'", NULL);
    bad(MIN "disk = [ 'r.img,,nvme0n1' ]", "disk: vdev 'nvme0n1'", NULL);
    bad(MIN "disk = [ 'r.img,,xvd' ]", "disk: vdev 'xvd'", NULL);
    bad(MIN "disk = [ 'r.img,raw,,rw' ]", "disk: vdev ''", NULL);
    bad(MIN "disk = [ 'r.img,,xvda,rwx' ]", "t.cfg:3: disk: access 'rwx'", NULL);
    bad(MIN "disk = [ 'r.img,,hdc,cdrom' ]", "disk: access 'cdrom'", NULL);
    bad(MIN "disk = [ 'devtype=cdrom,r.img,,hdc' ]", "t.cfg:3: disk: devtype 'cdrom'", NULL);
    bad(MIN "disk = [ 'r.img,raw,xvda,rw,more' ]", "t.cfg:3: disk: too many positional",
        "'more'");
    bad(MIN "disk = [ 'vdev=xvda,vdev=xvdb,target=r' ]", "t.cfg:3: disk: vdev given twice",
        NULL);
    bad(MIN "disk = [ 'r.img,,xvda,ro,access=ro' ]", "disk: access given twice", NULL);
    bad(MIN "disk = [ 'r.img,vdev=xvda,target=s.img' ]", "disk: target given twice", NULL);
    bad(MIN "disk = [ 'target=r.img,vdev=xvda,target=s.img' ]", "disk: no vdev", NULL);
    bad(MIN "disk = [ 'vdev=xvdb,target=r.img,vdev=xvdc' ]", "disk: vdev given twice", NULL);
    bad(MIN "disk = [ 'target=r.img,xvda' ]", "disk: no vdev in", NULL);
    /* one letter, one disk: the second element's own line is named */
    bad(MIN "disk = [ 'a.img,,xvda',\n"
        "         'b.img,,xvda' ]", "t.cfg:4: disk: vdev 'xvda' is disk a", "'a.img'");
    bad(MIN "disk = [\n 'a.img,,xvdb',\n\n 'b.img,,hdb' ]", "t.cfg:6: disk: vdev 'hdb'",
        "'a.img' (xvdb)");
    /* the list itself */
    bad(MIN "disk = 'r.img,,xvda'", "t.cfg:3: disk: expected a list", NULL);
    bad(MIN "disk = [ 'r.img,,xvda', 5 ]", "t.cfg:3: disk: expected a quoted spec, got 5",
        NULL);
    bad(MIN "disk = [ 'a,,xvda' ]\ndisk = [ 'b,,xvdb' ]", "t.cfg:4: disk: given twice", NULL);
    bad(MIN "disk = [ 'a,,xvda',\n  'b,,xvdb'\n", "t.cfg:3: disk: list not closed", NULL);
    bad(MIN "disk = [ 'a,,xvda',\n  'b,,xvdb',\n", "t.cfg:3: disk: list not closed", NULL);
    bad(MIN "disk = [ 'a,,xvda'\n  'b,,xvdb' ]", "t.cfg:4: disk: expected ',' or ']'", NULL);
    bad(MIN "disk = [ 'a,,xvda', 'b,,xvdb ]", "t.cfg:3: disk: string not closed", NULL);
}

static void test_vif_forms(void **state)
{
    static const uint8_t mac1[6] = { 0x00, 0x16, 0x3e, 0x12, 0x34, 0x56 };
    static const uint8_t mac2[6] = { 0x02, 0xab, 0xCD, 0xef, 0x00, 0x01 };

    (void)state;
    assert_int_equal(parse(MIN "vif = [ 'bridge=lan0,mac=00:16:3e:12:34:56',\n"
                           "        \"mac=02:AB:cd:EF:00:01 , bridge = dmz_1.x-y\", # local\n"
                           "        '',   # xenbr0, MAC to derive\n"
                           "]"), 0);
    assert_int_equal(c.nvifs, 3);
    assert_string_equal(c.vifs[0].bridge, "lan0");
    assert_true(c.vifs[0].mac_set);
    assert_memory_equal(c.vifs[0].mac, mac1, 6);
    assert_string_equal(c.vifs[1].bridge, "dmz_1.x-y");
    assert_true(c.vifs[1].mac_set);
    assert_memory_equal(c.vifs[1].mac, mac2, 6);
    assert_string_equal(c.vifs[2].bridge, "xenbr0");
    assert_false(c.vifs[2].mac_set);
    assert_int_equal(w.n, 0);
    assert_int_equal(parse(MIN "vif = [ 'bridge=a,,mac=00:16:3e:00:00:01,' ]"), 0);
    assert_string_equal(c.vifs[0].bridge, "a");
    assert_true(c.vifs[0].mac_set);
    assert_int_equal(parse(MIN "vif = [ 'bridge=abcdefghijklmno' ]"), 0);   /* 15 */
    assert_string_equal(c.vifs[0].bridge, "abcdefghijklmno");
    assert_false(c.vifs[0].mac_set);
}

static void test_vif_ignored_keys_warn(void **state)
{
    (void)state;
    assert_int_equal(parse(MIN "vif = [ 'bridge=a',\n"
                           "  'type=vif,model=e1000,bridge=b,script=vif-bridge,ip=10.0.0.2,"
                           "vifname=v1,rate=10Mb/s' ]"), 0);
    assert_int_equal(c.nvifs, 2);
    assert_string_equal(c.vifs[1].bridge, "b");
    assert_int_equal(w.n, 6);
    assert_string_equal(w.msg[0], "t.cfg:4: vif: type ignored (Kestrel has no use for it)");
    assert_non_null(strstr(w.msg[1], "t.cfg:4: vif: model ignored"));
    assert_non_null(strstr(w.msg[2], "t.cfg:4: vif: script ignored"));
    assert_non_null(strstr(w.msg[3], "t.cfg:4: vif: ip ignored"));
    assert_non_null(strstr(w.msg[4], "t.cfg:4: vif: vifname ignored"));
    assert_non_null(strstr(w.msg[5], "t.cfg:4: vif: rate ignored"));
    /* no warn callback: still accepted */
    assert_int_equal(xlcfg_parse(MIN "vif=['model=e1000']", strlen(MIN "vif=['model=e1000']"),
                                 "t.cfg", &c, NULL, 0, NULL, NULL), 0);
    assert_int_equal(c.nvifs, 1);
}

static void test_vif_errors(void **state)
{
    (void)state;
    bad(MIN "vif = [ 'colour=red' ]", "t.cfg:3: vif: unknown key 'colour'", NULL);
    bad(MIN "vif = [ 'bridge=a,lan0' ]", "t.cfg:3: vif: expected key=value, got 'lan0'", NULL);
    bad(MIN "vif = [ 'bridge=' ]", "t.cfg:3: vif: bridge ''", "1..15");
    bad(MIN "vif = [ 'bridge=abcdefghijklmnop' ]", "vif: bridge 'abcdefghijklmnop'", NULL);
    bad(MIN "vif = [ 'bridge=br/0' ]", "vif: bridge 'br/0'", NULL);
    bad(MIN "vif = [ 'bridge=br 0' ]", "vif: bridge 'br 0'", NULL);
    bad(MIN "vif = [ 'mac=00:16:3e:12:34' ]", "t.cfg:3: vif: mac '00:16:3e:12:34'",
        "six hex octets");
    bad(MIN "vif = [ 'mac=00-16-3e-12-34-56' ]", "vif: mac '00-16-3e-12-34-56'", NULL);
    bad(MIN "vif = [ 'mac=00:16:3e:12:34:5g' ]", "vif: mac", "six hex octets");
    bad(MIN "vif = [ 'mac=0:16:3e:12:34:56:' ]", "vif: mac", "six hex octets");
    bad(MIN "vif = [ 'mac=00:16:3e:12:34:567' ]", "vif: mac", "six hex octets");
    bad(MIN "vif = [ 'mac=' ]", "vif: mac ''", NULL);
    bad(MIN "vif = [ 'mac=01:00:5e:00:00:01' ]", "t.cfg:3: vif: mac '01:00:5e:00:00:01'",
        "multicast");
    bad(MIN "vif = [ 'mac=ff:ff:ff:ff:ff:ff' ]", "vif:", "multicast");
    bad(MIN "vif = [ 'mac=00:00:00:00:00:00' ]", "t.cfg:3: vif: mac 00:00:00:00:00:00", NULL);
    bad(MIN "vif = [ 'bridge=a,bridge=b' ]", "t.cfg:3: vif: bridge given twice", NULL);
    bad(MIN "vif = [ 'mac=00:16:3e:00:00:01,mac=00:16:3e:00:00:02' ]", "vif: mac given twice",
        NULL);
    /* one vif per bridge (the default one counts), one MAC per vif */
    bad(MIN "vif = [ 'bridge=lan0',\n 'bridge=lan0,mac=00:16:3e:00:00:02' ]",
        "t.cfg:4: vif: a second vif on bridge 'lan0'", NULL);
    bad(MIN "vif = [ '', 'mac=00:16:3e:00:00:01' ]", "vif: a second vif on bridge 'xenbr0'",
        NULL);
    bad(MIN "vif = [ 'bridge=a,mac=00:16:3e:00:00:01',\n\n"
        "        'bridge=b,mac=00:16:3E:00:00:01' ]",
        "t.cfg:5: vif: mac 00:16:3e:00:00:01 given to two vifs", NULL);
    bad(MIN "vif = [ 'bridge=a0', 'bridge=a1', 'bridge=a2', 'bridge=a3', 'bridge=a4',\n"
        "'bridge=a5', 'bridge=a6', 'bridge=a7', 'bridge=a8' ]", "t.cfg:4: vif: more than 8",
        NULL);
    assert_int_equal(parse(MIN "vif = [ 'bridge=a0', 'bridge=a1', 'bridge=a2', 'bridge=a3',\n"
                           "'bridge=a4', 'bridge=a5', 'bridge=a6', 'bridge=a7' ]"), 0);
    assert_int_equal(c.nvifs, XLCFG_VIFS_MAX);
    assert_string_equal(c.vifs[7].bridge, "a7");
    bad(MIN "vif = 'bridge=a'", "t.cfg:3: vif: expected a list", NULL);
    bad(MIN "vif = [ bridge ]", "t.cfg:3: vif: expected a quoted spec, got bridge", NULL);
    bad(MIN "vif = [ ]\nvif = [ ]", "t.cfg:4: vif: given twice", NULL);
}

/* The documented formula, written again here: FNV-1a 32-bit of the name. */
static uint32_t fnv1a(const char *s)
{
    uint32_t h = 2166136261u;

    for (; *s; s++) {
        h ^= (uint8_t)*s;
        h *= 16777619u;
    }
    return h;
}

static void test_default_mac(void **state)
{
    uint8_t a[6], b[6], seen[8][6];
    uint32_t h = fnv1a("web");

    (void)state;
    xlcfg_vif_default_mac("web", 0, a);
    xlcfg_vif_default_mac("web", 0, b);
    assert_memory_equal(a, b, 6);                          /* stable */
    assert_int_equal(a[0], 0x00);
    assert_int_equal(a[1], 0x16);
    assert_int_equal(a[2], 0x3e);
    assert_int_equal(a[3], (h >> 24) & 0x7f);
    assert_int_equal(a[4], (uint8_t)(h >> 16));
    assert_int_equal(a[5], (uint8_t)h);
    xlcfg_vif_default_mac("web", 3, b);
    assert_int_equal(b[5], (uint8_t)(h + 3));
    xlcfg_vif_default_mac("db", 0, b);
    assert_memory_not_equal(a, b, 6);                      /* the name matters */
    for (unsigned i = 0; i < 8; i++) {                     /* one domain's vifs differ */
        xlcfg_vif_default_mac("a-long-domain-name.example", i, seen[i]);
        assert_int_equal(seen[i][0] & 1, 0);               /* unicast */
        assert_int_equal(seen[i][3] & 0x80, 0);
        for (unsigned j = 0; j < i; j++)
            assert_memory_not_equal(seen[i], seen[j], 6);
    }
    xlcfg_vif_default_mac(NULL, 0, a);
    xlcfg_vif_default_mac("", 0, b);
    assert_memory_equal(a, b, 6);
}

/* An error inside a spec still fits a small buffer, cut and NUL-terminated. */
static void test_small_error_buffer(void **state)
{
    const char *text = MIN "disk = [ 'r.img,,xvd9' ]";
    char small[10];

    (void)state;
    assert_int_equal(xlcfg_parse(text, strlen(text), "m.cfg", &c, small, sizeof(small), NULL,
                                 NULL), -1);
    assert_string_equal(small, "m.cfg:3: ");
    assert_int_equal(xlcfg_parse(text, strlen(text), "m.cfg", &c, NULL, 0, NULL, NULL), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_lists_means_no_devices),
        cmocka_unit_test(test_disk_key_value_form),
        cmocka_unit_test(test_disk_positional_and_mixed_forms),
        cmocka_unit_test(test_disks_sorted_by_letter),
        cmocka_unit_test(test_disk_limit),
        cmocka_unit_test(test_disk_errors),
        cmocka_unit_test(test_vif_forms),
        cmocka_unit_test(test_vif_ignored_keys_warn),
        cmocka_unit_test(test_vif_errors),
        cmocka_unit_test(test_default_mac),
        cmocka_unit_test(test_small_error_buffer),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
