// SPDX-License-Identifier: GPL-2.0
/*
 * nvme-ioctl-check: run inside the guest against a my_nvme controller node
 * and one of its namespace disks; checks that the passthrough ioctls work
 * and that malformed or unprivileged ones get the documented errno.
 *
 * Usage: nvme-ioctl-check /dev/my_nvme0 /dev/my_nvme0n1
 * Prints one "ok"/"not ok" line per check and exits non-zero on a failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/nvme_ioctl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int failures;

static void check(int cond, const char *what)
{
	printf("%s - %s\n", cond ? "ok" : "not ok", what);
	if (!cond)
		failures++;
}

/* Returns the ioctl's result, or -errno. */
static int submit(int fd, unsigned long req, void *cmd)
{
	int ret = ioctl(fd, req, cmd);

	return ret < 0 ? -errno : ret;
}

static void identify(struct nvme_passthru_cmd *c, void *buf, uint32_t cns,
		     uint32_t nsid)
{
	memset(c, 0, sizeof(*c));
	c->opcode = 0x06;
	c->nsid = nsid;
	c->addr = (uintptr_t)buf;
	c->data_len = 4096;
	c->cdw10 = cns;
}

int main(int argc, char **argv)
{
	static unsigned char buf[8192] __attribute__((aligned(4096)));
	static unsigned char wbuf[4096] __attribute__((aligned(4096)));
	struct nvme_passthru_cmd c;
	struct nvme_passthru_cmd64 c64;
	int cfd, nfd, ret, nsid;

	if (argc != 3) {
		fprintf(stderr, "usage: %s CTRL_DEV NS_DEV\n", argv[0]);
		return 2;
	}
	cfd = open(argv[1], O_RDWR);
	nfd = open(argv[2], O_RDWR);
	if (cfd < 0 || nfd < 0) {
		perror("open");
		return 2;
	}

	nsid = ioctl(nfd, NVME_IOCTL_ID);
	check(nsid >= 1, "NVME_IOCTL_ID on the namespace returns its nsid");
	check(submit(cfd, NVME_IOCTL_ID, NULL) == -ENOTTY,
	      "NVME_IOCTL_ID on the controller node is ENOTTY");

	identify(&c, buf, 1, 0);
	ret = submit(cfd, NVME_IOCTL_ADMIN_CMD, &c);
	check(ret == 0 && buf[0] | buf[1], "Identify Controller via ADMIN_CMD");

	memset(&c64, 0, sizeof(c64));
	c64.opcode = 0x06;
	c64.nsid = nsid;
	c64.addr = (uintptr_t)buf;
	c64.data_len = 4096;
	c64.cdw10 = 0;
	check(submit(nfd, NVME_IOCTL_ADMIN64_CMD, &c64) == 0,
	      "Identify Namespace via ADMIN64_CMD on the disk");

	/* Get Features, Number of Queues: the result carries the counts. */
	memset(&c, 0, sizeof(c));
	c.opcode = 0x0a;
	c.cdw10 = 0x07;
	ret = submit(cfd, NVME_IOCTL_ADMIN_CMD, &c);
	check(ret == 0 && c.result != 0, "Get Features returns a result");

	/* Write then read one block through IO_CMD and IO64_CMD. */
	for (unsigned int i = 0; i < sizeof(wbuf); i++)
		wbuf[i] = (unsigned char)(i * 7 + 3);
	memset(&c, 0, sizeof(c));
	c.opcode = 0x01;
	c.nsid = nsid;
	c.addr = (uintptr_t)wbuf;
	c.data_len = 512;
	c.cdw10 = 8;	/* SLBA 8 */
	check(submit(nfd, NVME_IOCTL_IO_CMD, &c) == 0, "write via IO_CMD");
	memset(&c64, 0, sizeof(c64));
	memset(buf, 0, sizeof(buf));
	c64.opcode = 0x02;
	c64.nsid = nsid;
	c64.addr = (uintptr_t)buf;
	c64.data_len = 512;
	c64.cdw10 = 8;
	ret = submit(cfd, NVME_IOCTL_IO64_CMD, &c64);
	check(ret == 0 && !memcmp(buf, wbuf, 512),
	      "read back via IO64_CMD on the controller node");

	/* An NVMe error comes back as the positive status. */
	memset(&c, 0, sizeof(c));
	c.opcode = 0x02;
	c.nsid = nsid;
	c.addr = (uintptr_t)buf;
	c.data_len = 512;
	c.cdw10 = 0xfffffff0;
	c.cdw11 = 0xff;		/* far beyond the namespace */
	ret = submit(nfd, NVME_IOCTL_IO_CMD, &c);
	check(ret > 0 && (ret & 0x7ff) == 0x80,
	      "read past the end returns LBA Out of Range status");

	/* Malformed commands. */
	identify(&c, buf, 1, 0);
	c.flags = 0x40;
	check(submit(cfd, NVME_IOCTL_ADMIN_CMD, &c) == -EINVAL,
	      "flags set is EINVAL");
	identify(&c, buf, 1, 0);
	c.metadata = (uintptr_t)buf;
	c.metadata_len = 64;
	check(submit(cfd, NVME_IOCTL_ADMIN_CMD, &c) == -EINVAL,
	      "metadata buffer is EINVAL");
	identify(&c, buf, 1, 0);
	c.data_len = 64 << 20;
	check(submit(cfd, NVME_IOCTL_ADMIN_CMD, &c) == -EINVAL,
	      "data_len beyond the transfer limit is EINVAL");
	identify(&c, buf, 1, 0);
	c.addr = 0;
	check(submit(cfd, NVME_IOCTL_ADMIN_CMD, &c) == -EINVAL,
	      "length without a buffer is EINVAL");
	identify(&c, buf, 1, 0);
	c.addr = 0x10;	/* not mapped */
	ret = submit(cfd, NVME_IOCTL_ADMIN_CMD, &c);
	check(ret == -EFAULT || ret == -EINVAL, "unmapped buffer is EFAULT");
	memset(&c, 0, sizeof(c));
	c.opcode = 0x00;	/* Delete I/O SQ */
	c.cdw10 = 1;
	check(submit(cfd, NVME_IOCTL_ADMIN_CMD, &c) == -EPERM,
	      "Delete I/O SQ is EPERM");
	memset(&c, 0, sizeof(c));
	c.opcode = 0x02;
	c.nsid = 0x7777;
	c.addr = (uintptr_t)buf;
	c.data_len = 512;
	check(submit(cfd, NVME_IOCTL_IO_CMD, &c) == -EINVAL,
	      "IO_CMD for an unknown namespace on the controller is EINVAL");
	/* A disk's I/O commands must name its own namespace. */
	memset(&c, 0, sizeof(c));
	c.opcode = 0x02;
	c.nsid = nsid + 1;
	c.addr = (uintptr_t)buf;
	c.data_len = 512;
	check(submit(nfd, NVME_IOCTL_IO_CMD, &c) == -EINVAL,
	      "IO_CMD on the disk naming another namespace is EINVAL");
	c.nsid = 0xffffffff;
	check(submit(nfd, NVME_IOCTL_IO_CMD, &c) == -EINVAL,
	      "IO_CMD on the disk naming every namespace is EINVAL");
	/* The driver keeps the AERs. */
	memset(&c, 0, sizeof(c));
	c.opcode = 0x0c;
	check(submit(cfd, NVME_IOCTL_ADMIN_CMD, &c) == -EPERM,
	      "Asynchronous Event Request is EPERM");
	check(submit(cfd, _IO('N', 0x7f), NULL) == -ENOTTY,
	      "unknown ioctl is ENOTTY");
	check(submit(cfd, NVME_IOCTL_ADMIN_CMD, (void *)0x10) == -EFAULT,
	      "bad command pointer is EFAULT");

	/* Still alive after all that? */
	identify(&c, buf, 1, 0);
	check(submit(cfd, NVME_IOCTL_ADMIN_CMD, &c) == 0,
	      "controller still answers");

	/* Unprivileged. */
	if (setuid(65534) == 0) {
		identify(&c, buf, 1, 0);
		check(submit(cfd, NVME_IOCTL_ADMIN_CMD, &c) == -EACCES,
		      "without CAP_SYS_ADMIN is EACCES");
	} else {
		check(0, "setuid(65534)");
	}

	printf("%d failure(s)\n", failures);
	return failures ? 1 : 0;
}
