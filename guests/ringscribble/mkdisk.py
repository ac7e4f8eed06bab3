#!/usr/bin/python3
"""ringscribble's disk: mkdisk.py OUT [BYTES] writes BYTES (default 65536, whole 512-byte
sectors) of the formula guests/ringscribble/valid.c's rs_disk_byte checks: every sector
begins "RSCRIBBLE-", its number in 4 hex digits and "--"; every other byte x is
0x80 | ((x * 37 + sector * 11) & 0x7f). No byte is 0 (guests/ringscribble/rs.h says why)."""
import sys


def disk_byte(x):
    """Byte x of the image (rs_disk_byte)."""
    o, sec = x % 512, x // 512
    if o < 16:
        return (b"RSCRIBBLE-%04x--" % (sec & 0xffff))[o]
    return 0x80 | ((x * 37 + sec * 11) & 0x7f)


def image(size):
    return bytes(disk_byte(x) for x in range(size))


def main():
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 65536
    if size <= 0 or size % 512:
        sys.exit("mkdisk.py: the size must be whole 512-byte sectors")
    with open(sys.argv[1], "wb") as fh:
        fh.write(image(size))


if __name__ == "__main__":
    main()
