// SPDX-License-Identifier: GPL-2.0
/*
 * blkzeroout: zero a byte range of a block device, for the write-zeroes
 * case of tools/testing (cases/write-zeroes) (BusyBox's blkdiscard has no -z).
 *
 * Usage: blkzeroout [-n] DEVICE OFFSET LENGTH
 *
 * Without -n: ioctl(BLKZEROOUT). The block layer uses Write Zeroes when
 * the queue advertises it (write_zeroes_max_bytes > 0), and otherwise
 * falls back to writing pages of zeros, so this alone does not prove that
 * the driver sent Write Zeroes.
 *
 * With -n ("no fallback"): fallocate(FALLOC_FL_PUNCH_HOLE |
 * FALLOC_FL_KEEP_SIZE) on the block device, which the block layer turns
 * into blkdev_issue_zeroout(..., BLKDEV_ZERO_NOFALLBACK): it fails with
 * EOPNOTSUPP unless the device really executes Write Zeroes.
 *
 * OFFSET and LENGTH are in bytes (decimal, or 0x... hex) and must be
 * multiples of the logical block size. Exit status 0 on success.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	return errno || end == s || *end ? -1 : 0;
}

int main(int argc, char **argv)
{
	uint64_t range[2];
	int nofallback = 0, fd, ret;

	if (argc == 5 && !strcmp(argv[1], "-n")) {
		nofallback = 1;
		argv++;
		argc--;
	}
	if (argc != 4 || parse_u64(argv[2], &range[0]) ||
	    parse_u64(argv[3], &range[1])) {
		fprintf(stderr, "usage: blkzeroout [-n] DEVICE OFFSET LENGTH\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "blkzeroout: open %s: %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	if (nofallback)
		ret = fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				(off_t)range[0], (off_t)range[1]);
	else
		ret = ioctl(fd, BLKZEROOUT, range);
	if (ret) {
		fprintf(stderr, "blkzeroout: %s %s offset %llu length %llu: %s\n",
			nofallback ? "fallocate(PUNCH_HOLE)" : "BLKZEROOUT",
			argv[1], (unsigned long long)range[0],
			(unsigned long long)range[1], strerror(errno));
		close(fd);
		return 1;
	}
	if (close(fd)) {
		fprintf(stderr, "blkzeroout: close: %s\n", strerror(errno));
		return 1;
	}
	printf("blkzeroout: zeroed %llu bytes at %llu of %s (%s)\n",
	       (unsigned long long)range[1], (unsigned long long)range[0],
	       argv[1], nofallback ? "Write Zeroes only" : "BLKZEROOUT");
	return 0;
}
