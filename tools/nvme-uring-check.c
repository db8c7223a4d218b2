// SPDX-License-Identifier: GPL-2.0
/*
 * nvme-uring-check: run inside the guest against a my_nvme controller
 * node, one of its namespaces' generic char devices and the namespace's
 * disk; checks io_uring passthrough (IORING_OP_URING_CMD with struct
 * nvme_uring_cmd, 128-byte SQEs and 32-byte CQEs) without liburing:
 * admin commands on the controller, I/O on the generic device, their
 * results in the big CQE, and the errno of the commands the driver
 * refuses. A refused command must leave the namespace readable.
 *
 * Usage: nvme-uring-check /dev/my_nvme0 /dev/my_ng0n1 /dev/my_nvme0n1
 *        nvme-uring-check --zone-append /dev/my_ng0n1 /dev/my_nvme0n1 ZSLBA
 * The second form appends to the empty zone starting at LBA ZSLBA of a
 * zoned namespace (Zone Append through io_uring): each append's result
 * is the LBA the controller wrote it to, one after the other, and the
 * disk reads the data there.
 * Prints one "ok"/"not ok" line per check and exits non-zero on a failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/io_uring.h>
#include <linux/nvme_ioctl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static int failures;

static void check(int cond, const char *what)
{
	printf("%s - %s\n", cond ? "ok" : "not ok", what);
	if (!cond)
		failures++;
}

struct ring {
	int fd;
	unsigned int sqe_size, cqe_size;
	unsigned int *sq_tail, *sq_mask, *sq_array;
	unsigned int *cq_head, *cq_tail, *cq_mask;
	char *sqes, *cqes;
};

static int ring_init(struct ring *r, unsigned int flags)
{
	struct io_uring_params p;
	char *sq, *cq;

	memset(&p, 0, sizeof(p));
	p.flags = flags;
	r->fd = syscall(__NR_io_uring_setup, 4, &p);
	if (r->fd < 0)
		return -errno;
	r->sqe_size = (flags & IORING_SETUP_SQE128) ? 128 : 64;
	r->cqe_size = (flags & IORING_SETUP_CQE32) ? 32 : 16;
	sq = mmap(NULL, p.sq_off.array + p.sq_entries * sizeof(unsigned int),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		  IORING_OFF_SQ_RING);
	cq = mmap(NULL, p.cq_off.cqes + p.cq_entries * r->cqe_size,
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		  IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, p.sq_entries * r->sqe_size,
		       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		       IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || r->sqes == MAP_FAILED)
		return -errno;
	r->sq_tail = (unsigned int *)(sq + p.sq_off.tail);
	r->sq_mask = (unsigned int *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned int *)(sq + p.sq_off.array);
	r->cq_head = (unsigned int *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned int *)(cq + p.cq_off.tail);
	r->cq_mask = (unsigned int *)(cq + p.cq_off.ring_mask);
	r->cqes = cq + p.cq_off.cqes;
	return 0;
}

/*
 * One URING_CMD, waited for: returns the CQE's res (a negative errno, or
 * the NVMe status) and the command's result in *result (the big CQE's
 * first extra word), if the ring has 32-byte CQEs.
 */
static int uring_cmd(struct ring *r, int fd, unsigned int op,
		     const struct nvme_uring_cmd *cmd, unsigned int sqe_flags,
		     uint64_t *result)
{
	unsigned int tail = *r->sq_tail, idx = tail & *r->sq_mask, head;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int ret;

	sqe = (struct io_uring_sqe *)(r->sqes + idx * r->sqe_size);
	memset(sqe, 0, r->sqe_size);
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = fd;
	sqe->cmd_op = op;
	sqe->uring_cmd_flags = sqe_flags;
	/* A 64-byte SQE holds only the first 16 bytes of the command. */
	memcpy(sqe->cmd, cmd, r->sqe_size == 128 ? sizeof(*cmd) : 16);
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	ret = syscall(__NR_io_uring_enter, r->fd, 1, 1,
		      IORING_ENTER_GETEVENTS, NULL, 0);
	if (ret < 0)
		return -errno;
	head = *r->cq_head;
	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		return -ENODATA;
	cqe = (struct io_uring_cqe *)(r->cqes +
				      (head & *r->cq_mask) * r->cqe_size);
	ret = cqe->res;
	if (result)
		*result = r->cqe_size == 32 ? cqe->big_cqe[0] : 0;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return ret;
}

static void identify_cmd(struct nvme_uring_cmd *c, void *buf, uint32_t cns,
			 uint32_t nsid)
{
	memset(c, 0, sizeof(*c));
	c->opcode = 0x06;
	c->nsid = nsid;
	c->addr = (uintptr_t)buf;
	c->data_len = 4096;
	c->cdw10 = cns;
}

static void rw_cmd(struct nvme_uring_cmd *c, uint8_t opcode, uint32_t nsid,
		   uint64_t slba, uint32_t nlb, void *buf, uint32_t len)
{
	memset(c, 0, sizeof(*c));
	c->opcode = opcode;
	c->nsid = nsid;
	c->addr = (uintptr_t)buf;
	c->data_len = len;
	c->cdw10 = (uint32_t)slba;
	c->cdw11 = (uint32_t)(slba >> 32);
	c->cdw12 = nlb - 1;
}

/* Zone Append (7Dh) through io_uring, the result the LBA it went to. */
static int zone_append(const char *gdev, const char *disk, uint64_t zslba)
{
	static unsigned char wbuf[16384] __attribute__((aligned(4096)));
	static unsigned char rbuf[16384] __attribute__((aligned(4096)));
	static const unsigned int sizes[] = { 4096, 8192, 16384, 4096 };
	struct nvme_uring_cmd c;
	uint64_t res, next;
	struct ring r;
	int gfd, bfd, ret, nsid, lbads;
	unsigned int i, j;
	char what[128];

	gfd = open(gdev, O_RDWR);
	bfd = open(disk, O_RDONLY | O_DIRECT);
	if (gfd < 0 || bfd < 0 ||
	    ring_init(&r, IORING_SETUP_SQE128 | IORING_SETUP_CQE32)) {
		perror("zone-append setup");
		return 2;
	}
	nsid = ioctl(gfd, NVME_IOCTL_ID);
	lbads = 0;
	ret = ioctl(bfd, BLKSSZGET, &lbads);
	check(nsid > 0 && !ret && lbads >= 512, "namespace and block size");
	lbads = __builtin_ctz(lbads);
	next = zslba;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (j = 0; j < sizes[i]; j++)
			wbuf[j] = (unsigned char)(i * 31 + j * 7 + 1);
		rw_cmd(&c, 0x7d, nsid, zslba, sizes[i] >> lbads, wbuf,
		       sizes[i]);
		res = ~0ULL;
		ret = uring_cmd(&r, gfd, NVME_URING_CMD_IO, &c, 0, &res);
		snprintf(what, sizeof(what),
			 "append %u of %u bytes to zone %llu: at LBA %llu (status %d)",
			 i, sizes[i], (unsigned long long)zslba,
			 (unsigned long long)res, ret);
		check(ret == 0 && res == next, what);
		memset(rbuf, 0, sizes[i]);
		ret = pread(bfd, rbuf, sizes[i], (off_t)(res << lbads));
		check(ret == (int)sizes[i] && !memcmp(rbuf, wbuf, sizes[i]),
		      "the disk reads the appended data there");
		next += sizes[i] >> lbads;
	}
	/* Not a zone's start: the controller refuses it (Invalid Field). */
	rw_cmd(&c, 0x7d, nsid, zslba + 1, 1, wbuf, 1U << lbads);
	ret = uring_cmd(&r, gfd, NVME_URING_CMD_IO, &c, 0, &res);
	printf("# append to LBA %llu: status 0x%x\n",
	       (unsigned long long)zslba + 1, ret);
	check(ret > 0, "an append to the middle of a zone fails with a status");
	printf("%s: %d failure(s)\n", "nvme-uring-check --zone-append",
	       failures);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	static unsigned char id[4096] __attribute__((aligned(4096)));
	static unsigned char id2[4096] __attribute__((aligned(4096)));
	static unsigned char wbuf[4096] __attribute__((aligned(4096)));
	static unsigned char rbuf[4096] __attribute__((aligned(4096)));
	struct nvme_passthru_cmd pc;
	struct nvme_uring_cmd c;
	struct ring r, small;
	struct iovec iov;
	int cfd, gfd, bfd, ret, nsid, lbads;
	uint64_t res, nsze, slba;
	unsigned char *big;
	size_t i;

	if (argc == 5 && !strcmp(argv[1], "--zone-append"))
		return zone_append(argv[2], argv[3],
				   strtoull(argv[4], NULL, 0));
	if (argc != 4) {
		fprintf(stderr, "usage: %s CTRL_DEV GENERIC_DEV DISK\n"
			"       %s --zone-append GENERIC_DEV DISK ZSLBA\n",
			argv[0], argv[0]);
		return 2;
	}
	cfd = open(argv[1], O_RDWR);
	gfd = open(argv[2], O_RDWR);
	bfd = open(argv[3], O_RDONLY | O_DIRECT);
	if (cfd < 0 || gfd < 0 || bfd < 0) {
		perror("open");
		return 2;
	}
	ret = ring_init(&r, IORING_SETUP_SQE128 | IORING_SETUP_CQE32);
	if (ret) {
		fprintf(stderr, "io_uring_setup: %s\n", strerror(-ret));
		return 2;
	}

	/* The generic device answers NVME_IOCTL_ID and admin ioctls. */
	nsid = ioctl(gfd, NVME_IOCTL_ID);
	check(nsid > 0, "NVME_IOCTL_ID on the generic device");
	memset(&pc, 0, sizeof(pc));
	pc.opcode = 0x06;
	pc.nsid = nsid;
	pc.addr = (uintptr_t)id2;
	pc.data_len = 4096;
	pc.cdw10 = 0;	/* CNS 00h: Identify Namespace */
	ret = ioctl(gfd, NVME_IOCTL_ADMIN_CMD, &pc);
	check(ret == 0, "Identify Namespace ioctl on the generic device");
	memcpy(&nsze, id2, 8);
	lbads = id2[128 + 4 * (id2[26] & 0xf) + 2];
	printf("# nsid %d, nsze %llu, %u-byte blocks\n", nsid,
	       (unsigned long long)nsze, 1U << lbads);

	/* Admin through io_uring on the controller: Identify Controller. */
	identify_cmd(&c, id, 1, 0);
	ret = uring_cmd(&r, cfd, NVME_URING_CMD_ADMIN, &c, 0, NULL);
	check(ret == 0, "URING_CMD_ADMIN Identify Controller");
	memset(&pc, 0, sizeof(pc));
	pc.opcode = 0x06;
	pc.addr = (uintptr_t)id2;
	pc.data_len = 4096;
	pc.cdw10 = 1;
	ret = ioctl(cfd, NVME_IOCTL_ADMIN_CMD, &pc);
	check(ret == 0 && !memcmp(id, id2, 4096),
	      "the same data as NVME_IOCTL_ADMIN_CMD");
	printf("# serial '%.20s'\n", (char *)id + 4);

	/* The vectored variant: one iovec. */
	memset(id, 0, sizeof(id));
	iov.iov_base = id;
	iov.iov_len = sizeof(id);
	identify_cmd(&c, &iov, 1, 0);
	c.data_len = 1;
	ret = uring_cmd(&r, cfd, NVME_URING_CMD_ADMIN_VEC, &c, 0, NULL);
	check(ret == 0 && !memcmp(id, id2, 4096),
	      "URING_CMD_ADMIN_VEC Identify Controller, one iovec");

	/* The result dword comes back in the big CQE: Get Features 07h. */
	memset(&c, 0, sizeof(c));
	c.opcode = 0x0a;
	c.cdw10 = 0x07;
	res = 0;
	ret = uring_cmd(&r, cfd, NVME_URING_CMD_ADMIN, &c, 0, &res);
	memset(&pc, 0, sizeof(pc));
	pc.opcode = 0x0a;
	pc.cdw10 = 0x07;
	check(ret == 0 && ioctl(cfd, NVME_IOCTL_ADMIN_CMD, &pc) == 0 &&
	      res == pc.result && res != 0,
	      "Get Features (Number of Queues): the result in the big CQE");
	printf("# number of queues result 0x%llx\n", (unsigned long long)res);

	/* I/O through io_uring on the generic device: write, read back. */
	slba = nsze - (4096 >> lbads);
	for (i = 0; i < sizeof(wbuf); i++)
		wbuf[i] = (unsigned char)(i * 7 + 3);
	rw_cmd(&c, 0x01, nsid, slba, 4096 >> lbads, wbuf, 4096);
	ret = uring_cmd(&r, gfd, NVME_URING_CMD_IO, &c, 0, NULL);
	if (ret)
		printf("# Write: %d\n", ret);
	check(ret == 0, "URING_CMD_IO Write of the last 4 KiB");
	memset(rbuf, 0, sizeof(rbuf));
	iov.iov_base = rbuf;
	iov.iov_len = sizeof(rbuf);
	rw_cmd(&c, 0x02, nsid, slba, 4096 >> lbads, &iov, 1);
	ret = uring_cmd(&r, gfd, NVME_URING_CMD_IO_VEC, &c, 0, NULL);
	check(ret == 0 && !memcmp(rbuf, wbuf, 4096),
	      "URING_CMD_IO_VEC Read returns what was written");
	memset(rbuf, 0, sizeof(rbuf));
	ret = pread(bfd, rbuf, 4096, (off_t)(slba << lbads));
	check(ret == 4096 && !memcmp(rbuf, wbuf, 4096),
	      "the disk reads the same (O_DIRECT)");

	/* Refused: with an errno, and nothing reaches the controller. */
	identify_cmd(&c, id, 1, 0);
	ret = uring_cmd(&r, gfd, NVME_URING_CMD_ADMIN, &c, 0, NULL);
	check(ret == -ENOTTY, "URING_CMD_ADMIN on the generic device: -ENOTTY");
	rw_cmd(&c, 0x02, nsid, slba, 1, rbuf, 4096);
	ret = uring_cmd(&r, cfd, NVME_URING_CMD_IO, &c, 0, NULL);
	check(ret == -ENOTTY, "URING_CMD_IO on the controller: -ENOTTY");
	rw_cmd(&c, 0x02, nsid + 1, slba, 1, rbuf, 4096);
	ret = uring_cmd(&r, gfd, NVME_URING_CMD_IO, &c, 0, NULL);
	check(ret == -EINVAL, "I/O naming another namespace: -EINVAL");
	rw_cmd(&c, 0x02, nsid, slba, 2 * (4096 >> lbads), rbuf, 4096);
	ret = uring_cmd(&r, gfd, NVME_URING_CMD_IO, &c, 0, NULL);
	check(ret == -EINVAL, "a Read longer than its buffer: -EINVAL");
	rw_cmd(&c, 0x02, nsid, slba, 1, rbuf, 4096);
	c.flags = 0x40;	/* PSDT: SGL */
	ret = uring_cmd(&r, gfd, NVME_URING_CMD_IO, &c, 0, NULL);
	check(ret == -EINVAL, "flags (PSDT) set: -EINVAL");
	/* Format NVM with an LBA format no namespace has: refused anyway. */
	memset(&c, 0, sizeof(c));
	c.opcode = 0x80;
	c.nsid = nsid;
	c.cdw10 = 0xf;
	ret = uring_cmd(&r, cfd, NVME_URING_CMD_ADMIN, &c, 0, NULL);
	check(ret == -EOPNOTSUPP, "Format NVM through io_uring: -EOPNOTSUPP");
	/* 64 KiB, 16 pages, the second half not mapped. */
	big = mmap(NULL, 65536, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(big + 32768, 32768);
	rw_cmd(&c, 0x02, nsid, 0, 65536 >> lbads, big, 65536);
	ret = uring_cmd(&r, gfd, NVME_URING_CMD_IO, &c, 0, NULL);
	check(ret == -EFAULT, "a Read into a partly unmapped buffer: -EFAULT");
	munmap(big, 32768);
	ret = ring_init(&small, 0);
	check(ret == 0, "a ring with 64-byte SQEs");
	if (!ret) {
		rw_cmd(&c, 0x02, nsid, slba, 1, rbuf, 4096);
		ret = uring_cmd(&small, gfd, NVME_URING_CMD_IO, &c, 0, NULL);
		check(ret == -EOPNOTSUPP,
		      "URING_CMD without 128-byte SQEs: -EOPNOTSUPP");
	}

	/* After all of that, the namespace still reads. */
	memset(rbuf, 0, sizeof(rbuf));
	rw_cmd(&c, 0x02, nsid, slba, 4096 >> lbads, rbuf, 4096);
	ret = uring_cmd(&r, gfd, NVME_URING_CMD_IO, &c, 0, NULL);
	check(ret == 0 && !memcmp(rbuf, wbuf, 4096),
	      "a Read after the refused commands");

	printf("%s: %d failure(s)\n", argv[0], failures);
	return failures ? 1 : 0;
}
