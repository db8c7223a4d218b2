// SPDX-License-Identifier: GPL-2.0
/*
 * nvme-nswalk: keep a my_nvme controller's namespace list busy. Sends
 * NVME_IOCTL_IO_CMD (a Flush) for namespace ids that do not exist on the
 * controller node, over and over: the driver walks its whole namespace
 * list (under SRCU) to find each, and refuses it. Meant to run while the
 * controller is unbound, which takes the list apart.
 *
 * Usage: nvme-nswalk CTRL_DEV SECONDS
 * Prints the number of calls and their results; exits non-zero if a call
 * returned anything but EINVAL, ENODEV or EBADF/ENXIO (the controller
 * went away).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/nvme_ioctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned long calls = 0, einval = 0, gone = 0, other = 0;
	struct nvme_passthru_cmd cmd;
	struct timespec now, end;
	int fd, ret, first_other = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: %s CTRL_DEV SECONDS\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_RDWR);
	if (fd < 0) {
		perror(argv[1]);
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += atoi(argv[2]);
	do {
		memset(&cmd, 0, sizeof(cmd));
		cmd.opcode = 0x00;		/* Flush */
		cmd.nsid = 1000 + (calls & 7);	/* no such namespace */
		ret = ioctl(fd, NVME_IOCTL_IO_CMD, &cmd);
		calls++;
		if (ret < 0 && errno == EINVAL)
			einval++;
		else if (ret < 0 && (errno == ENODEV || errno == ENXIO ||
				     errno == EBADF))
			gone++;
		else if (!other++)
			first_other = ret < 0 ? -errno : ret;
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec < end.tv_sec ||
		 (now.tv_sec == end.tv_sec && now.tv_nsec < end.tv_nsec));
	printf("nvme-nswalk: %lu calls: %lu EINVAL, %lu gone, %lu other (first %d)\n",
	       calls, einval, gone, other, first_other);
	close(fd);
	return other ? 1 : 0;
}
