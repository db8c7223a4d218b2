// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the hardware-independent helpers of my_nvme: doorbell
 * offsets, CAP decoding, completion queue phase tracking, admin and I/O
 * command encoding, PRP and SGL construction, NVMe status mapping,
 * Controller Memory Buffer geometry and the checks on user passthrough
 * commands.
 *
 * Nothing here touches a device. Scatterlists carry made-up DMA addresses
 * and descriptor list pages come from a fake allocator that hands out
 * kmalloc()ed pages with fake DMA addresses it can map back.
 */
#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/bits.h>
#include <linux/blk_types.h>
#include <linux/module.h>
#include <linux/nvme.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "my_nvme.h"

/* ---------------------------------------------------------------------- */
/* Doorbells and CAP                                                      */
/* ---------------------------------------------------------------------- */

static const u32 db_dstrd[] = { 0, 1, 2, 4 };

static void db_dstrd_desc(const u32 *dstrd, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "DSTRD %u (stride %u bytes)",
		 *dstrd, 4U << *dstrd);
}

KUNIT_ARRAY_PARAM(db_dstrd, db_dstrd, db_dstrd_desc);

/* The formula from the spec, for every stride and a few queue ids. */
static void my_nvme_test_doorbell_stride(struct kunit *test)
{
	static const u16 qids[] = { 0, 1, 7, 64 };
	const u32 *dstrd = test->param_value;
	u32 stride = 4U << *dstrd;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(qids); i++) {
		u32 qid = qids[i];

		KUNIT_EXPECT_EQ_MSG(test, my_nvme_sq_db_offset(qid, stride),
				    0x1000 + (2 * qid) * stride, "SQ qid %u", qid);
		KUNIT_EXPECT_EQ_MSG(test, my_nvme_cq_db_offset(qid, stride),
				    0x1000 + (2 * qid + 1) * stride,
				    "CQ qid %u", qid);
	}
}

/* The same, as literal offsets worked out by hand. */
static void my_nvme_test_doorbell_known(struct kunit *test)
{
	static const struct {
		u16 qid;
		u32 stride;
		u32 sq;
		u32 cq;
	} cases[] = {
		{ 0, 4, 0x1000, 0x1004 },	/* admin queue */
		{ 1, 4, 0x1008, 0x100c },
		{ 7, 8, 0x1070, 0x1078 },
		{ 64, 16, 0x1800, 0x1810 },
		{ 64, 64, 0x3000, 0x3040 },
		{ 0xffff, 64, 0x800f80, 0x800fc0 },	/* no u16 overflow */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		KUNIT_EXPECT_EQ_MSG(test,
				    my_nvme_sq_db_offset(cases[i].qid,
							 cases[i].stride),
				    cases[i].sq, "qid %u stride %u",
				    cases[i].qid, cases[i].stride);
		KUNIT_EXPECT_EQ_MSG(test,
				    my_nvme_cq_db_offset(cases[i].qid,
							 cases[i].stride),
				    cases[i].cq, "qid %u stride %u",
				    cases[i].qid, cases[i].stride);
	}
}

struct cap_case {
	const char *desc;
	u64 cap;
	struct my_nvme_cap_info exp;
};

static const struct cap_case cap_cases[] = {
	{
		/*
		 * QEMU's emulated controller: MQES 0x7ff, CQR, TO 0xf,
		 * CSS = NVM | CSI | admin only (bits 37, 43, 44),
		 * MPSMIN 0, MPSMAX 4.
		 */
		.desc = "QEMU default",
		.cap = 0x004018200f0107ffULL,
		.exp = {
			.max_queue_entries = 2048,
			.contiguous_required = true,
			.ready_timeout_ms = 7500,
			.doorbell_stride = 4,
			.nvm_command_set = true,
			.page_size_min = 4096,
			.page_size_max = 65536,
			.cmb_supported = false,
		},
	},
	{
		/* TO 0x14, NSSRS (bit 36) and CSS.NVM (bit 37), CSS 0x20. */
		.desc = "QEMU-like, TO 20, NSSRS",
		.cap = 0x00402030140107ffULL,
		.exp = {
			.max_queue_entries = 2048,
			.contiguous_required = true,
			.ready_timeout_ms = 10000,
			.doorbell_stride = 4,
			.nvm_command_set = true,
			.page_size_min = 4096,
			.page_size_max = 65536,
			.cmb_supported = false,
		},
	},
	{
		.desc = "all zero",
		.cap = 0,
		.exp = {
			.max_queue_entries = 1,
			.ready_timeout_ms = 0,
			.doorbell_stride = 4,
			.page_size_min = 4096,
			.page_size_max = 4096,
		},
	},
	{
		/* Every bit, including reserved ones and unrelated fields. */
		.desc = "all ones",
		.cap = ~0ULL,
		.exp = {
			.max_queue_entries = 65536,
			.contiguous_required = true,
			.ready_timeout_ms = 255 * 500,
			.doorbell_stride = 4U << 15,
			.nvm_command_set = true,
			.page_size_min = 4096U << 15,
			.page_size_max = 4096U << 15,
			.cmb_supported = true,
		},
	},
	{
		/* Each decoded field at its maximum, everything else clear. */
		.desc = "decoded fields all ones",
		.cap = 0x02ff002fff01ffffULL,
		.exp = {
			.max_queue_entries = 65536,
			.contiguous_required = true,
			.ready_timeout_ms = 255 * 500,
			.doorbell_stride = 4U << 15,
			.nvm_command_set = true,
			.page_size_min = 4096U << 15,
			.page_size_max = 4096U << 15,
			.cmb_supported = true,
		},
	},
	{
		/*
		 * Only bits outside the decoded fields: AMS, NSSRS, the other
		 * CSS bits, BPS, CPS, PMRS and the top reserved bits.
		 */
		.desc = "undecoded bits only",
		.cap = GENMASK_ULL(23, 17) | BIT_ULL(36) |
		       GENMASK_ULL(47, 38) | BIT_ULL(56) | GENMASK_ULL(63, 58),
		.exp = {
			.max_queue_entries = 1,
			.ready_timeout_ms = 0,
			.doorbell_stride = 4,
			.page_size_min = 4096,
			.page_size_max = 4096,
		},
	},
	{
		/*
		 * MQES 0x3ff, TO 1, DSTRD 2, MPSMIN 1, MPSMAX 3, CMBS; CQR
		 * and CSS.NVM clear.
		 */
		.desc = "mixed fields",
		.cap = 0x02310002010003ffULL,
		.exp = {
			.max_queue_entries = 1024,
			.contiguous_required = false,
			.ready_timeout_ms = 500,
			.doorbell_stride = 16,
			.nvm_command_set = false,
			.page_size_min = 8192,
			.page_size_max = 32768,
			.cmb_supported = true,
		},
	},
};

KUNIT_ARRAY_PARAM_DESC(cap, cap_cases, desc);

static void my_nvme_test_decode_cap(struct kunit *test)
{
	const struct cap_case *c = test->param_value;
	struct my_nvme_cap_info info;

	/* Poison, so that a field the decoder forgets shows up. */
	memset(&info, 0xa5, sizeof(info));
	my_nvme_decode_cap(c->cap, &info);

	KUNIT_EXPECT_EQ(test, info.max_queue_entries,
			c->exp.max_queue_entries);
	KUNIT_EXPECT_EQ(test, info.contiguous_required,
			c->exp.contiguous_required);
	KUNIT_EXPECT_EQ(test, info.ready_timeout_ms, c->exp.ready_timeout_ms);
	KUNIT_EXPECT_EQ(test, info.doorbell_stride, c->exp.doorbell_stride);
	KUNIT_EXPECT_EQ(test, info.nvm_command_set, c->exp.nvm_command_set);
	KUNIT_EXPECT_EQ(test, info.page_size_min, c->exp.page_size_min);
	KUNIT_EXPECT_EQ(test, info.page_size_max, c->exp.page_size_max);
	KUNIT_EXPECT_EQ(test, info.cmb_supported, c->exp.cmb_supported);
}

/* ---------------------------------------------------------------------- */
/* Completion queue phase tracking                                        */
/* ---------------------------------------------------------------------- */

/* Two full laps of small rings: the phase flips exactly at each wrap. */
static void my_nvme_test_cq_advance_wrap(struct kunit *test)
{
	static const u32 depths[] = { 4, 2 };
	unsigned int d, i;

	for (d = 0; d < ARRAY_SIZE(depths); d++) {
		u32 depth = depths[d];
		u16 head = 0;
		u8 phase = 1;

		for (i = 1; i <= 2 * depth; i++) {
			my_nvme_cq_advance(&head, &phase, depth);
			KUNIT_EXPECT_EQ_MSG(test, head, i % depth,
					    "depth %u step %u", depth, i);
			KUNIT_EXPECT_EQ_MSG(test, phase, 1 ^ ((i / depth) & 1),
					    "depth %u step %u", depth, i);
		}
	}
}

/* CAP.MQES allows 65536 entries: the last head value does not fit u16 + 1. */
static void my_nvme_test_cq_advance_max_depth(struct kunit *test)
{
	u16 head = 65534;
	u8 phase = 1;

	my_nvme_cq_advance(&head, &phase, 65536);
	KUNIT_EXPECT_EQ(test, head, 65535);
	KUNIT_EXPECT_EQ(test, phase, 1);

	my_nvme_cq_advance(&head, &phase, 65536);
	KUNIT_EXPECT_EQ(test, head, 0);
	KUNIT_EXPECT_EQ(test, phase, 0);
}

static void my_nvme_test_cqe_pending(struct kunit *test)
{
	struct nvme_completion cqe = {
		.result.u64 = cpu_to_le64(~0ULL),
		.sq_head = cpu_to_le16(0xffff),
		.sq_id = cpu_to_le16(0xffff),
		.command_id = 0xffff,
	};

	cqe.status = cpu_to_le16(0);
	KUNIT_EXPECT_TRUE(test, my_nvme_cqe_pending(&cqe, 0));
	KUNIT_EXPECT_FALSE(test, my_nvme_cqe_pending(&cqe, 1));

	cqe.status = cpu_to_le16(1);
	KUNIT_EXPECT_TRUE(test, my_nvme_cqe_pending(&cqe, 1));
	KUNIT_EXPECT_FALSE(test, my_nvme_cqe_pending(&cqe, 0));

	/* The status code above the phase bit does not matter. */
	cqe.status = cpu_to_le16(NVME_SC_INVALID_FIELD << 1 | 1);
	KUNIT_EXPECT_TRUE(test, my_nvme_cqe_pending(&cqe, 1));
	KUNIT_EXPECT_FALSE(test, my_nvme_cqe_pending(&cqe, 0));

	cqe.status = cpu_to_le16(0xfffe);
	KUNIT_EXPECT_TRUE(test, my_nvme_cqe_pending(&cqe, 0));
	KUNIT_EXPECT_FALSE(test, my_nvme_cqe_pending(&cqe, 1));
}

#define TEST_CQ_DEPTH	4

static void cq_post(struct nvme_completion *cq, u16 slot, u8 phase, u16 cid)
{
	cq[slot].command_id = cid;
	cq[slot].status = cpu_to_le16(phase);
}

/* Consume entries the way the interrupt handler does. */
static unsigned int cq_reap(struct nvme_completion *cq, u16 *head, u8 *phase,
			    u16 *cids, unsigned int max)
{
	unsigned int n = 0;

	while (n < max && my_nvme_cqe_pending(&cq[*head], *phase)) {
		cids[n++] = cq[*head].command_id;
		my_nvme_cq_advance(head, phase, TEST_CQ_DEPTH);
	}
	return n;
}

/* A fake CQ with a producer that overwrites old-phase entries. */
static void my_nvme_test_cq_reap_walk(struct kunit *test)
{
	struct nvme_completion cq[TEST_CQ_DEPTH] = {};
	u16 cids[2 * TEST_CQ_DEPTH];
	u16 head = 0;
	u8 phase = 1;

	/* A freshly zeroed queue holds nothing for phase 1. */
	KUNIT_EXPECT_EQ(test, cq_reap(cq, &head, &phase, cids, 8), 0);

	cq_post(cq, 0, 1, 10);
	cq_post(cq, 1, 1, 11);
	KUNIT_ASSERT_EQ(test, cq_reap(cq, &head, &phase, cids, 8), 2);
	KUNIT_EXPECT_EQ(test, cids[0], 10);
	KUNIT_EXPECT_EQ(test, cids[1], 11);
	KUNIT_EXPECT_EQ(test, head, 2);
	KUNIT_EXPECT_EQ(test, phase, 1);

	/* Fill to the end and wrap: slot 0 is rewritten with phase 0. */
	cq_post(cq, 2, 1, 12);
	cq_post(cq, 3, 1, 13);
	cq_post(cq, 0, 0, 14);
	KUNIT_ASSERT_EQ(test, cq_reap(cq, &head, &phase, cids, 8), 3);
	KUNIT_EXPECT_EQ(test, cids[0], 12);
	KUNIT_EXPECT_EQ(test, cids[1], 13);
	KUNIT_EXPECT_EQ(test, cids[2], 14);
	KUNIT_EXPECT_EQ(test, head, 1);
	KUNIT_EXPECT_EQ(test, phase, 0);

	/* Slot 1 still holds the phase 1 entry of the first lap. */
	KUNIT_EXPECT_FALSE(test, my_nvme_cqe_pending(&cq[1], phase));

	cq_post(cq, 1, 0, 15);
	cq_post(cq, 2, 0, 16);
	cq_post(cq, 3, 0, 17);
	KUNIT_ASSERT_EQ(test, cq_reap(cq, &head, &phase, cids, 8), 3);
	KUNIT_EXPECT_EQ(test, cids[0], 15);
	KUNIT_EXPECT_EQ(test, cids[2], 17);
	KUNIT_EXPECT_EQ(test, head, 0);
	KUNIT_EXPECT_EQ(test, phase, 1);

	/* Slot 0 holds cid 14 with phase 0: nothing new. */
	KUNIT_EXPECT_EQ(test, cq_reap(cq, &head, &phase, cids, 8), 0);
}

/* ---------------------------------------------------------------------- */
/* Command encoders                                                       */
/* ---------------------------------------------------------------------- */

/* Encoders must clear the whole command, so start from garbage. */
static void cmd_poison(struct nvme_command *cmd)
{
	memset(cmd, 0xa5, sizeof(*cmd));
}

/* Compare all 16 command dwords; @exp was built from a zeroed command. */
static void expect_cmd_eq(struct kunit *test, const struct nvme_command *got,
			  const struct nvme_command *exp, const char *what)
{
	const __le32 *g = (const __le32 *)got;
	const __le32 *e = (const __le32 *)exp;
	unsigned int i;

	BUILD_BUG_ON(sizeof(*got) != 64);
	for (i = 0; i < sizeof(*got) / sizeof(*g); i++)
		KUNIT_EXPECT_EQ_MSG(test, le32_to_cpu(g[i]), le32_to_cpu(e[i]),
				    "%s: command dword %u", what, i);
}

/*
 * Every admin and I/O command encoder, one table: a row names the
 * encoder, its arguments and the whole command it must produce (16
 * dwords compared, from a command filled with garbage first). A new
 * encoding case is one row.
 */
enum enc_kind {
	ENC_IDENTIFY, ENC_SET_FEATURES, ENC_GET_FEATURES, ENC_CREATE_CQ,
	ENC_CREATE_SQ, ENC_DELETE_QUEUE, ENC_FLUSH, ENC_WRITE_ZEROES, ENC_DSM,
};

struct enc_case {
	const char *desc;
	enum enc_kind kind;
	u64 a, b, c, d, e;	/* the encoder's arguments, in order */
	struct nvme_command exp;
};

#define LE16(x)	cpu_to_le16(x)
#define LE32(x)	cpu_to_le32(x)
#define LE64(x)	cpu_to_le64(x)
#define CQ_IRQ	(NVME_QUEUE_PHYS_CONTIG | NVME_CQ_IRQ_ENABLED)
#define SQ_FLAGS (NVME_QUEUE_PHYS_CONTIG | NVME_SQ_PRIO_MEDIUM)

static const struct enc_case enc_cases[] = {
	{ "identify controller", ENC_IDENTIFY, NVME_ID_CNS_CTRL, 0,
	  .exp.identify = { .opcode = nvme_admin_identify,
			    .cns = NVME_ID_CNS_CTRL } },
	{ "identify namespace 1", ENC_IDENTIFY, NVME_ID_CNS_NS, 1,
	  .exp.identify = { .opcode = nvme_admin_identify, .nsid = LE32(1),
			    .cns = NVME_ID_CNS_NS } },
	{ "identify active ns list", ENC_IDENTIFY, NVME_ID_CNS_NS_ACTIVE_LIST, 0,
	  .exp.identify = { .opcode = nvme_admin_identify,
			    .cns = NVME_ID_CNS_NS_ACTIVE_LIST } },
	{ "identify ns descriptors, nsid fffffffe", ENC_IDENTIFY,
	  NVME_ID_CNS_NS_DESC_LIST, 0xfffffffe,
	  .exp.identify = { .opcode = nvme_admin_identify,
			    .nsid = LE32(0xfffffffe),
			    .cns = NVME_ID_CNS_NS_DESC_LIST } },
	{ "set features: number of queues", ENC_SET_FEATURES,
	  NVME_FEAT_NUM_QUEUES, 0x00070007,
	  .exp.features = { .opcode = nvme_admin_set_features,
			    .fid = LE32(NVME_FEAT_NUM_QUEUES),
			    .dword11 = LE32(0x00070007) } },
	{ "set features: volatile write cache", ENC_SET_FEATURES,
	  NVME_FEAT_VOLATILE_WC, 1,
	  .exp.features = { .opcode = nvme_admin_set_features,
			    .fid = LE32(NVME_FEAT_VOLATILE_WC),
			    .dword11 = LE32(1) } },
	{ "set features: all ones", ENC_SET_FEATURES, NVME_FEAT_IRQ_COALESCE,
	  0xffffffff,
	  .exp.features = { .opcode = nvme_admin_set_features,
			    .fid = LE32(NVME_FEAT_IRQ_COALESCE),
			    .dword11 = LE32(0xffffffff) } },
	{ "get features: number of queues", ENC_GET_FEATURES,
	  NVME_FEAT_NUM_QUEUES,
	  .exp.features = { .opcode = nvme_admin_get_features,
			    .fid = LE32(NVME_FEAT_NUM_QUEUES) } },
	{ "get features: volatile write cache", ENC_GET_FEATURES,
	  NVME_FEAT_VOLATILE_WC,
	  .exp.features = { .opcode = nvme_admin_get_features,
			    .fid = LE32(NVME_FEAT_VOLATILE_WC) } },
	{ "get features: fid ff", ENC_GET_FEATURES, 0xff,
	  .exp.features = { .opcode = nvme_admin_get_features,
			    .fid = LE32(0xff) } },
	{ "create cq 1, vector 3", ENC_CREATE_CQ, 1, 0x12345000, 1024, 3,
	  .exp.create_cq = { .opcode = nvme_admin_create_cq,
			     .prp1 = LE64(0x12345000), .cqid = LE16(1),
			     .qsize = LE16(1023), .cq_flags = LE16(CQ_IRQ),
			     .irq_vector = LE16(3) } },
	{ "create cq 16, vector 0 is a real vector", ENC_CREATE_CQ, 16,
	  0x123456000ULL, 2, 0,
	  .exp.create_cq = { .opcode = nvme_admin_create_cq,
			     .prp1 = LE64(0x123456000ULL), .cqid = LE16(16),
			     .qsize = LE16(1), .cq_flags = LE16(CQ_IRQ) } },
	{ "create cq ffff, 65536 entries", ENC_CREATE_CQ, 0xffff,
	  0xfffffffffffff000ULL, 65536, 2047,
	  .exp.create_cq = { .opcode = nvme_admin_create_cq,
			     .prp1 = LE64(0xfffffffffffff000ULL),
			     .cqid = LE16(0xffff), .qsize = LE16(0xffff),
			     .cq_flags = LE16(CQ_IRQ),
			     .irq_vector = LE16(2047) } },
	{ "create polled cq: no interrupt, vector 0", ENC_CREATE_CQ, 5,
	  0xabcd000, 256, (u64)-1,
	  .exp.create_cq = { .opcode = nvme_admin_create_cq,
			     .prp1 = LE64(0xabcd000), .cqid = LE16(5),
			     .qsize = LE16(255),
			     .cq_flags = LE16(NVME_QUEUE_PHYS_CONTIG) } },
	{ "create sq 1 on cq 1", ENC_CREATE_SQ, 1, 0xfedc0000, 1024, 1,
	  .exp.create_sq = { .opcode = nvme_admin_create_sq,
			     .prp1 = LE64(0xfedc0000), .sqid = LE16(1),
			     .qsize = LE16(1023), .sq_flags = LE16(SQ_FLAGS),
			     .cqid = LE16(1) } },
	{ "create sq 5 on cq 3", ENC_CREATE_SQ, 5, 0x200000000ULL, 64, 3,
	  .exp.create_sq = { .opcode = nvme_admin_create_sq,
			     .prp1 = LE64(0x200000000ULL), .sqid = LE16(5),
			     .qsize = LE16(63), .sq_flags = LE16(SQ_FLAGS),
			     .cqid = LE16(3) } },
	{ "create sq ffff, 2 entries", ENC_CREATE_SQ, 0xffff, 0x1000, 2, 0xfffe,
	  .exp.create_sq = { .opcode = nvme_admin_create_sq,
			     .prp1 = LE64(0x1000), .sqid = LE16(0xffff),
			     .qsize = LE16(1), .sq_flags = LE16(SQ_FLAGS),
			     .cqid = LE16(0xfffe) } },
	{ "delete sq 3", ENC_DELETE_QUEUE, nvme_admin_delete_sq, 3,
	  .exp.delete_queue = { .opcode = nvme_admin_delete_sq,
				.qid = LE16(3) } },
	{ "delete cq 3", ENC_DELETE_QUEUE, nvme_admin_delete_cq, 3,
	  .exp.delete_queue = { .opcode = nvme_admin_delete_cq,
				.qid = LE16(3) } },
	{ "delete sq ffff", ENC_DELETE_QUEUE, nvme_admin_delete_sq, 0xffff,
	  .exp.delete_queue = { .opcode = nvme_admin_delete_sq,
				.qid = LE16(0xffff) } },
	{ "delete cq 1", ENC_DELETE_QUEUE, nvme_admin_delete_cq, 1,
	  .exp.delete_queue = { .opcode = nvme_admin_delete_cq,
				.qid = LE16(1) } },
	{ "flush nsid 1", ENC_FLUSH, 1,
	  .exp.common = { .opcode = nvme_cmd_flush, .nsid = LE32(1) } },
	{ "flush nsid 42", ENC_FLUSH, 42,
	  .exp.common = { .opcode = nvme_cmd_flush, .nsid = LE32(42) } },
	{ "flush all namespaces", ENC_FLUSH, 0xffffffff,
	  .exp.common = { .opcode = nvme_cmd_flush, .nsid = LE32(0xffffffff) } },
	{ "write zeroes 64 KiB, 512 B LBAs", ENC_WRITE_ZEROES, 3, 9, 100, SZ_64K,
	  false,
	  .exp.write_zeroes = { .opcode = nvme_cmd_write_zeroes,
				.nsid = LE32(3), .slba = LE64(100),
				.length = LE16(127) } },
	{ "write zeroes 64 KiB, deallocate", ENC_WRITE_ZEROES, 3, 9, 100,
	  SZ_64K, true,
	  .exp.write_zeroes = { .opcode = nvme_cmd_write_zeroes,
				.nsid = LE32(3), .slba = LE64(100),
				.length = LE16(127),
				.control = LE16(NVME_WZ_DEAC) } },
	{ "write zeroes 1 MiB, 4 KiB LBAs, deallocate", ENC_WRITE_ZEROES, 3, 12,
	  800, SZ_1M, true,
	  .exp.write_zeroes = { .opcode = nvme_cmd_write_zeroes,
				.nsid = LE32(3), .slba = LE64(100),
				.length = LE16(255),
				.control = LE16(NVME_WZ_DEAC) } },
	{ "write zeroes above 16 TiB, 4 KiB LBAs", ENC_WRITE_ZEROES, 3, 12,
	  0x800000000ULL, SZ_4K, false,
	  .exp.write_zeroes = { .opcode = nvme_cmd_write_zeroes,
				.nsid = LE32(3),
				.slba = LE64(0x100000000ULL) } },
	{ "dsm, 1 range", ENC_DSM, 9, 1,
	  .exp.dsm = { .opcode = nvme_cmd_dsm, .nsid = LE32(9), .nr = LE32(0),
		       .attributes = LE32(NVME_DSMGMT_AD) } },
	{ "dsm, 2 ranges", ENC_DSM, 9, 2,
	  .exp.dsm = { .opcode = nvme_cmd_dsm, .nsid = LE32(9), .nr = LE32(1),
		       .attributes = LE32(NVME_DSMGMT_AD) } },
	{ "dsm, 256 ranges", ENC_DSM, 9, NVME_DSM_MAX_RANGES,
	  .exp.dsm = { .opcode = nvme_cmd_dsm, .nsid = LE32(9),
		       .nr = LE32(NVME_DSM_MAX_RANGES - 1),
		       .attributes = LE32(NVME_DSMGMT_AD) } },
};

KUNIT_ARRAY_PARAM_DESC(enc, enc_cases, desc);

static void my_nvme_test_encoder(struct kunit *test)
{
	const struct enc_case *c = test->param_value;
	struct nvme_command cmd;

	cmd_poison(&cmd);
	switch (c->kind) {
	case ENC_IDENTIFY:
		my_nvme_cmd_identify(&cmd, c->a, c->b);
		break;
	case ENC_SET_FEATURES:
		my_nvme_cmd_set_features(&cmd, c->a, c->b);
		break;
	case ENC_GET_FEATURES:
		my_nvme_cmd_get_features(&cmd, c->a);
		break;
	case ENC_CREATE_CQ:
		my_nvme_cmd_create_cq(&cmd, c->a, c->b, c->c, (s16)c->d);
		break;
	case ENC_CREATE_SQ:
		my_nvme_cmd_create_sq(&cmd, c->a, c->b, c->c, c->d);
		break;
	case ENC_DELETE_QUEUE:
		my_nvme_cmd_delete_queue(&cmd, c->a, c->b);
		break;
	case ENC_FLUSH:
		my_nvme_cmd_flush(&cmd, c->a);
		break;
	case ENC_WRITE_ZEROES:
		my_nvme_cmd_write_zeroes(&cmd, c->a, c->b, c->c, c->d, c->e);
		break;
	case ENC_DSM:
		my_nvme_cmd_dsm(&cmd, c->a, c->b);
		break;
	}
	KUNIT_EXPECT_EQ(test, cmd.common.opcode, c->exp.common.opcode);
	KUNIT_EXPECT_EQ(test, cmd.common.command_id, 0);
	expect_cmd_eq(test, &cmd, &c->exp, c->desc);
}

static void my_nvme_test_num_queues(struct kunit *test)
{
	static const unsigned int roundtrip[] = { 1, 2, 3, 16, 64, 1024 };
	unsigned int i;

	/* Both fields are 0's based. */
	KUNIT_EXPECT_EQ(test, my_nvme_num_queues_dword(1), 0);
	KUNIT_EXPECT_EQ(test, my_nvme_num_queues_dword(2), 0x00010001);
	KUNIT_EXPECT_EQ(test, my_nvme_num_queues_dword(8), 0x00070007);
	KUNIT_EXPECT_EQ(test, my_nvme_num_queues_dword(64), 0x003f003f);
	KUNIT_EXPECT_EQ(test, my_nvme_num_queues_dword(65535), 0xfffefffe);

	/* Asking for n and being granted all of it gives n back. */
	for (i = 0; i < ARRAY_SIZE(roundtrip); i++) {
		u32 dw = my_nvme_num_queues_dword(roundtrip[i]);

		KUNIT_EXPECT_EQ(test, my_nvme_num_queues_granted(dw),
				roundtrip[i]);
	}
}

/* The controller may grant fewer SQs than CQs or the other way round. */
static void my_nvme_test_num_queues_granted(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, my_nvme_num_queues_granted(0), 1);
	KUNIT_EXPECT_EQ(test, my_nvme_num_queues_granted(0x00070007), 8);
	KUNIT_EXPECT_EQ(test, my_nvme_num_queues_granted(0x0003000f), 4);
	KUNIT_EXPECT_EQ(test, my_nvme_num_queues_granted(0x000f0003), 4);
	KUNIT_EXPECT_EQ(test, my_nvme_num_queues_granted(0x003f0000), 1);
	KUNIT_EXPECT_EQ(test, my_nvme_num_queues_granted(0x0000003f), 1);
	KUNIT_EXPECT_EQ(test, my_nvme_num_queues_granted(0xfffefffe), 65535);
}

struct rw_case {
	const char *desc;
	bool write;
	u32 nsid;
	u8 lba_shift;
	sector_t sector;
	u32 bytes;
	u16 control;
	u64 slba;
	u16 length;	/* 0's based */
};

static const struct rw_case rw_cases[] = {
	{ "read 4 KiB, 512 B LBAs", false, 1, 9, 2048, SZ_4K, 0, 2048, 7 },
	{ "write one 512 B LBA", true, 1, 9, 0, 512, 0, 0, 0 },
	{ "write 4 MiB, 512 B LBAs", true, 1, 9, 8, SZ_4M, 0, 8, 8191 },
	{ "read 32 MiB, 512 B LBAs", false, 1, 9, 0, SZ_32M, 0, 0, 0xffff },
	{ "read above 2 TiB, 512 B LBAs", false, 1, 9, 0x100000000ULL, SZ_4K,
	  0, 0x100000000ULL, 7 },
	{ "read 4 KiB, 4 KiB LBAs", false, 2, 12, 2048, SZ_4K, 0, 256, 0 },
	{ "FUA write 1 MiB, 4 KiB LBAs", true, 2, 12, 8, SZ_1M, NVME_RW_FUA,
	  1, 255 },
	{ "write above 16 TiB, 4 KiB LBAs", true, 7, 12, 0x900000008ULL,
	  SZ_64K, 0, 0x120000001ULL, 15 },
};

KUNIT_ARRAY_PARAM_DESC(rw, rw_cases, desc);

static void my_nvme_test_cmd_rw(struct kunit *test)
{
	const struct rw_case *c = test->param_value;
	struct nvme_command cmd, exp;

	memset(&exp, 0, sizeof(exp));
	exp.rw.opcode = c->write ? nvme_cmd_write : nvme_cmd_read;
	exp.rw.nsid = cpu_to_le32(c->nsid);
	exp.rw.slba = cpu_to_le64(c->slba);
	exp.rw.length = cpu_to_le16(c->length);
	exp.rw.control = cpu_to_le16(c->control);

	cmd_poison(&cmd);
	my_nvme_cmd_rw(&cmd, c->write, c->nsid, c->lba_shift, c->sector,
		       c->bytes, c->control);
	KUNIT_EXPECT_EQ(test, cmd.rw.opcode, exp.rw.opcode);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(cmd.rw.slba), c->slba);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(cmd.rw.length), c->length);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(cmd.rw.control), c->control);
	expect_cmd_eq(test, &cmd, &exp, c->desc);
}

static void my_nvme_test_dsm_range(struct kunit *test)
{
	static const struct {
		u8 lba_shift;
		sector_t sector;
		u32 bytes;
		u32 nlb;
		u64 slba;
	} cases[] = {
		{ 9, 1000, SZ_4K, 8, 1000 },
		{ 12, 80, SZ_1M, 256, 10 },
		{ 9, 0x123456789ULL, SZ_2G, 0x400000, 0x123456789ULL },
		{ 12, 0x900000008ULL, SZ_4K, 1, 0x120000001ULL },
	};
	struct nvme_dsm_range range;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(&range, 0xa5, sizeof(range));
		my_nvme_dsm_range(&range, cases[i].lba_shift, cases[i].sector,
				  cases[i].bytes);
		KUNIT_EXPECT_EQ_MSG(test, le32_to_cpu(range.cattr), 0,
				    "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, le32_to_cpu(range.nlb), cases[i].nlb,
				    "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, le64_to_cpu(range.slba), cases[i].slba,
				    "case %u", i);
	}
}

/* ---------------------------------------------------------------------- */
/* PRP and SGL construction                                               */
/* ---------------------------------------------------------------------- */

#define FAKE_LIST_DMA	0xd0000000ULL
#define FAKE_MAX_LISTS	16

/* A descriptor list page allocator that can fail on demand. */
struct fake_lists {
	struct my_nvme_list_alloc la;
	struct kunit *test;
	u32 page_size;
	int fail_at;		/* this allocation returns NULL; -1: never */
	int nr;
	void *va[FAKE_MAX_LISTS];
	dma_addr_t dma[FAKE_MAX_LISTS];
};

static void *fake_list_alloc(void *priv, dma_addr_t *dma)
{
	struct fake_lists *fl = priv;
	void *va;

	if (fl->nr == fl->fail_at || fl->nr == FAKE_MAX_LISTS)
		return NULL;
	va = kunit_kzalloc(fl->test, fl->page_size, GFP_KERNEL);
	if (!va)
		return NULL;
	fl->va[fl->nr] = va;
	fl->dma[fl->nr] = FAKE_LIST_DMA + (u64)fl->nr * fl->page_size;
	*dma = fl->dma[fl->nr];
	fl->nr++;
	return va;
}

static void fake_lists_init(struct kunit *test, struct fake_lists *fl,
			    u32 page_size, int fail_at)
{
	memset(fl, 0, sizeof(*fl));
	fl->la.alloc = fake_list_alloc;
	fl->la.priv = fl;
	fl->test = test;
	fl->page_size = page_size;
	fl->fail_at = fail_at;
}

/* Map a fake list DMA address back to the page. */
static __le64 *fake_list_va(struct fake_lists *fl, u64 dma)
{
	int i;

	for (i = 0; i < fl->nr; i++)
		if (fl->dma[i] == dma)
			return fl->va[i];
	return NULL;
}

/*
 * Every page the allocator handed out must be recorded for the caller to
 * free, whether the build succeeded or not. Then free them, as the driver
 * does on completion.
 */
static void fake_lists_release(struct kunit *test, struct fake_lists *fl,
			       void **lists, dma_addr_t *list_dma,
			       int nr_lists)
{
	int i;

	KUNIT_EXPECT_EQ_MSG(test, nr_lists, fl->nr,
			    "list pages recorded vs allocated");
	for (i = 0; i < nr_lists && i < fl->nr; i++) {
		KUNIT_EXPECT_PTR_EQ_MSG(test, (void *)fake_list_va(fl, list_dma[i]),
					lists[i], "list page %d", i);
	}
	for (i = 0; i < fl->nr; i++)
		kunit_kfree(test, fl->va[i]);
	fl->nr = 0;
}

struct fake_seg {
	u64 addr;
	u32 len;
};

static struct scatterlist *fake_sgl(struct kunit *test,
				    const struct fake_seg *segs,
				    unsigned int nsegs)
{
	struct scatterlist *sgl, *sg;
	unsigned int i;

	sgl = kunit_kcalloc(test, nsegs, sizeof(*sgl), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sgl);
	sg_init_table(sgl, nsegs);
	for_each_sg(sgl, sg, nsegs, i) {
		sg->offset = 0;
		sg->length = segs[i].len;
		sg_dma_address(sg) = segs[i].addr;
		sg_dma_len(sg) = segs[i].len;
	}
	return sgl;
}

/* One call of my_nvme_build_prps() and everything it returned. */
struct prp_run {
	struct fake_lists fl;
	void *lists[MY_NVME_MAX_LIST_PAGES];
	dma_addr_t list_dma[MY_NVME_MAX_LIST_PAGES];
	int nr_lists;
	__le64 prp1;
	__le64 prp2;
	int ret;
};

static void prp_run(struct kunit *test, struct prp_run *r,
		    struct scatterlist *sgl, u32 length, u32 page_size,
		    int fail_at, int max_lists)
{
	fake_lists_init(test, &r->fl, page_size, fail_at);
	memset(r->lists, 0, sizeof(r->lists));
	memset(r->list_dma, 0, sizeof(r->list_dma));
	r->nr_lists = 0;
	r->prp1 = cpu_to_le64(~0ULL);
	r->prp2 = cpu_to_le64(~0ULL);
	r->ret = my_nvme_build_prps(sgl, length, page_size, &r->fl.la,
				    r->lists, r->list_dma, &r->nr_lists,
				    max_lists, &r->prp1, &r->prp2);
}

static void prp_release(struct kunit *test, struct prp_run *r)
{
	fake_lists_release(test, &r->fl, r->lists, r->list_dma, r->nr_lists);
}

/*
 * Follow a PRP list from @list_dma and compare its @n entries with @exp,
 * or, if @exp is NULL, with the pages following @base. Returns the number
 * of list pages visited.
 */
static int walk_prp_list(struct kunit *test, struct fake_lists *fl,
			 u64 list_dma, unsigned int n, const u64 *exp,
			 u64 base)
{
	unsigned int per_page = fl->page_size / sizeof(__le64);
	unsigned int k, slot = 0;
	__le64 *list;
	int pages = 1;

	list = fake_list_va(fl, list_dma);
	KUNIT_ASSERT_NOT_NULL_MSG(test, list, "PRP2 %#llx is no list page",
				  list_dma);

	for (k = 0; k < n; k++) {
		u64 want = exp ? exp[k] : base + (u64)(k + 1) * fl->page_size;

		/* The last slot chains on unless it holds the last entry. */
		if (slot == per_page - 1 && k != n - 1) {
			u64 next = le64_to_cpu(list[slot]);

			list = fake_list_va(fl, next);
			KUNIT_ASSERT_NOT_NULL_MSG(test, list,
						  "entry %u: chain %#llx is no list page",
						  k, next);
			slot = 0;
			pages++;
		}
		KUNIT_ASSERT_EQ_MSG(test, le64_to_cpu(list[slot]), want,
				    "PRP list entry %u (page %d slot %u)",
				    k, pages - 1, slot);
		slot++;
	}
	return pages;
}

struct prp_case {
	const char *desc;
	u32 page_size;
	u32 length;
	unsigned int nsegs;
	struct fake_seg seg[3];
	u64 prp1;
	u64 prp2;		/* if there is no list */
	unsigned int nr_list;	/* PRP list entries, 0 if none */
	u64 list[5];
};

static const struct prp_case prp_cases[] = {
	{
		.desc = "one aligned page",
		.page_size = SZ_4K, .length = SZ_4K,
		.nsegs = 1, .seg = { { 0x10000, SZ_4K } },
		.prp1 = 0x10000, .prp2 = 0,
	},
	{
		.desc = "512 bytes inside a page",
		.page_size = SZ_4K, .length = 512,
		.nsegs = 1, .seg = { { 0x10200, 512 } },
		.prp1 = 0x10200, .prp2 = 0,
	},
	{
		.desc = "unaligned, ends at the page end",
		.page_size = SZ_4K, .length = 0x200,
		.nsegs = 1, .seg = { { 0x10e00, 0x200 } },
		.prp1 = 0x10e00, .prp2 = 0,
	},
	{
		.desc = "unaligned, crosses into a second page",
		.page_size = SZ_4K, .length = SZ_4K,
		.nsegs = 1, .seg = { { 0x10e00, SZ_4K } },
		.prp1 = 0x10e00, .prp2 = 0x11000,
	},
	{
		.desc = "two aligned pages",
		.page_size = SZ_4K, .length = SZ_8K,
		.nsegs = 1, .seg = { { 0x10000, SZ_8K } },
		.prp1 = 0x10000, .prp2 = 0x11000,
	},
	{
		.desc = "second page from the second segment",
		.page_size = SZ_4K, .length = 0x1200,
		.nsegs = 2, .seg = { { 0x10e00, 0x200 }, { 0x40000, SZ_4K } },
		.prp1 = 0x10e00, .prp2 = 0x40000,
	},
	{
		.desc = "length shorter than the scatterlist",
		.page_size = SZ_4K, .length = SZ_4K,
		.nsegs = 1, .seg = { { 0x10000, SZ_16K } },
		.prp1 = 0x10000, .prp2 = 0,
	},
	{
		.desc = "three aligned pages",
		.page_size = SZ_4K, .length = 3 * SZ_4K,
		.nsegs = 1, .seg = { { 0x10000, 3 * SZ_4K } },
		.prp1 = 0x10000,
		.nr_list = 2, .list = { 0x11000, 0x12000 },
	},
	{
		.desc = "unaligned, three pages",
		.page_size = SZ_4K, .length = SZ_8K,
		.nsegs = 1, .seg = { { 0x10e00, SZ_8K } },
		.prp1 = 0x10e00,
		.nr_list = 2, .list = { 0x11000, 0x12000 },
	},
	{
		.desc = "three 8 KiB segments",
		.page_size = SZ_4K, .length = 3 * SZ_8K,
		.nsegs = 3,
		.seg = {
			{ 0x100000, SZ_8K },
			{ 0x300000, SZ_8K },
			{ 0x200000000ULL, SZ_8K },
		},
		.prp1 = 0x100000,
		.nr_list = 5,
		.list = { 0x101000, 0x300000, 0x301000, 0x200000000ULL,
			  0x200001000ULL },
	},
	{
		.desc = "short last segment",
		.page_size = SZ_4K, .length = SZ_8K + 512,
		.nsegs = 3,
		.seg = { { 0x10000, SZ_4K }, { 0x20000, SZ_4K },
			 { 0x30000, 512 } },
		.prp1 = 0x10000,
		.nr_list = 2, .list = { 0x20000, 0x30000 },
	},
	{
		.desc = "16 KiB pages, two pages",
		.page_size = SZ_16K, .length = SZ_32K,
		.nsegs = 1, .seg = { { 0x24000, SZ_32K } },
		.prp1 = 0x24000, .prp2 = 0x28000,
	},
	{
		.desc = "16 KiB pages, unaligned, three pages",
		.page_size = SZ_16K, .length = SZ_32K,
		.nsegs = 1, .seg = { { 0x24200, SZ_32K } },
		.prp1 = 0x24200,
		.nr_list = 2, .list = { 0x28000, 0x2c000 },
	},
};

KUNIT_ARRAY_PARAM_DESC(prp, prp_cases, desc);

static void my_nvme_test_prp_small(struct kunit *test)
{
	const struct prp_case *c = test->param_value;
	struct scatterlist *sgl = fake_sgl(test, c->seg, c->nsegs);
	struct prp_run r;

	prp_run(test, &r, sgl, c->length, c->page_size, -1,
		MY_NVME_MAX_LIST_PAGES);
	KUNIT_EXPECT_EQ(test, r.ret, 0);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(r.prp1), c->prp1);
	if (!c->nr_list) {
		KUNIT_EXPECT_EQ(test, le64_to_cpu(r.prp2), c->prp2);
		KUNIT_EXPECT_EQ(test, r.nr_lists, 0);
	} else if (r.ret == 0) {
		KUNIT_EXPECT_EQ(test, r.nr_lists, 1);
		KUNIT_EXPECT_EQ(test, le64_to_cpu(r.prp2), (u64)r.fl.dma[0]);
		KUNIT_EXPECT_EQ(test, walk_prp_list(test, &r.fl,
						    le64_to_cpu(r.prp2),
						    c->nr_list, c->list, 0), 1);
	}
	prp_release(test, &r);
}

#define PRP_BASE	0x40000000ULL

/* One contiguous, page aligned segment of @pages pages at PRP_BASE. */
static struct scatterlist *prp_contig_sgl(struct kunit *test,
					  unsigned int pages)
{
	struct fake_seg seg = { PRP_BASE, pages * SZ_4K };

	return fake_sgl(test, &seg, 1);
}

/* 513 pages: PRP1 plus 512 entries fill one list page with no chain. */
static void my_nvme_test_prp_list_full_page(struct kunit *test)
{
	struct scatterlist *sgl = prp_contig_sgl(test, 513);
	struct prp_run r;
	__le64 *list;

	prp_run(test, &r, sgl, 513 * SZ_4K, SZ_4K, -1, MY_NVME_MAX_LIST_PAGES);
	KUNIT_ASSERT_EQ(test, r.ret, 0);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(r.prp1), PRP_BASE);
	KUNIT_EXPECT_EQ(test, r.nr_lists, 1);
	KUNIT_EXPECT_EQ(test, r.fl.nr, 1);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(r.prp2), (u64)r.fl.dma[0]);

	list = r.fl.va[0];
	KUNIT_ASSERT_NOT_NULL(test, list);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(list[0]), PRP_BASE + SZ_4K);
	/* The last slot holds data, not a chain pointer. */
	KUNIT_EXPECT_EQ(test, le64_to_cpu(list[511]), PRP_BASE + 512 * SZ_4K);
	walk_prp_list(test, &r.fl, le64_to_cpu(r.prp2), 512, NULL, PRP_BASE);
	prp_release(test, &r);
}

/* 1024 pages (4 MiB): 511 entries + chain, then 512 entries. */
static void my_nvme_test_prp_chain(struct kunit *test)
{
	struct scatterlist *sgl = prp_contig_sgl(test, 1024);
	struct prp_run r;
	__le64 *page0, *page1;

	prp_run(test, &r, sgl, SZ_4M, SZ_4K, -1, MY_NVME_MAX_LIST_PAGES);
	KUNIT_ASSERT_EQ(test, r.ret, 0);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(r.prp1), PRP_BASE);
	KUNIT_ASSERT_EQ(test, r.nr_lists, 2);
	KUNIT_ASSERT_EQ(test, r.fl.nr, 2);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(r.prp2), (u64)r.fl.dma[0]);

	page0 = r.fl.va[0];
	page1 = r.fl.va[1];
	KUNIT_EXPECT_EQ(test, le64_to_cpu(page0[0]), PRP_BASE + SZ_4K);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(page0[510]), PRP_BASE + 511 * SZ_4K);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(page0[511]), (u64)r.fl.dma[1]);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(page1[0]), PRP_BASE + 512 * SZ_4K);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(page1[511]),
			PRP_BASE + 1023 * SZ_4K);
	KUNIT_EXPECT_EQ(test, walk_prp_list(test, &r.fl, le64_to_cpu(r.prp2),
					    1023, NULL, PRP_BASE), 2);
	prp_release(test, &r);
}

/* 1025 pages: two chain pointers, three list pages. */
static void my_nvme_test_prp_chain_three(struct kunit *test)
{
	struct scatterlist *sgl = prp_contig_sgl(test, 1025);
	struct prp_run r;

	prp_run(test, &r, sgl, 1025 * SZ_4K, SZ_4K, -1,
		MY_NVME_MAX_LIST_PAGES);
	KUNIT_ASSERT_EQ(test, r.ret, 0);
	KUNIT_EXPECT_EQ(test, r.nr_lists, 3);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(r.prp2), (u64)r.fl.dma[0]);
	KUNIT_EXPECT_EQ(test, walk_prp_list(test, &r.fl, le64_to_cpu(r.prp2),
					    1024, NULL, PRP_BASE), 3);
	prp_release(test, &r);
}

/* A chained list across eight scattered 512 KiB segments above 4 GiB. */
static void my_nvme_test_prp_chain_multiseg(struct kunit *test)
{
	const unsigned int nsegs = 8, seg_pages = SZ_512K / SZ_4K;
	const unsigned int pages = nsegs * seg_pages;
	struct fake_seg segs[8];
	struct scatterlist *sgl;
	struct prp_run r;
	unsigned int i;
	u64 *exp;

	for (i = 0; i < nsegs; i++) {
		segs[i].addr = 0x100000000ULL + (u64)(nsegs - 1 - i) * SZ_2M;
		segs[i].len = SZ_512K;
	}
	sgl = fake_sgl(test, segs, nsegs);

	exp = kunit_kcalloc(test, pages - 1, sizeof(*exp), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, exp);
	for (i = 1; i < pages; i++)
		exp[i - 1] = segs[i / seg_pages].addr +
			     (u64)(i % seg_pages) * SZ_4K;

	prp_run(test, &r, sgl, SZ_4M, SZ_4K, -1, MY_NVME_MAX_LIST_PAGES);
	KUNIT_ASSERT_EQ(test, r.ret, 0);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(r.prp1), segs[0].addr);
	KUNIT_EXPECT_EQ(test, r.nr_lists, 2);
	KUNIT_EXPECT_EQ(test, walk_prp_list(test, &r.fl, le64_to_cpu(r.prp2),
					    pages - 1, exp, 0), 2);
	prp_release(test, &r);
}

static void my_nvme_test_prp_alloc_fail(struct kunit *test)
{
	struct prp_run r;

	/* The first list page cannot be had. */
	prp_run(test, &r, prp_contig_sgl(test, 3), 3 * SZ_4K, SZ_4K, 0,
		MY_NVME_MAX_LIST_PAGES);
	KUNIT_EXPECT_EQ(test, r.ret, -ENOMEM);
	KUNIT_EXPECT_EQ(test, r.nr_lists, 0);
	prp_release(test, &r);

	/* The chained second page cannot: the first must be handed back. */
	prp_run(test, &r, prp_contig_sgl(test, 1024), SZ_4M, SZ_4K, 1,
		MY_NVME_MAX_LIST_PAGES);
	KUNIT_EXPECT_EQ(test, r.ret, -ENOMEM);
	KUNIT_EXPECT_EQ(test, r.nr_lists, 1);
	prp_release(test, &r);

	/* No list needed, so a failing allocator does not matter. */
	prp_run(test, &r, prp_contig_sgl(test, 2), SZ_8K, SZ_4K, 0,
		MY_NVME_MAX_LIST_PAGES);
	KUNIT_EXPECT_EQ(test, r.ret, 0);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(r.prp2), PRP_BASE + SZ_4K);
	prp_release(test, &r);
}

static void my_nvme_test_prp_max_lists(struct kunit *test)
{
	struct prp_run r;

	/* 1024 pages need two list pages; one is allowed. */
	prp_run(test, &r, prp_contig_sgl(test, 1024), SZ_4M, SZ_4K, -1, 1);
	KUNIT_EXPECT_EQ(test, r.ret, -ENOMEM);
	KUNIT_EXPECT_LE(test, r.nr_lists, 1);
	prp_release(test, &r);

	/* Exactly at the limit is fine. */
	prp_run(test, &r, prp_contig_sgl(test, 1024), SZ_4M, SZ_4K, -1, 2);
	KUNIT_EXPECT_EQ(test, r.ret, 0);
	KUNIT_EXPECT_EQ(test, r.nr_lists, 2);
	prp_release(test, &r);

	/* 1025 pages need three. */
	prp_run(test, &r, prp_contig_sgl(test, 1025), 1025 * SZ_4K, SZ_4K, -1,
		2);
	KUNIT_EXPECT_EQ(test, r.ret, -ENOMEM);
	KUNIT_EXPECT_LE(test, r.nr_lists, 2);
	prp_release(test, &r);
}

static void my_nvme_test_prp_short_sgl(struct kunit *test)
{
	static const struct fake_seg two[] = {
		{ 0x10000, SZ_4K }, { 0x20000, SZ_4K },
	};
	struct prp_run r;

	/* The second page would come from a segment that is not there. */
	prp_run(test, &r, prp_contig_sgl(test, 1), SZ_8K, SZ_4K, -1,
		MY_NVME_MAX_LIST_PAGES);
	KUNIT_EXPECT_EQ(test, r.ret, -EINVAL);
	prp_release(test, &r);

	/* Likewise when a list is being built. */
	prp_run(test, &r, fake_sgl(test, two, 2), SZ_16K, SZ_4K, -1,
		MY_NVME_MAX_LIST_PAGES);
	KUNIT_EXPECT_EQ(test, r.ret, -EINVAL);
	prp_release(test, &r);

	/* Short by a few bytes only. */
	prp_run(test, &r, fake_sgl(test, two, 2), SZ_8K + 512, SZ_4K, -1,
		MY_NVME_MAX_LIST_PAGES);
	KUNIT_EXPECT_EQ(test, r.ret, -EINVAL);
	prp_release(test, &r);
}

/* One call of my_nvme_build_sgl() and everything it returned. */
struct sgl_run {
	struct fake_lists fl;
	void *lists[MY_NVME_MAX_LIST_PAGES];
	dma_addr_t list_dma[MY_NVME_MAX_LIST_PAGES];
	int nr_lists;
	struct nvme_sgl_desc dptr;
	int ret;
};

static struct scatterlist *sgl_segs(struct kunit *test, unsigned int nents)
{
	struct fake_seg *segs;
	unsigned int i;

	segs = kunit_kcalloc(test, nents, sizeof(*segs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, segs);
	for (i = 0; i < nents; i++) {
		/* Odd lengths and addresses: SGLs need no alignment. */
		segs[i].addr = 0x300000000ULL + (u64)i * SZ_1M + 4 * i;
		segs[i].len = 512 + 8 * i;
	}
	return fake_sgl(test, segs, nents);
}

static void sgl_run(struct kunit *test, struct sgl_run *r,
		    struct scatterlist *sgl, int nents, int fail_at)
{
	fake_lists_init(test, &r->fl, SZ_4K, fail_at);
	memset(r->lists, 0, sizeof(r->lists));
	memset(r->list_dma, 0, sizeof(r->list_dma));
	r->nr_lists = 0;
	memset(&r->dptr, 0, sizeof(r->dptr));
	r->ret = my_nvme_build_sgl(sgl, nents, SZ_4K, &r->fl.la, r->lists,
				   r->list_dma, &r->nr_lists, &r->dptr);
}

static void sgl_release(struct kunit *test, struct sgl_run *r)
{
	fake_lists_release(test, &r->fl, r->lists, r->list_dma, r->nr_lists);
}

static void my_nvme_test_sgl_single(struct kunit *test)
{
	static const struct fake_seg seg = { 0x123456789aULL, 0x3000 };
	struct sgl_run r;

	sgl_run(test, &r, fake_sgl(test, &seg, 1), 1, -1);
	KUNIT_EXPECT_EQ(test, r.ret, 0);
	KUNIT_EXPECT_EQ(test, r.nr_lists, 0);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(r.dptr.addr), seg.addr);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(r.dptr.length), seg.len);
	KUNIT_EXPECT_EQ(test, r.dptr.type, NVME_SGL_FMT_DATA_DESC << 4);
	sgl_release(test, &r);
}

/* Descriptors of a multi-entry list, and the last segment pointing there. */
static void sgl_expect_list(struct kunit *test, struct sgl_run *r,
			    struct scatterlist *sgl, int nents)
{
	struct nvme_sgl_desc *desc;
	struct scatterlist *sg;
	int i;

	KUNIT_ASSERT_EQ(test, r->ret, 0);
	KUNIT_ASSERT_EQ(test, r->nr_lists, 1);
	KUNIT_ASSERT_EQ(test, r->fl.nr, 1);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(r->dptr.addr), (u64)r->fl.dma[0]);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(r->dptr.length),
			nents * sizeof(*desc));
	KUNIT_EXPECT_EQ(test, r->dptr.type, NVME_SGL_FMT_LAST_SEG_DESC << 4);

	desc = r->fl.va[0];
	for_each_sg(sgl, sg, nents, i) {
		KUNIT_EXPECT_EQ_MSG(test, le64_to_cpu(desc[i].addr),
				    (u64)sg_dma_address(sg), "descriptor %d", i);
		KUNIT_EXPECT_EQ_MSG(test, le32_to_cpu(desc[i].length),
				    sg_dma_len(sg), "descriptor %d", i);
		KUNIT_EXPECT_EQ_MSG(test, desc[i].type,
				    NVME_SGL_FMT_DATA_DESC << 4,
				    "descriptor %d", i);
	}
}

static void my_nvme_test_sgl_list(struct kunit *test)
{
	static const int nents[] = { 2, 3, 17 };
	struct scatterlist *sgl;
	struct sgl_run r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(nents); i++) {
		sgl = sgl_segs(test, nents[i]);
		sgl_run(test, &r, sgl, nents[i], -1);
		sgl_expect_list(test, &r, sgl, nents[i]);
		sgl_release(test, &r);
	}
}

/* 256 descriptors of 16 bytes fill a 4 KiB list page exactly. */
static void my_nvme_test_sgl_full_page(struct kunit *test)
{
	struct scatterlist *sgl = sgl_segs(test, 256);
	struct sgl_run r;

	sgl_run(test, &r, sgl, 256, -1);
	sgl_expect_list(test, &r, sgl, 256);
	sgl_release(test, &r);
}

static void my_nvme_test_sgl_errors(struct kunit *test)
{
	struct sgl_run r;

	/* One more than fits a list page. */
	sgl_run(test, &r, sgl_segs(test, 257), 257, -1);
	KUNIT_EXPECT_EQ(test, r.ret, -EINVAL);
	sgl_release(test, &r);

	sgl_run(test, &r, sgl_segs(test, 2), 2, 0);
	KUNIT_EXPECT_EQ(test, r.ret, -ENOMEM);
	KUNIT_EXPECT_EQ(test, r.nr_lists, 0);
	sgl_release(test, &r);

	/* A single descriptor needs no list, so no allocation either. */
	sgl_run(test, &r, sgl_segs(test, 1), 1, 0);
	KUNIT_EXPECT_EQ(test, r.ret, 0);
	KUNIT_EXPECT_EQ(test, r.fl.nr, 0);
	sgl_release(test, &r);
}

/* ---------------------------------------------------------------------- */
/* Status mapping                                                         */
/* ---------------------------------------------------------------------- */

struct status_case {
	const char *desc;
	u16 status;
	blk_status_t blk;
};

#define STATUS_CASE(sc, sts) \
	{ #sc " -> " #sts, NVME_SC_##sc, BLK_STS_##sts }

static const struct status_case status_cases[] = {
	STATUS_CASE(SUCCESS, OK),
	STATUS_CASE(CAP_EXCEEDED, NOSPC),
	STATUS_CASE(LBA_RANGE, TARGET),
	STATUS_CASE(BAD_ATTRIBUTES, NOTSUPP),
	STATUS_CASE(INVALID_OPCODE, NOTSUPP),
	STATUS_CASE(INVALID_FIELD, NOTSUPP),
	STATUS_CASE(INVALID_NS, NOTSUPP),
	STATUS_CASE(WRITE_FAULT, MEDIUM),
	STATUS_CASE(READ_ERROR, MEDIUM),
	STATUS_CASE(UNWRITTEN_BLOCK, MEDIUM),
	STATUS_CASE(ACCESS_DENIED, MEDIUM),
	STATUS_CASE(READ_ONLY, MEDIUM),
	STATUS_CASE(COMPARE_FAILED, MEDIUM),
	STATUS_CASE(GUARD_CHECK, PROTECTION),
	STATUS_CASE(APPTAG_CHECK, PROTECTION),
	STATUS_CASE(REFTAG_CHECK, PROTECTION),
	STATUS_CASE(INVALID_PI, PROTECTION),
	STATUS_CASE(RESERVATION_CONFLICT, RESV_CONFLICT),
	STATUS_CASE(HOST_PATH_ERROR, TRANSPORT),
	STATUS_CASE(INTERNAL, IOERR),
	STATUS_CASE(HOST_ABORTED_CMD, IOERR),
	STATUS_CASE(DATA_XFER_ERROR, IOERR),
	STATUS_CASE(CQ_INVALID, IOERR),	/* SC 0 with SCT 1 */
	/* The status code type matters, not only the status code. */
	{ "SCT 1 SC 0x02 -> IOERR", 0x102, BLK_STS_IOERR },
	{ "SCT 3 SC 0x80 -> IOERR", 0x380, BLK_STS_IOERR },
	{ "SCT 0 SC 0x86 -> IOERR", 0x086, BLK_STS_IOERR },
	{ "SCT 2 SC 0x02 -> IOERR", 0x202, BLK_STS_IOERR },
	{ "0x7ff -> IOERR", 0x7ff, BLK_STS_IOERR },
};

KUNIT_ARRAY_PARAM_DESC(status, status_cases, desc);

static void my_nvme_test_status_to_blk(struct kunit *test)
{
	static const u16 flags[] = {
		0, NVME_STATUS_DNR, NVME_STATUS_MORE,
		NVME_STATUS_DNR | NVME_STATUS_MORE,
	};
	const struct status_case *c = test->param_value;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		blk_status_t got = my_nvme_status_to_blk(c->status | flags[i]);

		KUNIT_EXPECT_EQ_MSG(test, (__force u8)got, (__force u8)c->blk,
				    "status %#x", c->status | flags[i]);
	}
}

static const u16 status_named[] = {
	NVME_SC_SUCCESS, NVME_SC_INVALID_OPCODE, NVME_SC_INVALID_FIELD,
	NVME_SC_LBA_RANGE, NVME_SC_INVALID_NS, NVME_SC_INTERNAL,
	NVME_SC_WRITE_FAULT, NVME_SC_READ_ERROR,
};

static void my_nvme_test_status_str_named(struct kunit *test)
{
	const char *names[ARRAY_SIZE(status_named)];
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(status_named); i++) {
		names[i] = my_nvme_status_str(status_named[i]);
		KUNIT_ASSERT_NOT_NULL_MSG(test, names[i], "status %#x",
					  status_named[i]);
		KUNIT_EXPECT_GT_MSG(test, strlen(names[i]), 0,
				    "status %#x", status_named[i]);
	}
	KUNIT_EXPECT_STREQ(test, names[0], "Success");

	for (i = 0; i < ARRAY_SIZE(status_named); i++)
		for (j = i + 1; j < ARRAY_SIZE(status_named); j++)
			KUNIT_EXPECT_STRNEQ_MSG(test, names[i], names[j],
						"statuses %#x and %#x",
						status_named[i],
						status_named[j]);
}

static void my_nvme_test_status_str_unknown(struct kunit *test)
{
	static const u16 unknown[] = { 0x7ff, 0x0ff, 0x4ff, 0x17 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(unknown); i++) {
		const char *s = my_nvme_status_str(unknown[i]);

		KUNIT_ASSERT_NOT_NULL_MSG(test, s, "status %#x", unknown[i]);
		KUNIT_EXPECT_STRNEQ_MSG(test, s, "Success", "status %#x",
					unknown[i]);
	}
}

/* DNR and More describe the completion, not the error. */
static void my_nvme_test_status_str_flags(struct kunit *test)
{
	static const u16 flags[] = {
		NVME_STATUS_DNR, NVME_STATUS_MORE,
		NVME_STATUS_DNR | NVME_STATUS_MORE,
	};
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(status_named); i++) {
		const char *plain = my_nvme_status_str(status_named[i]);

		KUNIT_ASSERT_NOT_NULL(test, plain);
		for (j = 0; j < ARRAY_SIZE(flags); j++) {
			u16 st = status_named[i] | flags[j];
			const char *s = my_nvme_status_str(st);

			KUNIT_ASSERT_NOT_NULL_MSG(test, s, "status %#x", st);
			KUNIT_EXPECT_STREQ_MSG(test, s, plain, "status %#x", st);
		}
	}
}

/* ---------------------------------------------------------------------- */
/* Controller Memory Buffer geometry                                      */
/* ---------------------------------------------------------------------- */

/* CMBSZ with the given SZU and SZ fields, all capability bits clear. */
#define CMBSZ(szu, sz)	(((u32)(sz) << NVME_CMBSZ_SZ_SHIFT) | \
			 ((u32)(szu) << NVME_CMBSZ_SZU_SHIFT))
/* CMBSZ.SQS, LISTS, RDS and WDS: what QEMU reports. */
#define CMBSZ_QEMU_CAPS	(NVME_CMBSZ_SQS | NVME_CMBSZ_LISTS | \
			 NVME_CMBSZ_RDS | NVME_CMBSZ_WDS)
/* CMBLOC with the given OFST and BIR fields, all other bits clear. */
#define CMBLOC(ofst, bir)	(((u32)(ofst) << 12) | (u32)(bir))

struct cmb_unit_case {
	const char *desc;
	u8 szu;
	u64 unit;
};

static const struct cmb_unit_case cmb_unit_cases[] = {
	{ "SZU 0: 4 KiB", 0, SZ_4K },
	{ "SZU 1: 64 KiB", 1, SZ_64K },
	{ "SZU 2: 1 MiB", 2, SZ_1M },
	{ "SZU 3: 16 MiB", 3, SZ_16M },
	{ "SZU 4: 256 MiB", 4, SZ_256M },
	{ "SZU 5: 4 GiB", 5, SZ_4G },
	{ "SZU 6: 64 GiB", 6, SZ_64G },
	{ "SZU 7: reserved", 7, 0 },
	{ "SZU 8: reserved", 8, 0 },
	{ "SZU 14: reserved", 14, 0 },
	{ "SZU 15: reserved", 15, 0 },
};

KUNIT_ARRAY_PARAM_DESC(cmb_unit, cmb_unit_cases, desc);

/*
 * The unit depends on SZU alone, and size and offset are whole multiples
 * of it, computed in 64 bits.
 */
static void my_nvme_test_cmb_unit(struct kunit *test)
{
	static const u32 counts[] = { 0, 1, 16, 0x80000, 0xfffff };
	const struct cmb_unit_case *c = test->param_value;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		u32 cmbsz = CMBSZ(c->szu, counts[i]);
		u32 cmbloc = CMBLOC(counts[i], 2);

		KUNIT_EXPECT_EQ_MSG(test, my_nvme_cmb_unit(cmbsz), c->unit,
				    "CMBSZ %#x", cmbsz);
		KUNIT_EXPECT_EQ_MSG(test,
				    my_nvme_cmb_unit(cmbsz | CMBSZ_QEMU_CAPS |
						     NVME_CMBSZ_CQS),
				    c->unit, "CMBSZ %#x with capability bits",
				    cmbsz);
		KUNIT_EXPECT_EQ_MSG(test, my_nvme_cmb_size(cmbsz),
				    c->unit * counts[i], "CMBSZ %#x", cmbsz);
		KUNIT_EXPECT_EQ_MSG(test, my_nvme_cmb_offset(cmbloc, cmbsz),
				    c->unit * counts[i],
				    "CMBLOC %#x CMBSZ %#x", cmbloc, cmbsz);
	}
}

struct cmb_case {
	const char *desc;
	u32 cmbsz;
	u32 cmbloc;
	u64 size;
	u64 offset;
	u8 bir;
};

static const struct cmb_case cmb_cases[] = {
	{
		/*
		 * -device nvme,cmb_size_mb=16: SZU 2 (MiB), SZ 16, in BAR2 at
		 * offset 0; CMBLOC also has CDPMLS and CDPCILS set.
		 */
		.desc = "QEMU cmb_size_mb=16",
		.cmbsz = 0x0001021d,
		.cmbloc = 0x00000062,
		.size = SZ_16M,
		.offset = 0,
		.bir = 2,
	},
	{
		.desc = "QEMU cmb_size_mb=16, before CDPMLS/CDPCILS",
		.cmbsz = CMBSZ(2, 16) | CMBSZ_QEMU_CAPS,
		.cmbloc = CMBLOC(0, 2),
		.size = SZ_16M,
		.offset = 0,
		.bir = 2,
	},
	{
		.desc = "QEMU cmb_size_mb=1024",
		.cmbsz = CMBSZ(2, 1024) | CMBSZ_QEMU_CAPS,
		.cmbloc = CMBLOC(0, 2),
		.size = SZ_1G,
		.offset = 0,
		.bir = 2,
	},
	{
		.desc = "all zero",
		.cmbsz = 0,
		.cmbloc = 0,
		.size = 0,
		.offset = 0,
		.bir = 0,
	},
	{
		/* Capability bits and a unit, but SZ 0. */
		.desc = "zero size",
		.cmbsz = CMBSZ(2, 0) | CMBSZ_QEMU_CAPS,
		.cmbloc = CMBLOC(0, 2),
		.size = 0,
		.offset = 0,
		.bir = 2,
	},
	{
		.desc = "4 KiB units, offset 12 KiB in BAR0",
		.cmbsz = CMBSZ(0, 0x100) | NVME_CMBSZ_SQS,
		.cmbloc = CMBLOC(3, 0),
		.size = SZ_1M,
		.offset = 3 * SZ_4K,
		.bir = 0,
	},
	{
		.desc = "64 KiB units, offset 1 MiB in BAR4",
		.cmbsz = CMBSZ(1, 32) | CMBSZ_QEMU_CAPS,
		.cmbloc = CMBLOC(16, 4),
		.size = SZ_2M,
		.offset = SZ_1M,
		.bir = 4,
	},
	{
		/* CQMMS, CQPDS, CDPMLS, CDPCILS, CDMMMS, CQDA and reserved. */
		.desc = "CMBLOC flag bits do not move the offset",
		.cmbsz = CMBSZ(2, 16) | CMBSZ_QEMU_CAPS,
		.cmbloc = CMBLOC(2, 2) | GENMASK(11, 3),
		.size = SZ_16M,
		.offset = SZ_2M,
		.bir = 2,
	},
	{
		/* Neither size nor offset fits 32 bits. */
		.desc = "4 GiB units, 12 GiB at 4 GiB",
		.cmbsz = CMBSZ(5, 3),
		.cmbloc = CMBLOC(1, 2),
		.size = 3 * SZ_4G,
		.offset = SZ_4G,
		.bir = 2,
	},
	{
		.desc = "largest: 64 GiB units, SZ and OFST all ones",
		.cmbsz = CMBSZ(6, 0xfffff) | GENMASK(4, 0),
		.cmbloc = CMBLOC(0xfffff, 5),
		.size = 0xfffffULL * SZ_64G,
		.offset = 0xfffffULL * SZ_64G,
		.bir = 5,
	},
	{
		/* A reserved unit makes the whole CMB unusable. */
		.desc = "reserved SZU 7",
		.cmbsz = CMBSZ(7, 16) | CMBSZ_QEMU_CAPS,
		.cmbloc = CMBLOC(4, 2),
		.size = 0,
		.offset = 0,
		.bir = 2,
	},
	{
		.desc = "all ones (reserved SZU 15)",
		.cmbsz = 0xffffffff,
		.cmbloc = 0xffffffff,
		.size = 0,
		.offset = 0,
		.bir = 7,
	},
};

KUNIT_ARRAY_PARAM_DESC(cmb, cmb_cases, desc);

static void my_nvme_test_cmb_geometry(struct kunit *test)
{
	const struct cmb_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, my_nvme_cmb_size(c->cmbsz), c->size);
	KUNIT_EXPECT_EQ(test, my_nvme_cmb_offset(c->cmbloc, c->cmbsz),
			c->offset);
	KUNIT_EXPECT_EQ(test, NVME_CMB_BIR(c->cmbloc), c->bir);
}

/* ---------------------------------------------------------------------- */
/* User passthrough command checks                                        */
/* ---------------------------------------------------------------------- */

/* A controller limit like max_hw_sectors << 9 with MDTS 7. */
#define PT_MAX		SZ_512K
/* A user buffer address; the check never dereferences it. */
#define PT_BUF		0x00007f0012340000ULL

struct passthru_case {
	const char *desc;
	bool admin;
	u32 max_bytes;
	struct nvme_passthru_cmd64 cmd;
	int ret;
};

/*
 * One row a command: PT_IO()/PT_ADMIN(description, expected return,
 * the passthrough command's fields), with the controller limit PT_MAX
 * unless a _MAX variant names another.
 */
#define PT_ROW(d, adm, r, max, ...) \
	{ .desc = d, .admin = adm, .max_bytes = max, .ret = r, \
	  .cmd = { __VA_ARGS__ } }
#define PT_IO(d, r, ...)		PT_ROW(d, false, r, PT_MAX, __VA_ARGS__)
#define PT_ADMIN(d, r, ...)		PT_ROW(d, true, r, PT_MAX, __VA_ARGS__)
#define PT_IO_MAX(d, r, m, ...)		PT_ROW(d, false, r, m, __VA_ARGS__)
#define PT_ADMIN_MAX(d, r, m, ...)	PT_ROW(d, true, r, m, __VA_ARGS__)

static const struct passthru_case passthru_cases[] = {
	/* Acceptable commands. */
	PT_ADMIN("admin Identify Controller, 4 KiB", 0,
		 .opcode = nvme_admin_identify, .addr = PT_BUF,
		 .data_len = NVME_IDENTIFY_DATA_SIZE,
		 .cdw10 = NVME_ID_CNS_CTRL),
	PT_ADMIN("admin Identify Namespace 1, 4 KiB", 0,
		 .opcode = nvme_admin_identify, .nsid = 1, .addr = PT_BUF,
		 .data_len = NVME_IDENTIFY_DATA_SIZE, .cdw10 = NVME_ID_CNS_NS),
	/* SMART / Health log, NUMDL 127 (512 bytes). */
	PT_ADMIN("admin Get Log Page, 512 bytes", 0,
		 .opcode = nvme_admin_get_log_page, .nsid = 0xffffffff,
		 .addr = PT_BUF, .data_len = 512,
		 .cdw10 = NVME_LOG_SMART | (127 << 16)),
	PT_ADMIN("admin Get Features, no data", 0,
		 .opcode = nvme_admin_get_features,
		 .cdw10 = NVME_FEAT_VOLATILE_WC),
	PT_ADMIN_MAX("admin Get Features, no data, limit 0", 0, 0,
		     .opcode = nvme_admin_get_features,
		     .cdw10 = NVME_FEAT_NUM_QUEUES),
	/* Bidirectional opcodes are refused only with data. */
	PT_ADMIN("admin vendor opcode 0xc3, no data", 0, .opcode = 0xc3),
	PT_IO("I/O Read, exactly the limit", 0, .opcode = nvme_cmd_read,
	      .nsid = 1, .addr = PT_BUF, .data_len = PT_MAX,
	      .cdw12 = PT_MAX / 512 - 1),
	/* Opcode 0x01 is Create I/O SQ only on the admin queue. */
	PT_IO("I/O Write (opcode 0x01), 4 KiB", 0, .opcode = nvme_cmd_write,
	      .nsid = 1, .addr = PT_BUF, .data_len = SZ_4K, .cdw12 = 7),
	PT_IO("I/O Flush, no data", 0, .opcode = nvme_cmd_flush, .nsid = 1),
	/* Fields the check does not look at. */
	PT_IO("I/O Read, every command dword, timeout and result set", 0,
	      .opcode = nvme_cmd_read, .nsid = 0xffffffff, .cdw2 = 0xffffffff,
	      .cdw3 = 0xffffffff, .addr = ~0ULL, .data_len = SZ_4K,
	      .cdw10 = 0xffffffff, .cdw11 = 0xffffffff, .cdw12 = 0xffffffff,
	      .cdw13 = 0xffffffff, .cdw14 = 0xffffffff, .cdw15 = 0xffffffff,
	      .timeout_ms = 0xffffffff, .result = ~0ULL),
	/*
	 * Malformed commands: -EINVAL on either queue. Each breaks one rule
	 * only, and none uses an opcode refused on the admin queue.
	 */
	/* FUSE bits 1:0: first command of a fused operation. */
	PT_IO("flags: fused", -EINVAL, .opcode = nvme_cmd_read, .flags = 0x01,
	      .nsid = 1, .addr = PT_BUF, .data_len = SZ_4K),
	/* PSDT bits 7:6: SGL for data. */
	PT_ADMIN("flags: SGL", -EINVAL, .opcode = nvme_admin_identify,
		 .flags = 0x40, .addr = PT_BUF,
		 .data_len = NVME_IDENTIFY_DATA_SIZE),
	PT_IO("rsvd1 bit 0", -EINVAL, .opcode = nvme_cmd_read, .rsvd1 = 1,
	      .nsid = 1, .addr = PT_BUF, .data_len = SZ_4K),
	PT_ADMIN("rsvd1 bit 15", -EINVAL, .opcode = nvme_admin_get_features,
		 .rsvd1 = 0x8000),
	PT_IO("metadata buffer", -EINVAL, .opcode = nvme_cmd_read, .nsid = 1,
	      .metadata = PT_BUF + SZ_1M, .addr = PT_BUF, .data_len = SZ_4K),
	PT_IO("metadata length", -EINVAL, .opcode = nvme_cmd_read, .nsid = 1,
	      .addr = PT_BUF, .metadata_len = 64, .data_len = SZ_4K),
	PT_ADMIN("metadata only, no data", -EINVAL,
		 .opcode = nvme_admin_get_features, .metadata = PT_BUF,
		 .metadata_len = 8),
	PT_IO("one byte over the limit", -EINVAL, .opcode = nvme_cmd_read,
	      .nsid = 1, .addr = PT_BUF, .data_len = PT_MAX + 1),
	PT_ADMIN("data length all ones", -EINVAL,
		 .opcode = nvme_admin_get_log_page, .addr = PT_BUF,
		 .data_len = 0xffffffff),
	PT_ADMIN_MAX("any data over a limit of 0", -EINVAL, 0,
		     .opcode = nvme_admin_identify, .addr = PT_BUF,
		     .data_len = NVME_IDENTIFY_DATA_SIZE),
	PT_ADMIN("buffer without length", -EINVAL,
		 .opcode = nvme_admin_identify, .addr = PT_BUF, .data_len = 0),
	PT_IO("length without buffer", -EINVAL, .opcode = nvme_cmd_read,
	      .nsid = 1, .addr = 0, .data_len = SZ_4K),
	PT_ADMIN("bidirectional admin vendor opcode 0xc3 with data", -EINVAL,
		 .opcode = 0xc3, .addr = PT_BUF, .data_len = SZ_4K),
	PT_IO("bidirectional I/O opcode 0x03 with data", -EINVAL,
	      .opcode = 0x03, .nsid = 1, .addr = PT_BUF, .data_len = 512),
	/* Queue management belongs to the driver. */
	PT_ADMIN("admin Delete I/O SQ", -EPERM, .opcode = nvme_admin_delete_sq,
		 .cdw10 = 1),
	PT_ADMIN("admin Create I/O SQ", -EPERM, .opcode = nvme_admin_create_sq,
		 .cdw10 = (63 << 16) | 9,
		 .cdw11 = (9 << 16) | NVME_QUEUE_PHYS_CONTIG),
	PT_ADMIN("admin Delete I/O CQ", -EPERM, .opcode = nvme_admin_delete_cq,
		 .cdw10 = 1),
	PT_ADMIN("admin Create I/O CQ", -EPERM, .opcode = nvme_admin_create_cq,
		 .cdw10 = (63 << 16) | 9, .cdw11 = NVME_QUEUE_PHYS_CONTIG),
	/* Even with a well-formed user buffer for the queue. */
	PT_ADMIN("admin Create I/O CQ with a buffer", -EPERM,
		 .opcode = nvme_admin_create_cq, .addr = PT_BUF,
		 .data_len = SZ_4K, .cdw10 = (63 << 16) | 9,
		 .cdw11 = NVME_QUEUE_PHYS_CONTIG),
	PT_ADMIN("admin Doorbell Buffer Config", -EPERM,
		 .opcode = nvme_admin_dbbuf),
	PT_ADMIN("admin Asynchronous Event Request", -EPERM,
		 .opcode = nvme_admin_async_event),
};

KUNIT_ARRAY_PARAM_DESC(passthru, passthru_cases, desc);

static void my_nvme_test_passthru_check(struct kunit *test)
{
	const struct passthru_case *c = test->param_value;
	struct nvme_passthru_cmd64 cmd = c->cmd;

	KUNIT_EXPECT_EQ(test, my_nvme_passthru_check(&cmd, c->admin,
						     c->max_bytes), c->ret);

	/* A malformed command is malformed whichever queue it is for. */
	if (c->ret == -EINVAL)
		KUNIT_EXPECT_EQ_MSG(test,
				    my_nvme_passthru_check(&cmd, !c->admin,
							   c->max_bytes),
				    -EINVAL, "on the %s queue",
				    c->admin ? "I/O" : "admin");

	/* The check only reads the command. */
	KUNIT_EXPECT_MEMEQ(test, &cmd, &c->cmd, sizeof(cmd));
}

/*
 * The queue management and event opcodes are refused on the admin queue
 * only: on an I/O queue 0x00, 0x01, 0x04, 0x05 and 0x0c are Flush, Write,
 * Write Uncorrectable, Compare and Verify, and none of the six values is
 * refused there.
 */
static void my_nvme_test_passthru_queue_opcodes(struct kunit *test)
{
	static const u8 opcodes[] = {
		nvme_admin_delete_sq, nvme_admin_create_sq,
		nvme_admin_delete_cq, nvme_admin_create_cq, nvme_admin_dbbuf,
		nvme_admin_async_event,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(opcodes); i++) {
		struct nvme_passthru_cmd64 cmd = {
			.opcode = opcodes[i],
			.nsid = 1,
		};

		KUNIT_EXPECT_EQ_MSG(test, my_nvme_passthru_check(&cmd, true,
								 PT_MAX),
				    -EPERM, "admin opcode %#x", opcodes[i]);
		KUNIT_EXPECT_EQ_MSG(test, my_nvme_passthru_check(&cmd, false,
								 PT_MAX),
				    0, "I/O opcode %#x", opcodes[i]);

		cmd.addr = PT_BUF;
		cmd.data_len = SZ_4K;
		KUNIT_EXPECT_EQ_MSG(test, my_nvme_passthru_check(&cmd, true,
								 PT_MAX),
				    -EPERM, "admin opcode %#x with data",
				    opcodes[i]);
		KUNIT_EXPECT_EQ_MSG(test, my_nvme_passthru_check(&cmd, false,
								 PT_MAX),
				    0, "I/O opcode %#x with data", opcodes[i]);
	}
}

/* Every opcode with data: exactly those with bits 1:0 == 11b are refused. */
static void my_nvme_test_passthru_direction(struct kunit *test)
{
	static const u8 refused[] = {
		nvme_admin_delete_sq, nvme_admin_create_sq,
		nvme_admin_delete_cq, nvme_admin_create_cq, nvme_admin_dbbuf,
		nvme_admin_async_event,
	};
	unsigned int op, i;

	for (op = 0; op <= 0xff; op++) {
		struct nvme_passthru_cmd64 cmd = {
			.opcode = op,
			.addr = PT_BUF,
			.data_len = SZ_4K,
		};
		int admin_exp = (op & 3) == 3 ? -EINVAL : 0;
		int io_exp = admin_exp;

		for (i = 0; i < ARRAY_SIZE(refused); i++)
			if (op == refused[i])
				admin_exp = -EPERM;

		KUNIT_EXPECT_EQ_MSG(test, my_nvme_passthru_check(&cmd, true,
								 PT_MAX),
				    admin_exp, "admin opcode %#x", op);
		KUNIT_EXPECT_EQ_MSG(test, my_nvme_passthru_check(&cmd, false,
								 PT_MAX),
				    io_exp, "I/O opcode %#x", op);
	}
}

/* How many bytes a user command moves, where the command says so. */
struct xfer_case {
	const char *desc;
	bool admin;
	u8 opcode;
	u32 cdw10, cdw11, cdw12;
	u8 lba_shift;
	u64 exp;
	u16 ext_ms;	/* metadata bytes interleaved with each block */
};

static const struct xfer_case xfer_cases[] = {
	{ "Identify", true, nvme_admin_identify, 1, 0, 0, 0, 4096 },
	{ "Identify, any CNS", true, nvme_admin_identify, 0x12, 0, 0, 0, 4096 },
	{ "Get Log Page, 512 bytes", true, nvme_admin_get_log_page,
	  (127 << 16) | 2, 0, 0, 0, 512 },
	{ "Get Log Page, NUMDU", true, nvme_admin_get_log_page,
	  (0xffff << 16) | 7, 1, 0, 0, 0x20000ULL * 4 },
	{ "Get Log Page, the largest", true, nvme_admin_get_log_page,
	  0xffff0000, 0xffff, 0, 0, 0x100000000ULL * 4 },
	{ "Directive Receive", true, nvme_admin_directive_recv, 1023, 0, 0,
	  0, 4096 },
	{ "Firmware Image Download", true, nvme_admin_download_fw, 255, 0, 0,
	  0, 1024 },
	{ "Security Receive", true, nvme_admin_security_recv, 0, 3000, 0, 0,
	  3000 },
	{ "Get LBA Status", true, nvme_admin_get_lba_status, 0, 0, 15, 0, 64 },
	{ "Get Features: the controller knows", true,
	  nvme_admin_get_features, 0x0e, 0, 0, 0, 0 },
	{ "vendor admin command", true, 0xc1, 5, 5, 5, 0, 0 },
	{ "Read, 8 blocks of 512", false, nvme_cmd_read, 0, 0, 7, 9, 4096 },
	{ "Read, 1 block of 4096", false, nvme_cmd_read, 0, 0, 0, 12, 4096 },
	{ "Read, NLB 65535", false, nvme_cmd_read, 0, 0, 0xffff, 9,
	  0x10000ULL * 512 },
	{ "Read, upper cdw12 bits are not NLB", false, nvme_cmd_read, 0, 0,
	  0xffff0003, 9, 2048 },
	{ "Write", false, nvme_cmd_write, 0, 0, 1, 12, 8192 },
	{ "Compare", false, nvme_cmd_compare, 0, 0, 3, 9, 2048 },
	{ "Read without a format", false, nvme_cmd_read, 0, 0, 7, 0, 0 },
	{ "Dataset Management, 3 ranges", false, nvme_cmd_dsm, 2, 4, 0, 9, 48 },
	{ "Reservation Report", false, nvme_cmd_resv_report, 127, 0, 0, 9,
	  512 },
	{ "Reservation Register", false, nvme_cmd_resv_register, 0, 0, 0, 9,
	  16 },
	{ "Reservation Release", false, nvme_cmd_resv_release, 0, 0, 0, 9, 8 },
	{ "Zone Management Receive", false, nvme_cmd_zone_mgmt_recv, 0, 0, 63,
	  9, 256 },
	{ "Flush: no data", false, nvme_cmd_flush, 0, 0, 7, 9, 0 },
	{ "Verify: no data", false, nvme_cmd_verify, 0, 0, 7, 9, 0 },
	{ "vendor I/O command", false, 0x83, 0, 0, 7, 9, 0 },
	/* Opcode 02h is Get Log Page on the admin queue, Read on an I/O one. */
	{ "02h on the I/O queue is a Read", false, 0x02, (127 << 16) | 2, 0,
	  1, 9, 1024 },
	/* Extended LBAs: each block's metadata follows it in the buffer. */
	{ "Read, 8 blocks of 512 + 8 interleaved", false, nvme_cmd_read, 0, 0,
	  7, 9, 8 * 520, 8 },
	{ "Write, 1 block of 4096 + 64 interleaved", false, nvme_cmd_write, 0,
	  0, 0, 12, 4160, 64 },
	{ "Zone Append, 2 blocks of 4096 + 16", false, nvme_cmd_zone_append, 0,
	  0, 1, 12, 2 * 4112, 16 },
	{ "Dataset Management ignores the metadata", false, nvme_cmd_dsm, 0, 0,
	  0, 9, 16, 8 },
	{ "Read, NLB 65535 + 64 interleaved", false, nvme_cmd_read, 0, 0,
	  0xffff, 12, 0x10000ULL * 4160, 64 },
};

KUNIT_ARRAY_PARAM_DESC(xfer, xfer_cases, desc);

static void my_nvme_test_passthru_xfer_len(struct kunit *test)
{
	const struct xfer_case *c = test->param_value;
	struct nvme_passthru_cmd64 cmd = {
		.opcode = c->opcode,
		.cdw10 = c->cdw10,
		.cdw11 = c->cdw11,
		.cdw12 = c->cdw12,
	};

	KUNIT_EXPECT_EQ(test, my_nvme_passthru_xfer_len(&cmd, c->admin,
							c->lba_shift,
							c->ext_ms), c->exp);
}

/* Separate metadata a user's command moves (MPTR). */
struct meta_len_case {
	const char *desc;
	u8 opcode;
	u32 cdw12;
	u16 ms;
	u8 pi_size;
	u64 exp;
};

#define PRACT_CDW12	(NVME_RW_PRINFO_PRACT << 16)

static const struct meta_len_case meta_len_cases[] = {
	{ "Read, 8 blocks, 8 bytes each", nvme_cmd_read, 7, 8, 8, 64 },
	{ "Write, 1 block, 64 bytes", nvme_cmd_write, 0, 64, 8, 64 },
	{ "Compare, 4 blocks, 16 bytes", nvme_cmd_compare, 3, 16, 16, 64 },
	{ "Zone Append, 2 blocks, 8 bytes", nvme_cmd_zone_append, 1, 8, 8, 16 },
	{ "PRACT with PI only: nothing moves", nvme_cmd_write,
	  PRACT_CDW12 | 7, 8, 8, 0 },
	{ "PRACT with 16-byte PI only: nothing", nvme_cmd_read,
	  PRACT_CDW12 | 7, 16, 16, 0 },
	{ "PRACT with more metadata than PI: all of it", nvme_cmd_read,
	  PRACT_CDW12 | 7, 16, 8, 128 },
	{ "PRCHK bits do not matter", nvme_cmd_read,
	  (NVME_RW_PRINFO_PRCHK_GUARD << 16) | 1, 8, 8, 16 },
	{ "NLB 65535", nvme_cmd_read, 0xffff, 64, 8, 0x10000ULL * 64 },
	{ "no metadata", nvme_cmd_read, 7, 0, 8, 0 },
	{ "Flush", nvme_cmd_flush, 7, 8, 8, 0 },
	{ "Write Zeroes: the controller writes it", nvme_cmd_write_zeroes, 7,
	  8, 8, 0 },
	{ "Dataset Management", nvme_cmd_dsm, 7, 8, 8, 0 },
	{ "vendor opcode", 0x81, 7, 8, 8, 0 },
};

KUNIT_ARRAY_PARAM_DESC(meta_len, meta_len_cases, desc);

static void my_nvme_test_passthru_meta_len(struct kunit *test)
{
	const struct meta_len_case *c = test->param_value;
	struct nvme_passthru_cmd64 cmd = {
		.opcode = c->opcode,
		.cdw12 = c->cdw12,
	};

	KUNIT_EXPECT_EQ(test, my_nvme_passthru_meta_len(&cmd, c->ms,
							c->pi_size), c->exp);
}

/* A metadata buffer: with data, on an I/O command only. */
static void my_nvme_test_passthru_metadata(struct kunit *test)
{
	struct nvme_passthru_cmd64 cmd = {
		.opcode = nvme_cmd_read,
		.nsid = 1,
		.addr = PT_BUF,
		.data_len = SZ_4K,
		.metadata = PT_BUF + SZ_1M,
		.metadata_len = 64,
	};

	KUNIT_EXPECT_EQ(test, my_nvme_passthru_check(&cmd, false, PT_MAX), 0);
	KUNIT_EXPECT_EQ(test, my_nvme_passthru_check(&cmd, true, PT_MAX),
			-EINVAL);
	cmd.metadata_len = PT_MAX;
	KUNIT_EXPECT_EQ(test, my_nvme_passthru_check(&cmd, false, PT_MAX), 0);
	cmd.metadata_len = PT_MAX + 1;
	KUNIT_EXPECT_EQ(test, my_nvme_passthru_check(&cmd, false, PT_MAX),
			-EINVAL);
	cmd.metadata_len = 64;
	cmd.addr = 0;
	cmd.data_len = 0;
	KUNIT_EXPECT_EQ(test, my_nvme_passthru_check(&cmd, false, PT_MAX),
			-EINVAL);
}

/* ---------------------------------------------------------------------- */

/* ---- Namespace identity ---- */

/* Append one descriptor (NIDT, NIDL, value) at @pos; returns the next. */
static size_t put_desc(u8 *buf, size_t pos, u8 nidt, u8 nidl, u8 fill)
{
	struct nvme_ns_id_desc *d = (void *)(buf + pos);

	d->nidt = nidt;
	d->nidl = nidl;
	memset(d + 1, fill, nidl);
	return pos + sizeof(*d) + nidl;
}

static void my_nvme_test_ns_descs(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, NVME_IDENTIFY_DATA_SIZE, GFP_KERNEL);
	struct my_nvme_ns_ids ids = {};
	u8 want[16], bad = 0xff;
	size_t pos = 0;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	pos = put_desc(buf, pos, NVME_NIDT_EUI64, NVME_NIDT_EUI64_LEN, 0x11);
	pos = put_desc(buf, pos, 0x7f, 5, 0xee);	/* unknown: skipped */
	pos = put_desc(buf, pos, NVME_NIDT_NGUID, NVME_NIDT_NGUID_LEN, 0x22);
	pos = put_desc(buf, pos, NVME_NIDT_UUID, NVME_NIDT_UUID_LEN, 0x33);
	pos = put_desc(buf, pos, NVME_NIDT_CSI, NVME_NIDT_CSI_LEN, NVME_CSI_NVM);
	KUNIT_EXPECT_EQ(test, my_nvme_parse_ns_descs(buf, NVME_IDENTIFY_DATA_SIZE,
						     &ids, &bad), 0);
	KUNIT_EXPECT_EQ(test, bad, 0xff);
	memset(want, 0x11, sizeof(want));
	KUNIT_EXPECT_MEMEQ(test, ids.eui64, want, NVME_NIDT_EUI64_LEN);
	memset(want, 0x22, sizeof(want));
	KUNIT_EXPECT_MEMEQ(test, ids.nguid, want, NVME_NIDT_NGUID_LEN);
	memset(want, 0x33, sizeof(want));
	KUNIT_EXPECT_MEMEQ(test, ids.uuid.b, want, NVME_NIDT_UUID_LEN);
	KUNIT_EXPECT_EQ(test, ids.csi, NVME_CSI_NVM);

	/* A wrong length ends the walk; what came before is kept. */
	memset(buf, 0, NVME_IDENTIFY_DATA_SIZE);
	memset(&ids, 0, sizeof(ids));
	pos = put_desc(buf, 0, NVME_NIDT_EUI64, NVME_NIDT_EUI64_LEN, 0x44);
	pos = put_desc(buf, pos, NVME_NIDT_NGUID, 8, 0x55);
	put_desc(buf, pos, NVME_NIDT_UUID, NVME_NIDT_UUID_LEN, 0x66);
	KUNIT_EXPECT_EQ(test, my_nvme_parse_ns_descs(buf, NVME_IDENTIFY_DATA_SIZE,
						     &ids, &bad), -EINVAL);
	KUNIT_EXPECT_EQ(test, bad, NVME_NIDT_NGUID);
	memset(want, 0x44, sizeof(want));
	KUNIT_EXPECT_MEMEQ(test, ids.eui64, want, NVME_NIDT_EUI64_LEN);
	KUNIT_EXPECT_TRUE(test, uuid_is_null(&ids.uuid));
	KUNIT_EXPECT_FALSE(test, memchr_inv(ids.nguid, 0, sizeof(ids.nguid)));

	/* A descriptor running past the buffer is refused, not read. */
	memset(&ids, 0, sizeof(ids));
	bad = 0xff;
	put_desc(buf, 0, NVME_NIDT_UUID, NVME_NIDT_UUID_LEN, 0x77);
	KUNIT_EXPECT_EQ(test, my_nvme_parse_ns_descs(buf, 10, &ids, &bad),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, bad, NVME_NIDT_UUID);
	KUNIT_EXPECT_TRUE(test, uuid_is_null(&ids.uuid));

	/* An empty list: nothing. */
	memset(buf, 0, NVME_IDENTIFY_DATA_SIZE);
	KUNIT_EXPECT_EQ(test, my_nvme_parse_ns_descs(buf, NVME_IDENTIFY_DATA_SIZE,
						     &ids, &bad), 0);
	KUNIT_EXPECT_TRUE(test, uuid_is_null(&ids.uuid));
}

static void my_nvme_test_ns_ids_from_id(struct kunit *test)
{
	struct nvme_id_ns *id = kunit_kzalloc(test, sizeof(*id), GFP_KERNEL);
	struct my_nvme_ns_ids ids = {};
	u8 want[16];

	KUNIT_ASSERT_NOT_NULL(test, id);
	memset(id->eui64, 0xaa, sizeof(id->eui64));
	memset(id->nguid, 0xbb, sizeof(id->nguid));
	/* NVMe 1.0 has neither field. */
	my_nvme_ns_ids_from_id(NVME_VS(1, 0, 0), id, &ids);
	KUNIT_EXPECT_FALSE(test, memchr_inv(&ids, 0, sizeof(ids)));
	/* 1.1 has the EUI64 only. */
	my_nvme_ns_ids_from_id(NVME_VS(1, 1, 0), id, &ids);
	KUNIT_EXPECT_MEMEQ(test, ids.eui64, id->eui64, sizeof(ids.eui64));
	KUNIT_EXPECT_FALSE(test, memchr_inv(ids.nguid, 0, sizeof(ids.nguid)));
	/* What the descriptor list gave stays. */
	memset(ids.eui64, 0x12, sizeof(ids.eui64));
	my_nvme_ns_ids_from_id(NVME_VS(1, 4, 0), id, &ids);
	memset(want, 0x12, sizeof(want));
	KUNIT_EXPECT_MEMEQ(test, ids.eui64, want, sizeof(ids.eui64));
	KUNIT_EXPECT_MEMEQ(test, ids.nguid, id->nguid, sizeof(ids.nguid));
}

static void my_nvme_test_ns_ids_clash(struct kunit *test)
{
	struct my_nvme_ns_ids a = {}, b = {};

	/* All zero: nothing to clash. */
	KUNIT_EXPECT_FALSE(test, my_nvme_ns_ids_clash(&a, &b));
	memset(a.nguid, 1, sizeof(a.nguid));
	memset(b.nguid, 2, sizeof(b.nguid));
	KUNIT_EXPECT_FALSE(test, my_nvme_ns_ids_clash(&a, &b));
	memset(b.nguid, 1, sizeof(b.nguid));
	KUNIT_EXPECT_TRUE(test, my_nvme_ns_ids_clash(&a, &b));
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(a.eui64, 3, sizeof(a.eui64));
	memset(b.eui64, 3, sizeof(b.eui64));
	KUNIT_EXPECT_TRUE(test, my_nvme_ns_ids_clash(&a, &b));
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.uuid.b[15] = 9;
	b.uuid.b[15] = 9;
	KUNIT_EXPECT_TRUE(test, my_nvme_ns_ids_clash(&a, &b));
	b.uuid.b[15] = 8;
	KUNIT_EXPECT_FALSE(test, my_nvme_ns_ids_clash(&a, &b));
}

static void my_nvme_test_wwid(struct kunit *test)
{
	/* SN and MN fields as Identify Controller has them: blank padded. */
	static const char sn[8] = " ab    ", mn[6] = { 'Q', 'M', ' ', '\0', ' ' };
	struct my_nvme_ns_ids ids = {};
	char buf[128];

	/*
	 * No identifier: vendor, serial and model in hex, trailing blanks
	 * and NULs dropped (a leading blank stays), the NSID.
	 */
	my_nvme_wwid(buf, sizeof(buf), &ids, 0x1b36, sn, sizeof(sn), mn,
		     sizeof(mn), 2);
	KUNIT_EXPECT_STREQ(test, buf, "nvme.1b36-206162-514d-00000002\n");
	ids.eui64[0] = 0x01;
	ids.eui64[7] = 0xef;
	my_nvme_wwid(buf, sizeof(buf), &ids, 0x1b36, sn, sizeof(sn), mn,
		     sizeof(mn), 2);
	KUNIT_EXPECT_STREQ(test, buf, "eui.01000000000000ef\n");
	ids.nguid[0] = 0x10;
	my_nvme_wwid(buf, sizeof(buf), &ids, 0x1b36, sn, sizeof(sn), mn,
		     sizeof(mn), 2);
	KUNIT_EXPECT_STREQ(test, buf, "eui.10000000000000000000000000000000\n");
	ids.uuid.b[0] = 0xde;
	ids.uuid.b[15] = 0x01;
	my_nvme_wwid(buf, sizeof(buf), &ids, 0x1b36, sn, sizeof(sn), mn,
		     sizeof(mn), 2);
	KUNIT_EXPECT_STREQ(test, buf, "uuid.de000000-0000-0000-0000-000000000001\n");
}

static void my_nvme_test_subnqn(struct kunit *test)
{
	struct nvme_id_ctrl *id = kunit_kzalloc(test, sizeof(*id), GFP_KERNEL);
	char nqn[NVMF_NQN_SIZE + 1], want[NVMF_NQN_SIZE + 1];

	KUNIT_ASSERT_NOT_NULL(test, id);
	strscpy(id->subnqn, "nqn.2019-08.org.qemu:my_nvme0", sizeof(id->subnqn));
	KUNIT_EXPECT_TRUE(test, my_nvme_subnqn(nqn, id));
	KUNIT_EXPECT_STREQ(test, nqn, "nqn.2019-08.org.qemu:my_nvme0");

	/* None (or one filling the whole field): nvme's made-up NQN. */
	memset(id->subnqn, 0, sizeof(id->subnqn));
	id->vid = cpu_to_le16(0x1b36);
	id->ssvid = cpu_to_le16(0x1af4);
	memset(id->sn, ' ', sizeof(id->sn));
	memcpy(id->sn, "S1", 2);
	memset(id->mn, ' ', sizeof(id->mn));
	memcpy(id->mn, "M", 1);
	KUNIT_EXPECT_FALSE(test, my_nvme_subnqn(nqn, id));
	/* SN and MN as they are in the data: padded with blanks. */
	snprintf(want, sizeof(want), "nqn.2014.08.org.nvmexpress:1b361af4%-20s%-40s",
		 "S1", "M");
	KUNIT_EXPECT_STREQ(test, nqn, want);
	memset(id->subnqn, 'x', NVMF_NQN_SIZE);
	KUNIT_EXPECT_FALSE(test, my_nvme_subnqn(nqn, id));
	KUNIT_EXPECT_STREQ(test, nqn, want);
}

static struct kunit_case my_nvme_ns_ids_cases[] = {
	KUNIT_CASE(my_nvme_test_ns_descs),
	KUNIT_CASE(my_nvme_test_ns_ids_from_id),
	KUNIT_CASE(my_nvme_test_ns_ids_clash),
	KUNIT_CASE(my_nvme_test_wwid),
	KUNIT_CASE(my_nvme_test_subnqn),
	{}
};

static struct kunit_suite my_nvme_ns_ids_suite = {
	.name = "my_nvme_ns_ids",
	.test_cases = my_nvme_ns_ids_cases,
};

static struct kunit_case my_nvme_queue_cases[] = {
	KUNIT_CASE_PARAM(my_nvme_test_doorbell_stride, db_dstrd_gen_params),
	KUNIT_CASE(my_nvme_test_doorbell_known),
	KUNIT_CASE_PARAM(my_nvme_test_decode_cap, cap_gen_params),
	KUNIT_CASE(my_nvme_test_cq_advance_wrap),
	KUNIT_CASE(my_nvme_test_cq_advance_max_depth),
	KUNIT_CASE(my_nvme_test_cqe_pending),
	KUNIT_CASE(my_nvme_test_cq_reap_walk),
	{}
};

static struct kunit_suite my_nvme_queue_suite = {
	.name = "my_nvme_queue",
	.test_cases = my_nvme_queue_cases,
};

/* Temperature Threshold dword 11: sensor, over/under, kelvin, clamped. */
static void my_nvme_test_temp_thresh(struct kunit *test)
{
	/* 85 degrees Celsius over the composite temperature: 358 K. */
	KUNIT_EXPECT_EQ(test, my_nvme_temp_thresh_dw11(0, false, 85000), 358U);
	/* Rounded to the nearest kelvin. */
	KUNIT_EXPECT_EQ(test, my_nvme_temp_thresh_dw11(0, false, 85349), 358U);
	KUNIT_EXPECT_EQ(test, my_nvme_temp_thresh_dw11(0, false, 85350), 359U);
	/* Sensor 3, under threshold, -10 degrees: 263 K. */
	KUNIT_EXPECT_EQ(test, my_nvme_temp_thresh_dw11(3, true, -10000),
			3U << 16 | NVME_TEMP_THRESH_TYPE_UNDER | 263);
	KUNIT_EXPECT_EQ(test, my_nvme_temp_thresh_dw11(8, false, 0),
			8U << 16 | 273);
	/* Out of the field's range: clamped, never wrapped or overflowed. */
	KUNIT_EXPECT_EQ(test, my_nvme_temp_thresh_dw11(0, false, -300000), 0U);
	KUNIT_EXPECT_EQ(test, my_nvme_temp_thresh_dw11(0, false, LONG_MIN), 0U);
	KUNIT_EXPECT_EQ(test, my_nvme_temp_thresh_dw11(0, false, LONG_MAX),
			0xffffU);
	KUNIT_EXPECT_EQ(test, my_nvme_temp_thresh_dw11(1, true, 70000000),
			1U << 16 | NVME_TEMP_THRESH_TYPE_UNDER | 0xffff);
}

static struct kunit_case my_nvme_cmd_cases[] = {
	KUNIT_CASE_PARAM(my_nvme_test_encoder, enc_gen_params),
	KUNIT_CASE(my_nvme_test_num_queues),
	KUNIT_CASE(my_nvme_test_num_queues_granted),
	KUNIT_CASE_PARAM(my_nvme_test_cmd_rw, rw_gen_params),
	KUNIT_CASE(my_nvme_test_dsm_range),
	KUNIT_CASE(my_nvme_test_temp_thresh),
	{}
};

static struct kunit_suite my_nvme_cmd_suite = {
	.name = "my_nvme_cmd",
	.test_cases = my_nvme_cmd_cases,
};

static struct kunit_case my_nvme_prp_cases[] = {
	KUNIT_CASE_PARAM(my_nvme_test_prp_small, prp_gen_params),
	KUNIT_CASE(my_nvme_test_prp_list_full_page),
	KUNIT_CASE(my_nvme_test_prp_chain),
	KUNIT_CASE(my_nvme_test_prp_chain_three),
	KUNIT_CASE(my_nvme_test_prp_chain_multiseg),
	KUNIT_CASE(my_nvme_test_prp_alloc_fail),
	KUNIT_CASE(my_nvme_test_prp_max_lists),
	KUNIT_CASE(my_nvme_test_prp_short_sgl),
	KUNIT_CASE(my_nvme_test_sgl_single),
	KUNIT_CASE(my_nvme_test_sgl_list),
	KUNIT_CASE(my_nvme_test_sgl_full_page),
	KUNIT_CASE(my_nvme_test_sgl_errors),
	{}
};

static struct kunit_suite my_nvme_prp_suite = {
	.name = "my_nvme_prp",
	.test_cases = my_nvme_prp_cases,
};

static struct kunit_case my_nvme_status_cases[] = {
	KUNIT_CASE_PARAM(my_nvme_test_status_to_blk, status_gen_params),
	KUNIT_CASE(my_nvme_test_status_str_named),
	KUNIT_CASE(my_nvme_test_status_str_unknown),
	KUNIT_CASE(my_nvme_test_status_str_flags),
	{}
};

static struct kunit_suite my_nvme_status_suite = {
	.name = "my_nvme_status",
	.test_cases = my_nvme_status_cases,
};

static struct kunit_case my_nvme_cmb_cases[] = {
	KUNIT_CASE_PARAM(my_nvme_test_cmb_unit, cmb_unit_gen_params),
	KUNIT_CASE_PARAM(my_nvme_test_cmb_geometry, cmb_gen_params),
	{}
};

static struct kunit_suite my_nvme_cmb_suite = {
	.name = "my_nvme_cmb",
	.test_cases = my_nvme_cmb_cases,
};

/* What io_uring may carry: nothing that changes namespaces. */
static void my_nvme_test_uring_cmd_allowed(struct kunit *test)
{
	static const u8 refused[] = {
		nvme_admin_format_nvm, nvme_admin_sanitize_nvm,
		nvme_admin_ns_mgmt, nvme_admin_ns_attach,
	};
	const u32 supp = NVME_CMD_EFFECTS_CSUPP;
	unsigned int i;

	KUNIT_EXPECT_TRUE(test,
			  my_nvme_uring_cmd_allowed(0, false, nvme_cmd_read));
	KUNIT_EXPECT_TRUE(test,
			  my_nvme_uring_cmd_allowed(supp | NVME_CMD_EFFECTS_LBCC,
						    false, nvme_cmd_write));
	KUNIT_EXPECT_TRUE(test,
			  my_nvme_uring_cmd_allowed(supp, true,
						    nvme_admin_identify));
	KUNIT_EXPECT_TRUE(test,
			  my_nvme_uring_cmd_allowed(0, true,
						    nvme_admin_get_log_page));
	/* The log's effects, on any opcode. */
	KUNIT_EXPECT_FALSE(test,
			   my_nvme_uring_cmd_allowed(supp | NVME_CMD_EFFECTS_NIC,
						     false, 0x81));
	KUNIT_EXPECT_FALSE(test,
			   my_nvme_uring_cmd_allowed(NVME_CMD_EFFECTS_NCC, true,
						     0xc0));
	KUNIT_EXPECT_FALSE(test,
			   my_nvme_uring_cmd_allowed(1 << 16, true,
						     nvme_admin_set_features));
	/* Without a log (or one that omits them), by opcode. */
	for (i = 0; i < ARRAY_SIZE(refused); i++) {
		KUNIT_EXPECT_FALSE(test,
				   my_nvme_uring_cmd_allowed(0, true,
							     refused[i]));
		/* The same opcode as an I/O command is another command. */
		KUNIT_EXPECT_TRUE(test,
				  my_nvme_uring_cmd_allowed(0, false,
							    refused[i]));
	}
}

static struct kunit_case my_nvme_passthru_cases[] = {
	KUNIT_CASE_PARAM(my_nvme_test_passthru_check, passthru_gen_params),
	KUNIT_CASE(my_nvme_test_passthru_queue_opcodes),
	KUNIT_CASE(my_nvme_test_passthru_direction),
	KUNIT_CASE_PARAM(my_nvme_test_passthru_xfer_len, xfer_gen_params),
	KUNIT_CASE_PARAM(my_nvme_test_passthru_meta_len, meta_len_gen_params),
	KUNIT_CASE(my_nvme_test_passthru_metadata),
	KUNIT_CASE(my_nvme_test_uring_cmd_allowed),
	{}
};

static struct kunit_suite my_nvme_passthru_suite = {
	.name = "my_nvme_passthru",
	.test_cases = my_nvme_passthru_cases,
};

kunit_test_suites(&my_nvme_queue_suite, &my_nvme_cmd_suite,
		  &my_nvme_prp_suite, &my_nvme_status_suite,
		  &my_nvme_cmb_suite, &my_nvme_passthru_suite,
		  &my_nvme_ns_ids_suite);

MODULE_DESCRIPTION("KUnit tests for the my_nvme NVMe PCIe driver");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
