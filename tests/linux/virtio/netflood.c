/* netflood - the flood test's guest program (tests/system/test_linux_netflood.py, issue 18):
 * sends raw Ethernet frames on an interface as fast as the kernel takes them, through an
 * AF_PACKET socket, for a number of seconds (0: until SIGINT/SIGTERM), then prints
 * "netflood: sent N frames, refused M". Built static with Debian's gcc by
 * tests/linux/mkinitramfs.sh --virtio into the virtio initramfs as /bin/netflood.
 *
 *   netflood IFACE SECONDS [SRC_MAC|own] [DST_MAC] [LEN]
 *
 * SRC_MAC defaults to the interface's own (a fair flood the bridge must rate-limit);
 * another one makes a spoofing flood (the bridge drops it all). DST_MAC defaults to
 * broadcast; a MAC no port owns makes an unknown-unicast flood. LEN: frame bytes, 60..1514
 * (default 60). EtherType 0x88b5 (IEEE local experimental): receivers drop the frames. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

/* Parse xx:xx:xx:xx:xx:xx into mac; 0, or -1 if it is not one. */
static int parse_mac(const char *s, unsigned char mac[6])
{
    unsigned v[6];
    char end;

    if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &end) != 6)
        return -1;
    for (int i = 0; i < 6; i++) {
        if (v[i] > 255)
            return -1;
        mac[i] = (unsigned char)v[i];
    }
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    unsigned char frame[1514] = { 0 }, src[6], dst[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    struct ifreq ifr;
    size_t len = 60;

    if (argc < 3) {
        fprintf(stderr, "usage: netflood IFACE SECONDS [SRC_MAC|own] [DST_MAC] [LEN]\n");
        return 2;
    }
    double seconds = atof(argv[2]);
    int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    if (fd < 0) {
        perror("netflood: socket");
        return 1;
    }
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[1]);
    if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
        perror("netflood: SIOCGIFINDEX");
        return 1;
    }
    int ifindex = ifr.ifr_ifindex;
    if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
        perror("netflood: SIOCGIFHWADDR");
        return 1;
    }
    memcpy(src, ifr.ifr_hwaddr.sa_data, 6);
    if ((argc > 3 && strcmp(argv[3], "own") != 0 && parse_mac(argv[3], src) < 0) ||
        (argc > 4 && parse_mac(argv[4], dst) < 0)) {
        fprintf(stderr, "netflood: bad MAC\n");
        return 2;
    }
    if (argc > 5) {
        len = (size_t)atoi(argv[5]);
        if (len < 60 || len > sizeof(frame))
            len = 60;
    }
    memcpy(frame, dst, 6);
    memcpy(frame + 6, src, 6);
    frame[12] = 0x88;
    frame[13] = 0xb5;

    struct sockaddr_ll to = { 0 };
    to.sll_family = AF_PACKET;
    to.sll_ifindex = ifindex;
    to.sll_halen = 6;
    memcpy(to.sll_addr, dst, 6);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);

    unsigned long long sent = 0, refused = 0;
    double end = now_s() + seconds;
    while (!stop && (seconds <= 0 || (sent + refused) % 64 != 0 || now_s() < end)) {
        memcpy(frame + 14, &sent, sizeof(sent));
        if (sendto(fd, frame, len, 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)len)
            sent++;
        else if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR)
            refused++;
        else {
            perror("netflood: sendto");
            break;
        }
    }
    printf("netflood: sent %llu frames, refused %llu\n", sent, refused);
    return 0;
}
