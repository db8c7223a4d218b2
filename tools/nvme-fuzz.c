// SPDX-License-Identifier: GPL-2.0
/*
 * nvme-fuzz: a seeded fuzzer for the NVMe passthrough ioctls of
 * <linux/nvme_ioctl.h>, run inside the guest as root. It checks one
 * promise: a hostile passthrough user must not damage anyone else's I/O.
 *
 * Phase 1 fills the lower part of the namespace (the first 64 MiB, at most
 * half of it) with a pattern derived from the seed, by O_DIRECT writes of
 * 512 KiB and 1 MiB (requests that need PRP lists), then fsync.
 *
 * Phase 2 sends COUNT ioctls picked by a xorshift PRNG: ADMIN_CMD,
 * ADMIN64_CMD, IO_CMD and IO64_CMD on the controller node and on the
 * disk, and now and then RESET, SUBSYS_RESET and RESCAN on the controller
 * node. Opcodes are random (with a bias to the ones the controller knows),
 * except the admin commands that destroy data or namespaces (Format,
 * Sanitize, Namespace Management/Attachment, Firmware Commit/Download,
 * Security Send, Virtualization Management) and, unless -Q, queue
 * creation/deletion. Doorbell Buffer Config is sent too, which a driver
 * must refuse: the in-tree nvme driver passes it on (and the controller
 * then takes shadow doorbells in a page the kernel frees), so run it
 * there with -d dbbuf. I/O commands that write (Write, Write Uncorrectable,
 * Write Zeroes, Dataset Management, Copy, Zone commands, any with bit 0
 * set) only ever address LBAs at or above the midpoint of the namespace;
 * Dataset Management only deallocates when the ranges it reads are ours.
 * nsid, cdw2-3, cdw10-15, timeout_ms, data_len, metadata, flags and the
 * buffer (NULL, unmapped, a kernel address, read-only, unaligned, running
 * off the end of a mapping, or good) are random. Every return value and
 * errno is recorded; nothing aborts the run.
 *
 * Unless -u, a device-to-host command whose own length disagrees with
 * data_len in a way that makes the controller write outside the buffer
 * (see keep_layout()) is brought in step with it: such damage is the
 * command's, the same under any driver, and would hide what the fuzzer
 * is looking for.
 *
 * Phase 3 reads the phase 1 region back with O_DIRECT, 512 KiB at a time
 * and then in large reads (many requests in flight), and compares. Any
 * read error or mismatch is reported (the first one in detail) and makes
 * the exit status 1.
 *
 * The same seed gives the same ioctl sequence whatever the results; the
 * filters (-d, -k, -f/-l) only skip calls, so a subset of a failing run
 * is the same calls with the others left out.
 *
 * Usage: nvme-fuzz [options] CTRL_DEV NS_DEV
 *   e.g. nvme-fuzz -s 7 -n 3000 /dev/my_nvme0 /dev/my_nvme0n1
 *        nvme-fuzz -s 7 /dev/nvme0 /dev/nvme0n1   (the in-tree driver)
 *   -s SEED   PRNG seed (default 1)
 *   -n COUNT  ioctls in phase 2 (default 3000)
 *   -m MIB    size of the pattern region (default 64, at most half the disk)
 *   -v        print every call and its result
 *   -d LIST   skip calls of these kinds (comma separated): reset, subsys,
 *             rescan, admin, io, chr, blk, badbuf, meta, flags, timeout
 *             (calls with a timeout_ms other than 0), dbbuf, data (calls
 *             with data_len > 0)
 *   -k LIST   only issue these call numbers, e.g. "12,40-45"
 *   -f FIRST  only issue calls numbered FIRST and later
 *   -l LAST   only issue calls numbered below LAST
 *   -C N      every N issued calls, read back the first 4 MiB (in 512 KiB
 *             reads, then in one read) and stop at the first call after
 *             which that fails
 *   -p FILE   after every call, read FILE (a PCI device's "pools", e.g.
 *             /sys/bus/pci/devices/0000:00:03.0/pools) and report each
 *             call after which a DMA pool has blocks in use although no
 *             I/O is in flight (a leak, or a block freed twice)
 *   -P        skip phase 1 (the region holds this seed's pattern already)
 *   -V        skip phase 3
 *   -Q        also send queue creation/deletion commands
 *   -u        unsafe: leave device-to-host commands as generated, even
 *             where the controller would write outside the buffer
 *   -g GENERIC  also io_uring passthrough (IORING_OP_URING_CMD): every
 *             other admin call, and every other I/O call meant for the
 *             disk, goes through io_uring instead of the ioctl, as
 *             NVME_URING_CMD_ADMIN on CTRL_DEV or NVME_URING_CMD_IO on
 *             GENERIC (the namespace's generic char device, e.g.
 *             /dev/my_ng0n1); the sequence of calls stays the seed's
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <linux/io_uring.h>
#include <linux/nvme_ioctl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define PAGE		4096UL
#define KIB		((uint64_t)1024)
#define MIB		((uint64_t)1024 * 1024)
#define POOL_SIZE	(4 * MIB)
#define RO_SIZE		(256 * KIB)
#define KERNEL_ADDR	0xffff888000000000ULL
#define MAX_RESULTS	512

/* Call kinds, for -d. */
enum {
	K_RESET		= 1 << 0,
	K_SUBSYS	= 1 << 1,
	K_RESCAN	= 1 << 2,
	K_ADMIN		= 1 << 3,
	K_IO		= 1 << 4,
	K_CHR		= 1 << 5,
	K_BLK		= 1 << 6,
	K_BADBUF	= 1 << 7,
	K_META		= 1 << 8,
	K_FLAGS		= 1 << 9,
	K_TIMEOUT	= 1 << 10,
	K_DBBUF		= 1 << 11,
	K_DATA		= 1 << 12,
};

static const struct {
	const char *name;
	unsigned int kind;
} kind_names[] = {
	{ "reset", K_RESET }, { "subsys", K_SUBSYS }, { "rescan", K_RESCAN },
	{ "admin", K_ADMIN }, { "io", K_IO }, { "chr", K_CHR },
	{ "blk", K_BLK }, { "badbuf", K_BADBUF }, { "meta", K_META },
	{ "flags", K_FLAGS }, { "timeout", K_TIMEOUT }, { "dbbuf", K_DBBUF },
	{ "data", K_DATA },
};

enum buf_kind {
	B_NULL, B_UNMAPPED, B_KERNEL, B_RDONLY, B_UNALIGNED, B_OFFEND, B_GOOD,
	B_NR,
};

static const char * const buf_names[B_NR] = {
	"null", "unmapped", "kernel", "rdonly", "unaligned", "offend", "good",
};

enum call_type {
	C_ADMIN, C_ADMIN64, C_IO, C_IO64, C_RESET, C_SUBSYS, C_RESCAN,
};

static const char * const call_names[] = {
	"ADMIN", "ADMIN64", "IO", "IO64", "RESET", "SUBSYS_RESET", "RESCAN",
};

struct call {
	enum call_type type;
	int on_blk;			/* the disk, else the controller node */
	enum buf_kind buf;
	unsigned int kind;		/* K_* bits, for -d */
	struct nvme_passthru_cmd64 cmd;
};

static struct {
	uint64_t seed;
	unsigned int count;
	unsigned int region_mib;
	int verbose;
	unsigned int skip_kinds;
	char *only;
	unsigned int first, last;
	unsigned int check_every;
	const char *pools;
	int no_fill, no_verify, queue_cmds, unsafe;
} opt = {
	.seed = 1, .count = 3000, .region_mib = 64, .last = ~0U,
};

static int cfd, nfd, gfd = -1;
static uint32_t nsid;
static uint64_t nsze;			/* LBAs */
static unsigned int lba_size;
static uint64_t region_bytes;
static unsigned char *pool, *ro_buf, *offend_page;
static uint64_t unmapped_addr;

static struct {
	char what[64];
	unsigned int n;
} results[MAX_RESULTS];
static unsigned int nr_results, issued, skipped;

/* ---- PRNG: xorshift64*, and a mixer for the data pattern ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint32_t rnd_below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static int chance(unsigned int percent)
{
	return rnd_below(100) < percent;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* The pattern word at byte offset @off (a multiple of 8) of the disk. */
static uint64_t pattern(uint64_t off)
{
	return mix(opt.seed * 0x9E3779B97F4A7C15ULL ^ off);
}

/* A value biased to the interesting ones: small, all ones, edges, random. */
static uint32_t rnd_dword(void)
{
	switch (rnd_below(8)) {
	case 0:
		return 0;
	case 1:
		return rnd_below(16);
	case 2:
		return rnd_below(256);
	case 3:
		return 0xffffffff;
	case 4:
		return 1U << rnd_below(32);
	case 5:
		return rnd_below(65536);
	default:
		return (uint32_t)rnd();
	}
}

/* ---- Output ---- */

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "nvme-fuzz: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	exit(2);
}

static void count_result(const char *what)
{
	unsigned int i;

	for (i = 0; i < nr_results; i++) {
		if (!strcmp(results[i].what, what)) {
			results[i].n++;
			return;
		}
	}
	if (nr_results == MAX_RESULTS)
		return;
	snprintf(results[nr_results].what, sizeof(results[0].what), "%s",
		 what);
	results[nr_results++].n = 1;
}

static int cmp_results(const void *a, const void *b)
{
	const typeof(results[0]) *x = a, *y = b;

	return strcmp(x->what, y->what);
}

/* ---- Buffers ---- */

/*
 * Buffers are filled with Dataset Management ranges that name LBAs at the
 * midpoint and above, so that whatever reads them as a range list (a DSM
 * whose NR exceeds what we meant) stays in the upper half.
 */
static void fill_safe(unsigned char *p, size_t len)
{
	uint64_t mid = nsze / 2;
	size_t i;

	for (i = 0; i + 16 <= len; i += 16) {
		uint32_t cattr = 0, nlb = 1 + (i / 16) % 8;
		uint64_t slba = mid + (i / 16) % (nsze / 4);

		memcpy(p + i, &cattr, 4);
		memcpy(p + i + 4, &nlb, 4);
		memcpy(p + i + 8, &slba, 8);
	}
}

static void setup_buffers(void)
{
	void *p;

	pool = mmap(NULL, POOL_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ro_buf = mmap(NULL, RO_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	offend_page = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	p = mmap(NULL, 64 * KIB, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pool == MAP_FAILED || ro_buf == MAP_FAILED ||
	    offend_page == MAP_FAILED || p == MAP_FAILED)
		die("mmap: %s\n", strerror(errno));
	fill_safe(pool, POOL_SIZE);
	fill_safe(ro_buf, RO_SIZE);
	fill_safe(offend_page, 2 * PAGE);
	if (mprotect(ro_buf, RO_SIZE, PROT_READ))
		die("mprotect: %s\n", strerror(errno));
	if (munmap(offend_page + PAGE, PAGE))
		die("munmap: %s\n", strerror(errno));
	if (munmap(p, 64 * KIB))
		die("munmap: %s\n", strerror(errno));
	unmapped_addr = (uintptr_t)p;
}

static uint32_t pick_data_len(void)
{
	static const uint32_t lens[] = {
		0, 1, 3, 4, 8, 16, 64, 511, 512, 513, 1024, 4095, 4096, 4097,
		8191, 8192, 8193, 12288, 16384, 65536, 65536 + 512, 131072,
		131072 + 4096, 262144, 524288, 524288 + 4096, 1048576,
	};

	switch (rnd_below(10)) {
	case 0:
		return rnd_below(600000);
	case 1:
		return rnd_below(1024) * 512;
	case 2:
		return rnd_below(160) * 4096;
	default:
		return lens[rnd_below(sizeof(lens) / sizeof(lens[0]))];
	}
}

/* Point @c at a buffer of kind @k for c->data_len bytes. */
static void pick_buffer(struct call *c, enum buf_kind k)
{
	static const uint32_t odd[] = {
		1, 2, 3, 4, 8, 12, 510, 511, 512, 1024, 2048, 4092, 4095,
	};
	uint32_t len = c->cmd.data_len, off;

	c->buf = k;
	switch (k) {
	case B_NULL:
		c->cmd.addr = 0;
		break;
	case B_UNMAPPED:
		c->cmd.addr = unmapped_addr + rnd_below(16) * PAGE;
		break;
	case B_KERNEL:
		c->cmd.addr = KERNEL_ADDR + rnd_below(256) * PAGE;
		break;
	case B_RDONLY:
		off = len < RO_SIZE ? rnd_below((RO_SIZE - len) / PAGE + 1) *
			PAGE : 0;
		c->cmd.addr = (uintptr_t)ro_buf + off;
		break;
	case B_UNALIGNED:
		off = odd[rnd_below(sizeof(odd) / sizeof(odd[0]))];
		if (len + off + PAGE < POOL_SIZE)
			off += rnd_below((POOL_SIZE - len - off) / PAGE) * PAGE;
		c->cmd.addr = (uintptr_t)pool + off;
		break;
	case B_OFFEND: {
		/* The mapping ends this many bytes after the pointer. */
		static const uint32_t room[] = { 1, 4, 100, 512, 4092 };

		c->cmd.addr = (uintptr_t)offend_page + PAGE -
			room[rnd_below(sizeof(room) / sizeof(room[0]))];
		break;
	}
	case B_GOOD:
	default:
		off = len + PAGE < POOL_SIZE ?
			rnd_below((POOL_SIZE - len) / PAGE) * PAGE : 0;
		c->cmd.addr = (uintptr_t)pool + off;
		break;
	}
}

/* Does the buffer hold (readable, ours) data_len bytes? */
static int buffer_valid(const struct call *c)
{
	uint64_t end;

	switch (c->buf) {
	case B_GOOD:
	case B_UNALIGNED:
		end = c->cmd.addr + c->cmd.data_len;
		return end <= (uintptr_t)pool + POOL_SIZE;
	case B_RDONLY:
		end = c->cmd.addr + c->cmd.data_len;
		return end <= (uintptr_t)ro_buf + RO_SIZE;
	default:
		return 0;
	}
}

/* ---- Opcodes ---- */

static int admin_forbidden(uint8_t op)
{
	switch (op) {
	case 0x80:	/* Format NVM */
	case 0x84:	/* Sanitize */
	case 0x0d:	/* Namespace Management */
	case 0x15:	/* Namespace Attachment */
	case 0x10:	/* Firmware Commit */
	case 0x11:	/* Firmware Image Download */
	case 0x81:	/* Security Send */
	case 0x1c:	/* Virtualization Management */
		return 1;
	case 0x00:	/* Delete I/O SQ */
	case 0x01:	/* Create I/O SQ */
	case 0x04:	/* Delete I/O CQ */
	case 0x05:	/* Create I/O CQ */
		return !opt.queue_cmds;
	}
	return 0;
}

/* I/O commands that may change data: only at or above the midpoint. */
static int io_writes(uint8_t op)
{
	return (op & 1) || op == 0x04 || op == 0x08 || op == 0x09 ||
		op == 0x19 || op == 0x79 || op == 0x7d;
}

static uint8_t pick_admin_opcode(void)
{
	static const uint8_t known[] = {
		0x02, 0x06, 0x08, 0x09, 0x0a, 0x0c, 0x14, 0x18, 0x19, 0x1a,
		0x7c, 0x82, 0x86, 0x06, 0x02, 0x0a, 0x09,
	};
	uint8_t op;

	do {
		if (chance(60))
			op = known[rnd_below(sizeof(known))];
		else
			op = rnd_below(256);
	} while (admin_forbidden(op));
	return op;
}

static uint8_t pick_io_opcode(void)
{
	static const uint8_t known[] = {
		0x00, 0x01, 0x02, 0x04, 0x05, 0x08, 0x09, 0x0c, 0x0d, 0x0e,
		0x11, 0x15, 0x19, 0x79, 0x7a, 0x7d, 0x02, 0x02, 0x01, 0x05,
	};

	if (chance(65))
		return known[rnd_below(sizeof(known))];
	return rnd_below(256);
}

static uint32_t pick_nsid(void)
{
	switch (rnd_below(10)) {
	case 0:
		return 0;
	case 1:
		return 0xffffffff;
	case 2:
		return rnd_dword();
	case 3:
		return nsid + 1;
	default:
		return nsid;
	}
}

static uint32_t pick_timeout(void)
{
	switch (rnd_below(20)) {
	case 0:
		return 1;
	case 1:
		return 2 + rnd_below(9);
	case 2:
	case 3:
		return 10 + rnd_below(990);
	case 4:
	case 5:
	case 6:
		return 1000 + rnd_below(29000);
	default:
		return 0;
	}
}

/* Admin command fields that make sense for the opcode, often. */
static void shape_admin(struct call *c)
{
	static const uint8_t fids[] = {
		0x01, 0x02, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,
		0x0e, 0x10, 0x16, 0x80, 0x81, 0x82, 0x83,
	};
	static const uint8_t lids[] = {
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0d, 0x70, 0x80, 0xc0,
	};
	struct nvme_passthru_cmd64 *cmd = &c->cmd;

	/*
	 * An AER waits for an event: keep it short, or it sits out the
	 * admin timeout where the driver leaves AER slots free (nvme).
	 */
	if (cmd->opcode == 0x0c &&
	    (!cmd->timeout_ms || cmd->timeout_ms > 3000))
		cmd->timeout_ms = 500 + rnd_below(2500);
	if (!chance(70))
		return;
	switch (cmd->opcode) {
	case 0x02:	/* Get Log Page: LID, NUMD */
		cmd->cdw10 = lids[rnd_below(sizeof(lids))] |
			(rnd_below(1024) << 16);
		break;
	case 0x06:	/* Identify: CNS */
		cmd->cdw10 = chance(70) ? rnd_below(32) : rnd_dword();
		break;
	case 0x09:	/* Set Features */
	case 0x0a:	/* Get Features */
		cmd->cdw10 = fids[rnd_below(sizeof(fids))] |
			(chance(20) ? rnd_below(8) << 8 : 0);
		break;
	case 0x08:	/* Abort: SQID, CID */
		cmd->cdw10 = rnd_below(4) | (rnd_below(64) << 16);
		break;
	}
}

/* I/O command fields: SLBA/NLB, kept in bounds for writes and reads. */
static void shape_io(struct call *c)
{
	struct nvme_passthru_cmd64 *cmd = &c->cmd;
	uint64_t mid = nsze / 2, slba;
	uint8_t op = cmd->opcode;

	if (io_writes(op)) {
		/* SLBA at or above the midpoint, NLB small. */
		slba = mid + rnd() % (nsze - mid - 256);
		cmd->cdw10 = (uint32_t)slba;
		cmd->cdw11 = (uint32_t)(slba >> 32);
		cmd->cdw12 = (cmd->cdw12 & 0xffff0000) | rnd_below(256);
		if (op == 0x09) {
			/* DSM: NR in cdw10, AD only with our own ranges. */
			uint32_t nr = rnd_below(16);

			cmd->cdw10 = nr;
			cmd->cdw11 = rnd_dword();
			if (!buffer_valid(c) || cmd->data_len < (nr + 1) * 16)
				cmd->cdw11 &= ~4U;
		} else if (op == 0x19) {
			/* Copy: SDLBA above, NR small, format 0. */
			cmd->cdw12 = rnd_below(8);
		}
		return;
	}
	if (chance(80)) {
		slba = rnd() % nsze;
		cmd->cdw10 = (uint32_t)slba;
		cmd->cdw11 = (uint32_t)(slba >> 32);
		cmd->cdw12 = (cmd->cdw12 & 0xffff0000) | rnd_below(256);
	}
}

/*
 * Device-to-host commands (opcode bits 1:0 = 10b) describe their length
 * themselves (NLB, NUMD, or the fixed 4 KiB of Identify); the kernel
 * builds PRPs for data_len. Where the two disagree about PRP2 the
 * controller writes data into what the driver made a PRP list (a list
 * from the 256-byte pool shares its page with other requests' lists),
 * or reads list entries the driver never wrote and writes there. That
 * is damage any driver suffers from such a command, not the kind this
 * fuzzer looks for, so unless -u such commands keep the two in step:
 * no PRP list for admin reads (QEMU moves at most 4 KiB for them), and
 * Reads whose NLB covers more than two pages exactly when data_len does,
 * never more than data_len.
 */
static void keep_layout(struct call *c, int io)
{
	struct nvme_passthru_cmd64 *cmd = &c->cmd;
	uint32_t d = cmd->data_len, o, nlb, lo, hi;
	int direct;

	if (opt.unsafe || (cmd->opcode & 3) != 2)
		return;
	if (!d || !buffer_valid(c)) {
		/* No buffer: at most one page, which lands at PRP1 (0). */
		if (io)
			cmd->cdw12 = (cmd->cdw12 & 0xffff0000) |
				rnd_below(PAGE / lba_size);
		return;
	}
	/* dma_alignment 3: anything else is bounced to fresh pages. */
	direct = !((cmd->addr | d) & 3);
	o = direct ? cmd->addr & (PAGE - 1) : 0;
	if (!io) {
		if (d + o > 2 * PAGE)
			cmd->data_len = 2 * PAGE - o;
		return;
	}
	lo = (2 * PAGE - o) / lba_size;		/* smallest NLB needing a list */
	hi = d / lba_size;			/* NLB + 1 <= hi */
	if (d + o > 2 * PAGE && lo < hi) {
		nlb = lo + rnd_below(hi - lo);
	} else {
		if (d + o > 2 * PAGE) {
			d = 2 * PAGE - o;
			cmd->data_len = d;
		}
		hi = d / lba_size;
		nlb = hi ? rnd_below(hi) : 0;
	}
	cmd->cdw12 = (cmd->cdw12 & 0xffff0000) | nlb;
}

/* ---- One call, generated from the PRNG alone ---- */

static void gen_call(struct call *c)
{
	struct nvme_passthru_cmd64 *cmd = &c->cmd;
	uint32_t r = rnd_below(1000);
	enum buf_kind bk;
	int admin;

	memset(c, 0, sizeof(*c));
	if (r < 10) {
		c->type = C_RESET;
		c->kind = K_RESET | K_CHR;
		return;
	}
	if (r < 20) {
		c->type = C_SUBSYS;
		c->kind = K_SUBSYS | K_CHR;
		return;
	}
	if (r < 30) {
		c->type = C_RESCAN;
		c->kind = K_RESCAN | K_CHR;
		return;
	}

	c->on_blk = chance(50);
	c->kind = c->on_blk ? K_BLK : K_CHR;
	admin = chance(45);
	c->type = admin ? (chance(50) ? C_ADMIN : C_ADMIN64) :
		(chance(50) ? C_IO : C_IO64);
	c->kind |= admin ? K_ADMIN : K_IO;

	cmd->opcode = admin ? pick_admin_opcode() : pick_io_opcode();
	cmd->nsid = pick_nsid();
	cmd->cdw2 = chance(10) ? rnd_dword() : 0;
	cmd->cdw3 = chance(10) ? rnd_dword() : 0;
	cmd->cdw10 = rnd_dword();
	cmd->cdw11 = rnd_dword();
	cmd->cdw12 = rnd_dword();
	cmd->cdw13 = chance(30) ? rnd_dword() : 0;
	cmd->cdw14 = chance(30) ? rnd_dword() : 0;
	cmd->cdw15 = chance(30) ? rnd_dword() : 0;
	cmd->timeout_ms = pick_timeout();
	cmd->data_len = chance(15) ? 0 : pick_data_len();
	if (chance(8)) {
		cmd->flags = chance(50) ? 1 + rnd_below(3) : rnd_below(256);
		c->kind |= K_FLAGS;
	}
	if (chance(8)) {
		cmd->metadata = chance(50) ? (uintptr_t)pool : rnd_dword();
		cmd->metadata_len = chance(80) ? rnd_dword() : 0;
		c->kind |= K_META;
	}

	r = rnd_below(100);
	if (r < 45)
		bk = B_GOOD;
	else if (r < 55)
		bk = B_NULL;
	else if (r < 62)
		bk = B_UNMAPPED;
	else if (r < 68)
		bk = B_KERNEL;
	else if (r < 76)
		bk = B_RDONLY;
	else if (r < 90)
		bk = B_UNALIGNED;
	else
		bk = B_OFFEND;
	pick_buffer(c, bk);
	/* Sometimes a pointer without a length. */
	if (!cmd->data_len && chance(50))
		cmd->addr = 0;
	if (bk != B_GOOD && bk != B_UNALIGNED && cmd->data_len)
		c->kind |= K_BADBUF;

	if (admin)
		shape_admin(c);
	else
		shape_io(c);
	keep_layout(c, !admin);
	if (cmd->timeout_ms)
		c->kind |= K_TIMEOUT;
	if (admin && cmd->opcode == 0x7c)
		c->kind |= K_DBBUF;
	if (cmd->data_len)
		c->kind |= K_DATA;
}

/* Is call @i in the -k list? */
static int in_only_list(unsigned int i)
{
	const char *p = opt.only;
	char *end;

	while (*p) {
		unsigned long a = strtoul(p, &end, 10), b = a;

		if (end == p)
			return 0;
		p = end;
		if (*p == '-') {
			b = strtoul(p + 1, &end, 10);
			p = end;
		}
		if (i >= a && i <= b)
			return 1;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int wanted(unsigned int i, const struct call *c)
{
	if (i < opt.first || i >= opt.last)
		return 0;
	if (opt.only && !in_only_list(i))
		return 0;
	return !(c->kind & opt.skip_kinds);
}

static void describe(const struct call *c, char *s, size_t len)
{
	const struct nvme_passthru_cmd64 *cmd = &c->cmd;

	if (c->type >= C_RESET) {
		snprintf(s, len, "%s", call_names[c->type]);
		return;
	}
	snprintf(s, len,
		 "%s %s op 0x%02x nsid 0x%x flags 0x%x buf %s addr 0x%llx len %u meta 0x%llx/%u cdw10 0x%x cdw11 0x%x cdw12 0x%x cdw13 0x%x timeout %u",
		 c->on_blk ? "blk" : "chr", call_names[c->type], cmd->opcode,
		 cmd->nsid, cmd->flags, buf_names[c->buf],
		 (unsigned long long)cmd->addr, cmd->data_len,
		 (unsigned long long)cmd->metadata, cmd->metadata_len,
		 cmd->cdw10, cmd->cdw11, cmd->cdw12, cmd->cdw13,
		 cmd->timeout_ms);
}

/* ---- io_uring passthrough (-g) ---- */

/* One ring with 128-byte SQEs and 32-byte CQEs, one command at a time. */
static struct {
	int fd;
	unsigned int *sq_tail, *sq_mask, *sq_array;
	unsigned int *cq_head, *cq_tail, *cq_mask;
	unsigned char *sqes, *cqes;
} ring;

static void ring_init(void)
{
	struct io_uring_params p;
	unsigned char *sq, *cq;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQE128 | IORING_SETUP_CQE32;
	ring.fd = syscall(__NR_io_uring_setup, 4, &p);
	if (ring.fd < 0)
		die("io_uring_setup: %s\n", strerror(errno));
	sq = mmap(NULL, p.sq_off.array + p.sq_entries * sizeof(unsigned int),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring.fd,
		  IORING_OFF_SQ_RING);
	cq = mmap(NULL, p.cq_off.cqes + p.cq_entries * 32,
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring.fd,
		  IORING_OFF_CQ_RING);
	ring.sqes = mmap(NULL, p.sq_entries * 128, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_POPULATE, ring.fd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || ring.sqes == MAP_FAILED)
		die("io_uring mmap: %s\n", strerror(errno));
	ring.sq_tail = (unsigned int *)(sq + p.sq_off.tail);
	ring.sq_mask = (unsigned int *)(sq + p.sq_off.ring_mask);
	ring.sq_array = (unsigned int *)(sq + p.sq_off.array);
	ring.cq_head = (unsigned int *)(cq + p.cq_off.head);
	ring.cq_tail = (unsigned int *)(cq + p.cq_off.tail);
	ring.cq_mask = (unsigned int *)(cq + p.cq_off.ring_mask);
	ring.cqes = cq + p.cq_off.cqes;
}

/*
 * The call's command as struct nvme_uring_cmd (the same fields as
 * struct nvme_passthru_cmd64 but the result), waited for. Returns as
 * ioctl() would: -1 with errno, or the NVMe status, or 0.
 */
static int uring_call(int fd, unsigned int op,
		      const struct nvme_passthru_cmd64 *pc)
{
	unsigned int tail = *ring.sq_tail, idx = tail & *ring.sq_mask, head;
	struct nvme_uring_cmd uc;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int res;

	memset(&uc, 0, sizeof(uc));
	uc.opcode = pc->opcode;
	uc.flags = pc->flags;
	uc.rsvd1 = pc->rsvd1;
	uc.nsid = pc->nsid;
	uc.cdw2 = pc->cdw2;
	uc.cdw3 = pc->cdw3;
	uc.metadata = pc->metadata;
	uc.addr = pc->addr;
	uc.metadata_len = pc->metadata_len;
	uc.data_len = pc->data_len;
	uc.cdw10 = pc->cdw10;
	uc.cdw11 = pc->cdw11;
	uc.cdw12 = pc->cdw12;
	uc.cdw13 = pc->cdw13;
	uc.cdw14 = pc->cdw14;
	uc.cdw15 = pc->cdw15;
	uc.timeout_ms = pc->timeout_ms;

	sqe = (struct io_uring_sqe *)(ring.sqes + idx * 128);
	memset(sqe, 0, 128);
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = fd;
	sqe->cmd_op = op;
	memcpy(sqe->cmd, &uc, sizeof(uc));
	ring.sq_array[idx] = idx;
	__atomic_store_n(ring.sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, ring.fd, 1, 1,
		    IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return -1;
	head = *ring.cq_head;
	if (head == __atomic_load_n(ring.cq_tail, __ATOMIC_ACQUIRE)) {
		errno = ENODATA;
		return -1;
	}
	cqe = (struct io_uring_cqe *)(ring.cqes + (head & *ring.cq_mask) * 32);
	res = cqe->res;
	__atomic_store_n(ring.cq_head, head + 1, __ATOMIC_RELEASE);
	if (res < 0) {
		errno = -res;
		return -1;
	}
	return res;
}

static void run_call(unsigned int i, struct call *c)
{
	struct nvme_passthru_cmd cmd32;
	struct timespec t0, t1;
	char what[64], desc[384];
	unsigned long req = 0;
	void *arg = NULL;
	int fd = c->on_blk ? nfd : cfd, ret, err, uring;
	long ms;

	switch (c->type) {
	case C_ADMIN:
	case C_IO:
		/* The 32-bit layout is the 64-bit one up to timeout_ms. */
		memcpy(&cmd32, &c->cmd, offsetof(struct nvme_passthru_cmd,
						  result));
		cmd32.result = 0;
		arg = &cmd32;
		req = c->type == C_ADMIN ? NVME_IOCTL_ADMIN_CMD :
			NVME_IOCTL_IO_CMD;
		break;
	case C_ADMIN64:
	case C_IO64:
		arg = &c->cmd;
		req = c->type == C_ADMIN64 ? NVME_IOCTL_ADMIN64_CMD :
			NVME_IOCTL_IO64_CMD;
		break;
	case C_RESET:
		req = NVME_IOCTL_RESET;
		break;
	case C_SUBSYS:
		req = NVME_IOCTL_SUBSYS_RESET;
		break;
	case C_RESCAN:
		req = NVME_IOCTL_RESCAN;
		break;
	}

	/*
	 * A Dataset Management that deallocates reads its ranges from the
	 * buffer, which an earlier Read may have overwritten: put ours back.
	 */
	if ((c->type == C_IO || c->type == C_IO64) && c->cmd.opcode == 0x09 &&
	    (c->buf == B_GOOD || c->buf == B_UNALIGNED) && c->cmd.data_len) {
		uint64_t end = (uintptr_t)pool + POOL_SIZE;
		uint64_t n = c->cmd.addr + c->cmd.data_len <= end ?
			c->cmd.data_len : end - c->cmd.addr;

		fill_safe((unsigned char *)(uintptr_t)c->cmd.addr, n);
	}

	/* -g: every other admin or disk I/O call through io_uring. */
	uring = gfd >= 0 && i % 2 &&
		(c->type == C_ADMIN || c->type == C_ADMIN64 ||
		 ((c->type == C_IO || c->type == C_IO64) && c->on_blk));
	describe(c, desc, sizeof(desc));
	if (opt.verbose) {
		printf("#%u %s%s ...", i, uring ? "uring " : "", desc);
		fflush(stdout);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!uring)
		ret = ioctl(fd, req, arg);
	else if (c->type == C_ADMIN || c->type == C_ADMIN64)
		ret = uring_call(cfd, NVME_URING_CMD_ADMIN, &c->cmd);
	else
		ret = uring_call(gfd, NVME_URING_CMD_IO, &c->cmd);
	err = errno;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
		(t1.tv_nsec - t0.tv_nsec) / 1000000;

	if (ret < 0)
		snprintf(what, sizeof(what), "%s%s: -%s",
			 uring ? "URING_" : "", call_names[c->type],
			 strerrorname_np(err) ? strerrorname_np(err) : "?");
	else if (ret > 0)
		snprintf(what, sizeof(what), "%s%s: status 0x%x",
			 uring ? "URING_" : "", call_names[c->type],
			 ret & 0x7ff);
	else
		snprintf(what, sizeof(what), "%s%s: ok",
			 uring ? "URING_" : "", call_names[c->type]);
	count_result(what);
	issued++;
	if (opt.verbose)
		printf(" -> %s (ret %d%s%s) %ld ms\n", what, ret,
		       ret < 0 ? ", " : "", ret < 0 ? strerror(err) : "", ms);
	else if (ms > 5000)
		printf("#%u took %ld ms: %s -> %s\n", i, ms, desc, what);
}

/* ---- Phase 1 and 3: the pattern ---- */

static void *aligned_buf(size_t len)
{
	void *p;

	if (posix_memalign(&p, PAGE, len))
		die("out of memory for %zu bytes\n", len);
	return p;
}

static void fill_pattern(unsigned char *buf, uint64_t off, size_t len)
{
	size_t i;

	for (i = 0; i < len; i += 8) {
		uint64_t v = pattern(off + i);

		memcpy(buf + i, &v, 8);
	}
}

static void phase1(void)
{
	unsigned char *buf = aligned_buf(MIB);
	uint64_t off = 0;
	int big = 0;

	while (off < region_bytes) {
		size_t len = big ? MIB : 512 * KIB;
		ssize_t n;

		if (len > region_bytes - off)
			len = region_bytes - off;
		fill_pattern(buf, off, len);
		n = pwrite(nfd, buf, len, off);
		if (n != (ssize_t)len)
			die("phase 1: write of %zu bytes at %" PRIu64 " failed: %s\n",
			    len, off, n < 0 ? strerror(errno) : "short write");
		off += len;
		big = !big;
	}
	if (fsync(nfd))
		die("phase 1: fsync: %s\n", strerror(errno));
	free(buf);
	printf("phase 1: wrote %" PRIu64 " MiB of pattern (seed %" PRIu64 ")\n",
	       region_bytes / MIB, opt.seed);
}

static unsigned int read_errors, mismatches;
static char first_error[256];

static void note_error(const char *fmt, ...)
{
	va_list ap;

	if (first_error[0])
		return;
	va_start(ap, fmt);
	vsnprintf(first_error, sizeof(first_error), fmt, ap);
	va_end(ap);
}

/* Read [off, off + len) in reads of @chunk bytes; returns the errors. */
static unsigned int verify(uint64_t off, uint64_t len, size_t chunk,
			   unsigned char *buf, int quiet)
{
	uint64_t end = off + len;
	unsigned int bad = 0;

	for (; off < end; off += chunk) {
		size_t n = chunk < end - off ? chunk : end - off, i;
		ssize_t got = pread(nfd, buf, n, off);

		if (got != (ssize_t)n) {
			int err = errno;

			bad++;
			read_errors++;
			note_error("read of %zu bytes at offset %" PRIu64 " (sector %" PRIu64 ") failed: %s",
				   n, off, off / 512,
				   got < 0 ? strerror(err) : "short read");
			if (!quiet)
				printf("phase 3: read of %zu bytes at sector %" PRIu64 ": %s\n",
				       n, off / 512, got < 0 ? strerror(err) :
				       "short read");
			continue;
		}
		for (i = 0; i < n; i += 8) {
			uint64_t want = pattern(off + i), have;

			memcpy(&have, buf + i, 8);
			if (have == want)
				continue;
			bad++;
			mismatches++;
			note_error("mismatch at offset %" PRIu64 " (sector %" PRIu64 "): 0x%016" PRIx64 " instead of 0x%016" PRIx64,
				   off + i, (off + i) / 512, have, want);
			if (!quiet)
				printf("phase 3: mismatch in the %zu bytes at sector %" PRIu64 ", first at byte %zu\n",
				       n, off / 512, i);
			break;
		}
	}
	return bad;
}

static int phase3(void)
{
	size_t big = region_bytes < 16 * MIB ? region_bytes : 16 * MIB;
	unsigned char *buf = aligned_buf(region_bytes);
	unsigned int a, b, c;

	a = verify(0, region_bytes, 512 * KIB, buf, 0);
	b = verify(0, region_bytes, big, buf, 0);
	c = verify(0, region_bytes, region_bytes, buf, 0);
	free(buf);
	printf("phase 3: %u bad 512 KiB reads, %u bad 16 MiB reads, %u bad whole-region reads (%u read errors, %u mismatches)\n",
	       a, b, c, read_errors, mismatches);
	if (first_error[0])
		printf("phase 3: first error: %s\n", first_error);
	return a || b || c;
}

/* -C: a quick look at the first 4 MiB. */
static int quick_check(void)
{
	static unsigned char *buf;
	uint64_t len = region_bytes < 4 * MIB ? region_bytes : 4 * MIB;

	if (!buf)
		buf = aligned_buf(4 * MIB);
	return verify(0, len, 512 * KIB, buf, 1) ||
		verify(0, len, len, buf, 1);
}

/*
 * -p: the pools file has a header line, then "NAME ACTIVE BLOCKS SIZE
 * PAGES" per pool (NAME may contain spaces). Between our calls nothing
 * is in flight, so every block should be free again; a count that stays
 * up is a leak, one that wrapped below zero a block freed twice.
 */
static void check_pools(unsigned int i)
{
	static char last[1024];
	char buf[1024], line[256], *p;
	int bad = 0;
	size_t n;
	FILE *f;

	f = fopen(opt.pools, "r");
	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (!strcmp(buf, last))
		return;
	strcpy(last, buf);
	for (p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		unsigned long long act, blocks, size, pages;
		char *end = strchr(p, '\n'), *q;
		int fields = 0;

		n = end ? (size_t)(end - p) : strlen(p);
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		/* The four numbers at the end of the line. */
		for (q = line + n; q > line && fields < 4; fields++) {
			while (q > line && q[-1] == ' ')
				q--;
			while (q > line && q[-1] != ' ')
				q--;
		}
		if (fields < 4 || sscanf(q, "%llu %llu %llu %llu", &act, &blocks,
					 &size, &pages) != 4)
			continue;
		if (act) {
			printf("#%u: pools: in use while idle: %s\n", i, line);
			bad = 1;
		}
	}
	if (!bad && opt.verbose)
		printf("#%u: pools: all free\n", i);
}

/* ---- main ---- */

static void usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s [-s SEED] [-n COUNT] [-m MIB] [-v] [-d KINDS] [-k LIST]\n"
		"       [-f FIRST] [-l LAST] [-C N] [-p POOLS] [-P] [-V] [-Q] [-u]\n"
		"       [-g GENERIC_DEV]\n"
		"       CTRL_DEV NS_DEV\n",
		argv0);
	exit(2);
}

static unsigned int parse_kinds(char *list)
{
	unsigned int kinds = 0, i;
	char *tok;

	for (tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
		for (i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
			if (!strcmp(tok, kind_names[i].name))
				break;
		if (i == sizeof(kind_names) / sizeof(kind_names[0]))
			die("unknown kind '%s'\n", tok);
		kinds |= kind_names[i].kind;
	}
	return kinds;
}

int main(int argc, char **argv)
{
	uint64_t bytes;
	unsigned int i;
	struct call c;
	int ch, ret, bad;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((ch = getopt(argc, argv, "s:n:m:vd:k:f:l:C:p:PVQug:")) != -1) {
		switch (ch) {
		case 's':
			opt.seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			opt.count = strtoul(optarg, NULL, 0);
			break;
		case 'm':
			opt.region_mib = strtoul(optarg, NULL, 0);
			break;
		case 'v':
			opt.verbose = 1;
			break;
		case 'd':
			opt.skip_kinds = parse_kinds(optarg);
			break;
		case 'k':
			opt.only = optarg;
			break;
		case 'f':
			opt.first = strtoul(optarg, NULL, 0);
			break;
		case 'l':
			opt.last = strtoul(optarg, NULL, 0);
			break;
		case 'C':
			opt.check_every = strtoul(optarg, NULL, 0);
			break;
		case 'p':
			opt.pools = optarg;
			break;
		case 'P':
			opt.no_fill = 1;
			break;
		case 'V':
			opt.no_verify = 1;
			break;
		case 'Q':
			opt.queue_cmds = 1;
			break;
		case 'u':
			opt.unsafe = 1;
			break;
		case 'g':
			gfd = open(optarg, O_RDWR);
			if (gfd < 0)
				die("%s: %s\n", optarg, strerror(errno));
			ring_init();
			break;
		default:
			usage(argv[0]);
		}
	}
	if (argc - optind != 2)
		usage(argv[0]);

	cfd = open(argv[optind], O_RDWR);
	if (cfd < 0)
		die("%s: %s\n", argv[optind], strerror(errno));
	nfd = open(argv[optind + 1], O_RDWR | O_DIRECT);
	if (nfd < 0)
		die("%s: %s\n", argv[optind + 1], strerror(errno));
	ret = ioctl(nfd, NVME_IOCTL_ID);
	if (ret <= 0)
		die("NVME_IOCTL_ID on %s: %s\n", argv[optind + 1],
		    ret < 0 ? strerror(errno) : "0");
	nsid = ret;
	if (ioctl(nfd, BLKGETSIZE64, &bytes) || ioctl(nfd, BLKSSZGET, &ret))
		die("%s: size: %s\n", argv[optind + 1], strerror(errno));
	lba_size = ret;
	nsze = bytes / lba_size;
	if (nsze < 4096)
		die("%s: too small\n", argv[optind + 1]);
	region_bytes = (uint64_t)opt.region_mib * MIB;
	if (region_bytes > bytes / 2)
		region_bytes = bytes / 2 / MIB * MIB;
	printf("nvme-fuzz: seed %" PRIu64 ", %u calls, %s nsid %u: %" PRIu64 " LBAs of %u bytes, pattern in the first %" PRIu64 " MiB, writes at LBA %" PRIu64 " and up\n",
	       opt.seed, opt.count, argv[optind + 1], nsid, nsze, lba_size,
	       region_bytes / MIB, nsze / 2);

	setup_buffers();
	if (!opt.no_fill)
		phase1();

	rng_state = mix(opt.seed) | 1;
	for (i = 0; i < opt.count; i++) {
		gen_call(&c);
		if (!wanted(i, &c)) {
			skipped++;
			continue;
		}
		run_call(i, &c);
		if (opt.pools)
			check_pools(i);
		if (opt.check_every && issued % opt.check_every == 0 &&
		    quick_check()) {
			printf("phase 2: read-back fails after call #%u: %s\n",
			       i, first_error);
			break;
		}
	}

	qsort(results, nr_results, sizeof(results[0]), cmp_results);
	printf("phase 2: %u calls issued, %u skipped; results:\n", issued,
	       skipped);
	for (i = 0; i < nr_results; i++)
		printf("  %6u  %s\n", results[i].n, results[i].what);

	if (opt.no_verify)
		return first_error[0] ? 1 : 0;
	bad = phase3();
	printf("nvme-fuzz: %s\n", bad ? "FAIL" : "PASS");
	return bad ? 1 : 0;
}
