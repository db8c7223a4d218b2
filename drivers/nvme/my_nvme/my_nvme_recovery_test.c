// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the decisions behind my_nvme's recovery and
 * revalidation: the controller state machine, the retry decision and
 * its delay, command id generations, the doorbell range of a BAR, the
 * MDTS shift, command effects, the data pointer type of a requeued
 * command, and what Identify Namespace turns into (disk or not, queue
 * limits). Every test is a table: a new case is one row.
 */
#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/blk-integrity.h>
#include <linux/blkdev.h>
#include <linux/module.h>
#include <linux/nvme.h>
#include <linux/slab.h>

#include "my_nvme.h"

/* ---------------------------------------------------------------------- */
/* Controller state machine                                               */
/* ---------------------------------------------------------------------- */

#define S(x)	BIT(MY_NVME_CTRL_##x)

/* For each new state, the states it may be entered from. */
struct state_case {
	enum my_nvme_ctrl_state new;
	unsigned long from;
};

static const struct state_case state_cases[] = {
	{ MY_NVME_CTRL_NEW, 0 },
	{ MY_NVME_CTRL_LIVE, S(CONNECTING) },
	{ MY_NVME_CTRL_RESETTING, S(LIVE) },
	{ MY_NVME_CTRL_CONNECTING, S(NEW) | S(RESETTING) },
	{ MY_NVME_CTRL_DELETING, S(LIVE) | S(RESETTING) | S(CONNECTING) },
	{ MY_NVME_CTRL_DEAD, S(DELETING) },
};

static void state_desc(const struct state_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "-> %s",
		 my_nvme_state_name(c->new));
}

KUNIT_ARRAY_PARAM(state, state_cases, state_desc);

static void my_nvme_test_state_allowed(struct kunit *test)
{
	const struct state_case *c = test->param_value;
	enum my_nvme_ctrl_state old;

	for (old = 0; old < MY_NVME_CTRL_NR_STATES; old++)
		KUNIT_EXPECT_EQ_MSG(test, my_nvme_state_allowed(old, c->new),
				    !!(c->from & BIT(old)), "%s -> %s",
				    my_nvme_state_name(old),
				    my_nvme_state_name(c->new));
	/* Out of range is never allowed, in either position. */
	KUNIT_EXPECT_FALSE(test, my_nvme_state_allowed(MY_NVME_CTRL_NR_STATES,
						       c->new));
	KUNIT_EXPECT_FALSE(test, my_nvme_state_allowed(c->new,
						       MY_NVME_CTRL_NR_STATES));
}

/* A reset racing removal: whoever comes second loses, in both orders. */
static void my_nvme_test_state_races(struct kunit *test)
{
	/* remove first: DELETING, then the reset's RESETTING fails */
	KUNIT_EXPECT_TRUE(test, my_nvme_state_allowed(MY_NVME_CTRL_LIVE,
						      MY_NVME_CTRL_DELETING));
	KUNIT_EXPECT_FALSE(test, my_nvme_state_allowed(MY_NVME_CTRL_DELETING,
						       MY_NVME_CTRL_RESETTING));
	/* reset first: RESETTING, a second reset request fails ... */
	KUNIT_EXPECT_FALSE(test, my_nvme_state_allowed(MY_NVME_CTRL_RESETTING,
						       MY_NVME_CTRL_RESETTING));
	/* ... removal still wins, and the reset's CONNECTING fails */
	KUNIT_EXPECT_TRUE(test, my_nvme_state_allowed(MY_NVME_CTRL_RESETTING,
						      MY_NVME_CTRL_DELETING));
	KUNIT_EXPECT_FALSE(test, my_nvme_state_allowed(MY_NVME_CTRL_DELETING,
						       MY_NVME_CTRL_CONNECTING));
	KUNIT_EXPECT_FALSE(test, my_nvme_state_allowed(MY_NVME_CTRL_DELETING,
						       MY_NVME_CTRL_LIVE));
	/* dead is final */
	KUNIT_EXPECT_FALSE(test, my_nvme_state_allowed(MY_NVME_CTRL_DEAD,
						       MY_NVME_CTRL_DEAD));
	KUNIT_EXPECT_STREQ(test, my_nvme_state_name(MY_NVME_CTRL_NR_STATES),
			   "unknown");
}

/* ---------------------------------------------------------------------- */
/* Retry decision and delay                                               */
/* ---------------------------------------------------------------------- */

struct decide_case {
	const char *desc;
	u16 status;
	unsigned int retries;
	unsigned int max_retries;
	bool noretry;
	enum my_nvme_disposition exp;
	bool dying, mpath;
};

static const struct decide_case decide_cases[] = {
	{ "success", NVME_SC_SUCCESS, 0, 5, false, MY_NVME_COMPLETE },
	{ "success, noretry", NVME_SC_SUCCESS, 9, 5, true, MY_NVME_COMPLETE },
	{ "Command Interrupted", NVME_SC_CMD_INTERRUPTED, 0, 5, false,
	  MY_NVME_RETRY },
	{ "Namespace Not Ready", NVME_SC_NS_NOT_READY, 4, 5, false,
	  MY_NVME_RETRY },
	{ "host aborted (reset)", NVME_SC_HOST_ABORTED_CMD, 0, 5, false,
	  MY_NVME_RETRY },
	{ "retries used up", NVME_SC_CMD_INTERRUPTED, 5, 5, false,
	  MY_NVME_COMPLETE },
	{ "max_retries 0", NVME_SC_CMD_INTERRUPTED, 0, 0, false,
	  MY_NVME_COMPLETE },
	{ "DNR", NVME_SC_NS_NOT_READY | NVME_STATUS_DNR, 0, 5, false,
	  MY_NVME_COMPLETE },
	{ "failfast / passthrough", NVME_SC_HOST_ABORTED_CMD, 0, 5, true,
	  MY_NVME_COMPLETE },
	{ "media error, no DNR", NVME_SC_READ_ERROR, 0, 5, false,
	  MY_NVME_RETRY },
	{ "CRD set, no DNR", NVME_SC_CMD_INTERRUPTED | (1 << 11), 1, 5, false,
	  MY_NVME_RETRY },
	{ "dying queue: no retry", NVME_SC_CMD_INTERRUPTED, 0, 5, false,
	  MY_NVME_COMPLETE, true },
	/* A multipath disk's request. */
	{ "mpath: host path error fails over", NVME_SC_HOST_PATH_ERROR, 0, 5,
	  false, MY_NVME_FAILOVER, false, true },
	{ "mpath: host aborted (reset) fails over", NVME_SC_HOST_ABORTED_CMD, 0,
	  5, false, MY_NVME_FAILOVER, false, true },
	{ "mpath: ANA inaccessible fails over", NVME_SC_ANA_INACCESSIBLE, 0, 5,
	  false, MY_NVME_FAILOVER, false, true },
	{ "mpath: dying queue fails over", NVME_SC_CMD_INTERRUPTED, 0, 5,
	  false, MY_NVME_FAILOVER, true, true },
	{ "mpath: media error retried on its path", NVME_SC_READ_ERROR, 0, 5,
	  false, MY_NVME_RETRY, false, true },
	{ "mpath: path error with DNR completes",
	  NVME_SC_HOST_PATH_ERROR | NVME_STATUS_DNR, 0, 5, false,
	  MY_NVME_COMPLETE, false, true },
	{ "mpath: retries used up", NVME_SC_HOST_PATH_ERROR, 5, 5, false,
	  MY_NVME_COMPLETE, false, true },
	{ "mpath: failfast", NVME_SC_HOST_PATH_ERROR, 0, 5, true,
	  MY_NVME_COMPLETE, false, true },
	{ "mpath: success", NVME_SC_SUCCESS, 0, 5, false, MY_NVME_COMPLETE,
	  true, true },
};

KUNIT_ARRAY_PARAM_DESC(decide, decide_cases, desc);

static void my_nvme_test_decide(struct kunit *test)
{
	const struct decide_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, my_nvme_decide(c->status, c->retries,
					     c->max_retries, c->noretry,
					     c->dying, c->mpath),
			c->exp);
}

/* Path Related Status (SCT 3h) and nothing else is a path error. */
static void my_nvme_test_path_error(struct kunit *test)
{
	unsigned int sct, sc;

	for (sct = 0; sct < 8; sct++)
		for (sc = 0; sc < 256; sc += 0x11)
			KUNIT_EXPECT_EQ(test,
					my_nvme_is_path_error(sct << 8 | sc |
							      NVME_STATUS_DNR),
					sct == 3);
	KUNIT_EXPECT_TRUE(test, my_nvme_is_path_error(NVME_SC_HOST_PATH_ERROR));
	KUNIT_EXPECT_TRUE(test, my_nvme_is_path_error(NVME_SC_HOST_ABORTED_CMD));
	KUNIT_EXPECT_TRUE(test, my_nvme_is_path_error(NVME_SC_ANA_TRANSITION));
	KUNIT_EXPECT_FALSE(test, my_nvme_is_path_error(NVME_SC_INTERNAL));
}

struct delay_case {
	const char *desc;
	u16 status;
	u16 crdt[3];
	unsigned long exp_ms;
};

static const struct delay_case delay_cases[] = {
	{ "CRD 0: at once", NVME_SC_CMD_INTERRUPTED, { 5, 6, 7 }, 0 },
	{ "CRD 1", NVME_SC_CMD_INTERRUPTED | (1 << 11), { 5, 6, 7 }, 500 },
	{ "CRD 2", NVME_SC_CMD_INTERRUPTED | (2 << 11), { 5, 6, 7 }, 600 },
	{ "CRD 3 with DNR, More", NVME_STATUS_DNR | NVME_STATUS_MORE |
	  (3 << 11), { 5, 6, 7 }, 700 },
	{ "CRDT 0", 1 << 11, { 0, 0, 0 }, 0 },
	{ "largest CRDT", 3 << 11, { 0, 0, 0xffff }, 6553500 },
};

KUNIT_ARRAY_PARAM_DESC(delay, delay_cases, desc);

static void my_nvme_test_retry_delay(struct kunit *test)
{
	const struct delay_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, my_nvme_retry_delay_ms(c->status, c->crdt),
			c->exp_ms);
}

/* ---------------------------------------------------------------------- */
/* Command ids                                                            */
/* ---------------------------------------------------------------------- */

struct cid_case {
	const char *desc;
	u16 cid;
	u8 genctr;		/* the request's current generation */
	u16 exp_tag;
	bool exp_current;
};

static const struct cid_case cid_cases[] = {
	{ "tag 0 gen 0", 0x0000, 0, 0, true },
	{ "tag 5 gen 1", 0x1005, 1, 5, true },
	{ "max tag, gen 15", 0xffff, 15, 4095, true },
	{ "genctr wraps past 15", 0x0007, 16, 7, true },
	{ "late CQE, tag reused", 0x2010, 3, 0x10, false },
	{ "previous generation", 0x1fff, 2, 4095, false },
	{ "gen 0 vs 16 as u8 (0x10)", 0x0001, 0x10, 1, true },
};

KUNIT_ARRAY_PARAM_DESC(cid, cid_cases, desc);

static void my_nvme_test_cid(struct kunit *test)
{
	const struct cid_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, my_nvme_cid_tag(c->cid), c->exp_tag);
	KUNIT_EXPECT_EQ(test, my_nvme_cid_current(c->cid, c->genctr),
			c->exp_current);
}

/* The tag must fit the command id's 12 bits at the deepest queue. */
static void my_nvme_test_cid_depth(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, MY_NVME_MAX_Q_DEPTH - 1, MY_NVME_CID_TAG_MASK);
	KUNIT_EXPECT_LT(test, MY_NVME_AQ_TAGS + MY_NVME_MAX_AEN,
			MY_NVME_AQ_DEPTH);
	KUNIT_EXPECT_EQ(test, my_nvme_cid_tag(MY_NVME_AQ_TAGS),
			MY_NVME_AQ_TAGS);
}

/* ---------------------------------------------------------------------- */
/* Doorbells that fit the BAR                                             */
/* ---------------------------------------------------------------------- */

struct max_qid_case {
	const char *desc;
	u64 bar_len;
	u32 stride;
	int exp_ret;
	unsigned int exp_max;
};

static const struct max_qid_case max_qid_cases[] = {
	{ "empty BAR", 0, 4, -ENODEV, 0 },
	{ "registers only", 0x1000, 4, -ENODEV, 0 },
	{ "one doorbell short of admin", 0x1007, 4, -ENODEV, 0 },
	{ "admin doorbells only", 0x1008, 4, 0, 0 },
	{ "admin + 1, stride 4", 0x1010, 4, 0, 1 },
	{ "admin + 1 minus a byte", 0x100f, 4, 0, 0 },
	{ "16 KiB, stride 4", 0x4000, 4, 0, 1535 },
	{ "16 KiB, stride 4 KiB", 0x4000, 4096, 0, 0 },
	{ "16 KiB, stride 8 KiB", 0x4000, 8192, -ENODEV, 0 },
	{ "largest stride, 1 GiB", SZ_1G, 4U << 15, 0, 4094 },
	{ "4 GiB, stride 4: qid cap", SZ_4G, 4, 0, U16_MAX - 1 },
	{ "stride 0 (bogus)", 0x4000, 0, -ENODEV, 0 },
};

KUNIT_ARRAY_PARAM_DESC(max_qid, max_qid_cases, desc);

static void my_nvme_test_max_qid(struct kunit *test)
{
	const struct max_qid_case *c = test->param_value;
	unsigned int max = 0xdead;
	int ret;

	ret = my_nvme_max_qid(c->bar_len, c->stride, &max);
	KUNIT_EXPECT_EQ(test, ret, c->exp_ret);
	if (ret) {
		KUNIT_EXPECT_EQ(test, max, 0xdead);
		return;
	}
	KUNIT_EXPECT_EQ(test, max, c->exp_max);
	/*
	 * The last queue's doorbell pair (its CQ doorbell's whole stride,
	 * as upstream sizes the BAR) ends inside the BAR ...
	 */
	KUNIT_EXPECT_LE(test, (u64)my_nvme_cq_db_offset(max, c->stride) +
			c->stride, c->bar_len);
	/* ... and the next queue's would not (unless the qid cap hit). */
	if (max < U16_MAX - 1)
		KUNIT_EXPECT_GT(test, (u64)my_nvme_cq_db_offset(max + 1, c->stride) +
				c->stride, c->bar_len);
}

/* ---------------------------------------------------------------------- */
/* MDTS                                                                   */
/* ---------------------------------------------------------------------- */

struct mdts_case {
	const char *desc;
	u8 mdts;
	u32 mps_min;
	u32 max_kb;
	u32 exp_sectors;
};

static const struct mdts_case mdts_cases[] = {
	{ "0: no limit", 0, 4096, 4096, 8192 },
	{ "1: 8 KiB", 1, 4096, 4096, 16 },
	{ "7: 512 KiB (QEMU)", 7, 4096, 4096, 1024 },
	{ "10: 4 MiB", 10, 4096, 4096, 8192 },
	{ "11: above the cap", 11, 4096, 4096, 8192 },
	{ "MPSMIN 64 KiB, 1", 1, 65536, 4096, 256 },
	{ "52: fits u64", 52, 4096, 4096, 8192 },
	{ "60: overflows", 60, 4096, 4096, 8192 },
	{ "64: shift >= width", 64, 4096, 4096, 8192 },
	{ "255", 255, 4096, 4096, 8192 },
	{ "huge cap (WZSL)", 20, 4096, UINT_MAX >> 1, 8388608 },
	{ "MPSMIN 0 (bogus)", 3, 0, 4096, 8192 },
};

KUNIT_ARRAY_PARAM_DESC(mdts, mdts_cases, desc);

static void my_nvme_test_mdts(struct kunit *test)
{
	const struct mdts_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, my_nvme_mdts_sectors(c->mdts, c->mps_min,
						   c->max_kb),
			c->exp_sectors);
}

/* ---------------------------------------------------------------------- */
/* Command effects                                                        */
/* ---------------------------------------------------------------------- */

#define EFF_CSE		NVME_CMD_EFFECTS_CSE_MASK
#define EFF_CSER	NVME_CMD_EFFECTS_CSER_MASK
#define EFF_LBCC	NVME_CMD_EFFECTS_LBCC
#define EFF_NCC		NVME_CMD_EFFECTS_NCC
#define EFF_NIC		NVME_CMD_EFFECTS_NIC
#define EFF_CSUPP	NVME_CMD_EFFECTS_CSUPP

struct effects_case {
	const char *desc;
	bool admin;
	u8 opcode;
	u32 logged;	/* the log's entry for the opcode */
	u32 exp;
};

static const struct effects_case effects_cases[] = {
	{ "format: freeze + rescan", true, nvme_admin_format_nvm,
	  EFF_CSUPP | EFF_LBCC | EFF_NCC | EFF_CSE,
	  EFF_CSUPP | EFF_LBCC | EFF_NCC | EFF_CSE },
	{ "CSER relaxes CSE", true, nvme_admin_sanitize_nvm,
	  EFF_LBCC | EFF_CSE | EFF_CSER, EFF_LBCC | EFF_CSER },
	{ "ns attach: rescan only", true, nvme_admin_ns_attach,
	  EFF_CSUPP | EFF_NIC, EFF_CSUPP | EFF_NIC },
	{ "identify: nothing", true, nvme_admin_identify, EFF_CSUPP,
	  EFF_CSUPP },
	{ "I/O write: CSE never freezes", false, nvme_cmd_write,
	  EFF_LBCC | EFF_CSE, EFF_LBCC },
	{ "I/O read", false, nvme_cmd_read, EFF_CSUPP, EFF_CSUPP },
};

KUNIT_ARRAY_PARAM_DESC(effects, effects_cases, desc);

static void my_nvme_test_effects(struct kunit *test)
{
	const struct effects_case *c = test->param_value;
	struct nvme_effects_log *log;

	log = kunit_kzalloc(test, sizeof(*log), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, log);
	if (c->admin)
		log->acs[c->opcode] = cpu_to_le32(c->logged);
	else
		log->iocs[c->opcode] = cpu_to_le32(c->logged);
	KUNIT_EXPECT_EQ(test, my_nvme_cmd_effects(log, c->admin, c->opcode),
			c->exp);
	/* The other command set's table is not consulted. */
	KUNIT_EXPECT_EQ(test, my_nvme_cmd_effects(log, !c->admin, c->opcode),
			0U);
	KUNIT_EXPECT_EQ(test, my_nvme_cmd_effects(NULL, c->admin, c->opcode),
			0U);
}

/* ---------------------------------------------------------------------- */
/* Data pointer type of a (re)prepared command                            */
/* ---------------------------------------------------------------------- */

struct dptr_case {
	const char *desc;
	u8 flags;
	bool use_sgl;
	u8 exp;
};

static const struct dptr_case dptr_cases[] = {
	{ "PRP stays PRP", 0, false, 0 },
	{ "PRP -> SGL", 0, true, NVME_CMD_SGL_METABUF },
	{ "requeued: SGL -> PRP", NVME_CMD_SGL_METABUF, false, 0 },
	{ "SGL metaseg -> PRP", NVME_CMD_SGL_METASEG, false, 0 },
	{ "SGL -> SGL", NVME_CMD_SGL_METABUF, true, NVME_CMD_SGL_METABUF },
	{ "fused bits kept", NVME_CMD_FUSE_FIRST | NVME_CMD_SGL_METABUF, false,
	  NVME_CMD_FUSE_FIRST },
};

KUNIT_ARRAY_PARAM_DESC(dptr, dptr_cases, desc);

static void my_nvme_test_dptr_type(struct kunit *test)
{
	const struct dptr_case *c = test->param_value;
	struct nvme_command cmd = { };

	cmd.common.flags = c->flags;
	my_nvme_set_dptr_type(&cmd, c->use_sgl);
	KUNIT_EXPECT_EQ(test, cmd.common.flags, c->exp);
}

/* ---------------------------------------------------------------------- */
/* Shadow doorbells: does the controller need the MMIO write?             */
/* ---------------------------------------------------------------------- */

struct event_case {
	const char *desc;
	u16 event_idx;
	u16 new_idx;
	u16 old;
	bool exp;
};

static const struct event_case event_cases[] = {
	{ "EventIdx just passed", 5, 6, 5, true },
	{ "EventIdx inside the batch", 7, 10, 5, true },
	{ "EventIdx at the old value", 5, 10, 5, true },
	{ "EventIdx at the new value: not yet", 10, 10, 5, false },
	{ "EventIdx ahead", 20, 10, 5, false },
	{ "EventIdx behind the old value", 3, 10, 5, false },
	{ "nothing new", 5, 5, 5, false },
	{ "wrap: old 65534, new 2, EventIdx 65535", 65535, 2, 65534, true },
	{ "wrap: EventIdx 0 within", 0, 2, 65534, true },
	{ "wrap: EventIdx 1 within", 1, 2, 65534, true },
	{ "wrap: EventIdx 2 not yet", 2, 2, 65534, false },
	{ "wrap: EventIdx 65533 behind", 65533, 2, 65534, false },
	{ "full lap minus one", 0, 65535, 0, true },
};

KUNIT_ARRAY_PARAM_DESC(event, event_cases, desc);

static void my_nvme_test_dbbuf_need_event(struct kunit *test)
{
	const struct event_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, my_nvme_dbbuf_need_event(c->event_idx, c->new_idx,
						       c->old), c->exp);
}

/* The rule, checked against its definition for every EventIdx. */
static void my_nvme_test_dbbuf_need_event_all(struct kunit *test)
{
	static const u16 olds[] = { 0, 100, 65530 };
	unsigned int i, e, d;

	for (i = 0; i < ARRAY_SIZE(olds); i++) {
		for (d = 1; d <= 8; d++) {
			u16 old = olds[i], new = old + d;

			for (e = 0; e < 65536; e++) {
				/* Needed iff old <= e < new, modulo 2^16. */
				bool in = (u16)(e - old) < d;

				if (my_nvme_dbbuf_need_event(e, new, old) != in)
					KUNIT_FAIL(test, "old %u new %u ei %u: expected %d",
						   old, new, e, in);
			}
		}
	}
}

/* ---------------------------------------------------------------------- */
/* Encoders of the recovery commands                                      */
/* ---------------------------------------------------------------------- */

struct abort_case {
	const char *desc;
	u16 sqid;
	u16 cid;
};

static const struct abort_case abort_cases[] = {
	{ "queue 1 tag 0", 1, 0x0000 },
	{ "queue 7, gen 3 tag 17", 7, 0x3011 },
	{ "largest ids", 0xfffe, 0xffff },
};

KUNIT_ARRAY_PARAM_DESC(abort, abort_cases, desc);

static void my_nvme_test_cmd_abort(struct kunit *test)
{
	const struct abort_case *c = test->param_value;
	struct nvme_command cmd;

	memset(&cmd, 0xa5, sizeof(cmd));
	my_nvme_cmd_abort(&cmd, c->sqid, c->cid);
	KUNIT_EXPECT_EQ(test, cmd.abort.opcode, nvme_admin_abort_cmd);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(cmd.abort.sqid), c->sqid);
	KUNIT_EXPECT_EQ(test, cmd.abort.cid, c->cid);
	KUNIT_EXPECT_EQ(test, cmd.abort.command_id, 0);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(cmd.common.nsid), 0);
}

struct log_case {
	const char *desc;
	u8 lid;
	u32 nsid;
	u32 bytes;
	u16 exp_numdl;
	u16 exp_numdu;
};

static const struct log_case log_cases[] = {
	{ "SMART, 512 bytes", NVME_LOG_SMART, NVME_NSID_ALL, 512, 127, 0 },
	{ "effects, 4 KiB", NVME_LOG_CMD_EFFECTS, 0, 4096, 1023, 0 },
	{ "changed ns list", NVME_LOG_CHANGED_NS, NVME_NSID_ALL, 4096, 1023,
	  0 },
	{ "one dword", NVME_LOG_ERROR, 1, 4, 0, 0 },
	{ "256 KiB: upper half", 0x80, 0, SZ_256K, 0xffff, 0 },
	{ "512 KiB: NUMDU", 0x80, 0, SZ_512K, 0xffff, 1 },
};

KUNIT_ARRAY_PARAM_DESC(log, log_cases, desc);

static void my_nvme_test_cmd_get_log(struct kunit *test)
{
	const struct log_case *c = test->param_value;
	struct nvme_command cmd;

	memset(&cmd, 0xa5, sizeof(cmd));
	my_nvme_cmd_get_log(&cmd, c->lid, c->nsid, c->bytes);
	KUNIT_EXPECT_EQ(test, cmd.get_log_page.opcode, nvme_admin_get_log_page);
	KUNIT_EXPECT_EQ(test, cmd.get_log_page.lid, c->lid);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(cmd.get_log_page.nsid), c->nsid);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(cmd.get_log_page.numdl),
			c->exp_numdl);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(cmd.get_log_page.numdu),
			c->exp_numdu);
	/* LSP 0 and RAE 0: reading the log clears a retained event. */
	KUNIT_EXPECT_EQ(test, cmd.get_log_page.lsp, 0);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(cmd.get_log_page.lpo), 0ULL);
}

struct reset_case {
	const char *desc;
	enum my_nvme_ctrl_state state;
	u32 csts;
	bool exp;
};

static const struct reset_case reset_cases[] = {
	{ "live, ready", MY_NVME_CTRL_LIVE, NVME_CSTS_RDY, false },
	{ "live, not ready", MY_NVME_CTRL_LIVE, 0, false },
	{ "live, fatal status", MY_NVME_CTRL_LIVE,
	  NVME_CSTS_RDY | NVME_CSTS_CFS, true },
	{ "live, gone (all ones)", MY_NVME_CTRL_LIVE, ~0U, true },
	{ "live, subsystem reset occurred", MY_NVME_CTRL_LIVE,
	  NVME_CSTS_NSSRO, true },
	{ "live, shutdown complete", MY_NVME_CTRL_LIVE,
	  NVME_CSTS_RDY | NVME_CSTS_SHST_CMPLT, false },
	{ "live, processing paused", MY_NVME_CTRL_LIVE,
	  NVME_CSTS_RDY | NVME_CSTS_PP, false },
	/* The reset itself failed: it ends the request, no second reset. */
	{ "resetting, fatal status", MY_NVME_CTRL_RESETTING,
	  NVME_CSTS_RDY | NVME_CSTS_CFS, false },
	{ "resetting, gone", MY_NVME_CTRL_RESETTING, ~0U, false },
	{ "connecting, fatal status", MY_NVME_CTRL_CONNECTING,
	  NVME_CSTS_RDY | NVME_CSTS_CFS, false },
	{ "connecting, gone", MY_NVME_CTRL_CONNECTING, ~0U, false },
	{ "connecting, subsystem reset occurred", MY_NVME_CTRL_CONNECTING,
	  NVME_CSTS_NSSRO, false },
	{ "deleting, fatal status", MY_NVME_CTRL_DELETING,
	  NVME_CSTS_CFS, true },
};

KUNIT_ARRAY_PARAM_DESC(reset, reset_cases, desc);

static void my_nvme_test_should_reset(struct kunit *test)
{
	const struct reset_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, my_nvme_should_reset(c->state, c->csts), c->exp);
}

/*
 * The timeout decision, one row per path of the ladder. A = admin
 * queue, AB = an Abort was sent already, X = CSTS.PP outlasted MTFA.
 */
struct timeout_case {
	const char *desc;
	enum my_nvme_ctrl_state state;
	u32 csts;
	bool admin, aborted, expired;
	enum my_nvme_timeout_action exp;
};

#define TO(d, st, cs, a, ab, x, e)					\
	{ d, MY_NVME_CTRL_##st, cs, a, ab, x, MY_NVME_TIMEOUT_##e }
#define RDY	NVME_CSTS_RDY
#define CFS	(NVME_CSTS_RDY | NVME_CSTS_CFS)
#define PP	(NVME_CSTS_RDY | NVME_CSTS_PP)

static const struct timeout_case timeout_cases[] = {
	TO("live I/O, first timeout: abort", LIVE, RDY, 0, 0, 0, ABORT),
	TO("live I/O, aborted already: reset", LIVE, RDY, 0, 1, 0, RESET),
	TO("live admin: reset", LIVE, RDY, 1, 0, 0, RESET),
	TO("live admin, aborted flag ignored: reset", LIVE, RDY, 1, 1, 0,
	   RESET),
	TO("live I/O, fatal status: reset, no reap", LIVE, CFS, 0, 0, 0,
	   FATAL),
	TO("live admin, fatal status", LIVE, CFS, 1, 0, 0, FATAL),
	TO("live, all ones", LIVE, ~0U, 0, 0, 0, FATAL),
	TO("live, subsystem reset occurred", LIVE, NVME_CSTS_NSSRO, 0, 0, 0,
	   FATAL),
	TO("live I/O, firmware activation: wait", LIVE, PP, 0, 0, 0, REARM),
	TO("live admin, firmware activation: wait", LIVE, PP, 1, 0, 0, REARM),
	TO("live I/O aborted, firmware activation: wait", LIVE, PP, 0, 1, 0,
	   REARM),
	TO("live I/O, activation past MTFA: abort", LIVE, PP, 0, 0, 1, ABORT),
	TO("live admin, activation past MTFA: reset", LIVE, PP, 1, 0, 1,
	   RESET),
	TO("live, paused and fatal: fatal wins", LIVE, PP | CFS, 0, 0, 0,
	   FATAL),
	TO("live, not ready (disabled under us)", LIVE, 0, 0, 0, 0, ABORT),
	TO("resetting I/O: the reset ends it", RESETTING, RDY, 0, 0, 0, REARM),
	TO("resetting admin", RESETTING, RDY, 1, 0, 0, REARM),
	TO("resetting, fatal status: no second reset", RESETTING, CFS, 0, 0,
	   0, REARM),
	TO("resetting, all ones", RESETTING, ~0U, 1, 0, 0, REARM),
	TO("connecting admin: give up", CONNECTING, RDY, 1, 0, 0, DISABLE),
	TO("connecting I/O: give up", CONNECTING, RDY, 0, 0, 0, DISABLE),
	TO("connecting, fatal status: give up", CONNECTING, CFS, 1, 0, 0,
	   DISABLE),
	TO("connecting, all ones", CONNECTING, ~0U, 0, 1, 0, DISABLE),
	TO("connecting, paused", CONNECTING, PP, 0, 0, 0, DISABLE),
	TO("deleting I/O", DELETING, RDY, 0, 0, 0, DISABLE),
	TO("deleting admin (a Delete SQ)", DELETING, RDY, 1, 0, 0, DISABLE),
	TO("deleting, fatal status", DELETING, CFS, 0, 0, 0, DISABLE),
	TO("dead", DEAD, ~0U, 0, 0, 0, DISABLE),
	TO("new", NEW, RDY, 1, 0, 0, DISABLE),
};

#undef TO
#undef RDY
#undef CFS
#undef PP

KUNIT_ARRAY_PARAM_DESC(timeout, timeout_cases, desc);

static void my_nvme_test_timeout_action(struct kunit *test)
{
	const struct timeout_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, my_nvme_timeout_action(c->state, c->csts,
						     c->admin, c->aborted,
						     c->expired), c->exp);
}

/*
 * Every combination of the inputs: only a live controller is aborted or
 * reset, a reset in progress always ends the request itself, and every
 * other state gives up on the controller, whatever CSTS says. No
 * combination leaves the request to nobody.
 */
static void my_nvme_test_timeout_all(struct kunit *test)
{
	static const u32 csts[] = {
		0, NVME_CSTS_RDY, NVME_CSTS_RDY | NVME_CSTS_CFS, ~0U,
		NVME_CSTS_NSSRO, NVME_CSTS_RDY | NVME_CSTS_PP,
		NVME_CSTS_RDY | NVME_CSTS_SHST_CMPLT,
	};
	enum my_nvme_ctrl_state state;
	enum my_nvme_timeout_action act;
	unsigned int i, bits;

	for (state = 0; state < MY_NVME_CTRL_NR_STATES; state++) {
		for (i = 0; i < ARRAY_SIZE(csts); i++) {
			for (bits = 0; bits < 8; bits++) {
				act = my_nvme_timeout_action(state, csts[i],
							     bits & 1, bits & 2,
							     bits & 4);
				if (state == MY_NVME_CTRL_LIVE)
					KUNIT_EXPECT_NE_MSG(test, act,
							    MY_NVME_TIMEOUT_DISABLE,
							    "live, csts %#x, %u",
							    csts[i], bits);
				else if (state == MY_NVME_CTRL_RESETTING)
					KUNIT_EXPECT_EQ_MSG(test, act,
							    MY_NVME_TIMEOUT_REARM,
							    "resetting, csts %#x, %u",
							    csts[i], bits);
				else
					KUNIT_EXPECT_EQ_MSG(test, act,
							    MY_NVME_TIMEOUT_DISABLE,
							    "%s, csts %#x, %u",
							    my_nvme_state_name(state),
							    csts[i], bits);
				/* An admin command is never aborted. */
				if (bits & 1)
					KUNIT_EXPECT_NE(test, act,
							MY_NVME_TIMEOUT_ABORT);
			}
		}
	}
}

/* Lost the race for RESETTING: who ends the request now? */
static void my_nvme_test_timeout_fallback(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, my_nvme_timeout_fallback(MY_NVME_CTRL_LIVE),
			MY_NVME_TIMEOUT_REARM);
	KUNIT_EXPECT_EQ(test, my_nvme_timeout_fallback(MY_NVME_CTRL_RESETTING),
			MY_NVME_TIMEOUT_REARM);
	KUNIT_EXPECT_EQ(test, my_nvme_timeout_fallback(MY_NVME_CTRL_CONNECTING),
			MY_NVME_TIMEOUT_DISABLE);
	KUNIT_EXPECT_EQ(test, my_nvme_timeout_fallback(MY_NVME_CTRL_DELETING),
			MY_NVME_TIMEOUT_DISABLE);
	KUNIT_EXPECT_EQ(test, my_nvme_timeout_fallback(MY_NVME_CTRL_DEAD),
			MY_NVME_TIMEOUT_DISABLE);
}

/* The Active Namespace ID list, one entry at a time. */
struct scan_case {
	const char *desc;
	u32 nsid, last, nn;
	enum my_nvme_scan_step exp;
};

static const struct scan_case scan_cases[] = {
	{ "end of the list", 0, 7, 256, MY_NVME_SCAN_END },
	{ "first entry", 1, 0, 256, MY_NVME_SCAN_NS },
	{ "ascending", 9, 3, 256, MY_NVME_SCAN_NS },
	{ "NN itself", 256, 3, 256, MY_NVME_SCAN_NS },
	{ "above NN: skipped", 257, 3, 256, MY_NVME_SCAN_SKIP },
	{ "far above NN", 0xfffffffe, 3, 256, MY_NVME_SCAN_SKIP },
	{ "broadcast id", 0xffffffff, 3, 256, MY_NVME_SCAN_SKIP },
	{ "repeated", 3, 3, 256, MY_NVME_SCAN_STOP },
	{ "backwards", 2, 3, 256, MY_NVME_SCAN_STOP },
	/* After an ID above NN, a valid one can only go backwards. */
	{ "valid after one above NN", 4, 300, 256, MY_NVME_SCAN_STOP },
	{ "NN 0: nothing valid", 1, 0, 0, MY_NVME_SCAN_SKIP },
};

KUNIT_ARRAY_PARAM_DESC(scan, scan_cases, desc);

static void my_nvme_test_scan_entry(struct kunit *test)
{
	const struct scan_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, my_nvme_scan_entry(c->nsid, c->last, c->nn),
			c->exp);
}

/*
 * A whole list, as the scan walks it: which namespaces are scanned and
 * which existing ones (1..8 here) lose their disks. An entry above NN in
 * the middle of the list must not cost the disks of later namespaces.
 */
static void scan_walk(const u32 *list, u32 nn, unsigned long *scanned,
		      unsigned long *removed)
{
	u32 prev = 0, last = 0, id;
	unsigned int i;

	*scanned = 0;
	*removed = 0;
	for (i = 0;; i++) {
		switch (my_nvme_scan_entry(list[i], last, nn)) {
		case MY_NVME_SCAN_END:
			for (id = prev + 1; id <= 8; id++)
				*removed |= BIT(id);
			return;
		case MY_NVME_SCAN_STOP:
			return;
		case MY_NVME_SCAN_SKIP:
			break;
		case MY_NVME_SCAN_NS:
			*scanned |= BIT(list[i]);
			for (id = prev + 1; id < list[i]; id++)
				*removed |= BIT(id);
			prev = list[i];
			break;
		}
		last = list[i];
	}
}

static void my_nvme_test_scan_walk(struct kunit *test)
{
	static const u32 all[] = { 1, 2, 3, 4, 5, 6, 7, 8, 0 };
	static const u32 gaps[] = { 2, 5, 0 };
	static const u32 bogus[] = { 1, 300, 2, 3, 0 };
	static const u32 bogus_end[] = { 1, 2, 3, 4, 5, 6, 7, 8, 300, 0 };
	static const u32 backwards[] = { 1, 4, 3, 0 };
	unsigned long scanned, removed;

	scan_walk(all, 256, &scanned, &removed);
	KUNIT_EXPECT_EQ(test, scanned, GENMASK(8, 1));
	KUNIT_EXPECT_EQ(test, removed, 0UL);

	scan_walk(gaps, 256, &scanned, &removed);
	KUNIT_EXPECT_EQ(test, scanned, BIT(2) | BIT(5));
	KUNIT_EXPECT_EQ(test, removed, BIT(1) | BIT(3) | BIT(4) | GENMASK(8, 6));

	/* 300 is no namespace; 2 after it cannot be trusted: keep 2..8. */
	scan_walk(bogus, 256, &scanned, &removed);
	KUNIT_EXPECT_EQ(test, scanned, BIT(1));
	KUNIT_EXPECT_EQ(test, removed, 0UL);

	scan_walk(bogus_end, 256, &scanned, &removed);
	KUNIT_EXPECT_EQ(test, scanned, GENMASK(8, 1));
	KUNIT_EXPECT_EQ(test, removed, 0UL);

	scan_walk(backwards, 256, &scanned, &removed);
	KUNIT_EXPECT_EQ(test, scanned, BIT(1) | BIT(4));
	KUNIT_EXPECT_EQ(test, removed, BIT(2) | BIT(3));
}

/* Asynchronous Event Configuration: the notices OAES offers and we use. */
static void my_nvme_test_aen_config(struct kunit *test)
{
	u32 smart = 0x1f;

	KUNIT_EXPECT_EQ(test, my_nvme_aen_config(0), smart);
	KUNIT_EXPECT_EQ(test, my_nvme_aen_config(NVME_AEN_CFG_NS_ATTR),
			smart | NVME_AEN_CFG_NS_ATTR);
	KUNIT_EXPECT_EQ(test, my_nvme_aen_config(NVME_AEN_CFG_FW_ACT),
			smart | NVME_AEN_CFG_FW_ACT);
	/* ANA and discovery changes are not ours to ask for. */
	KUNIT_EXPECT_EQ(test, my_nvme_aen_config(~0U),
			smart | NVME_AEN_CFG_NS_ATTR | NVME_AEN_CFG_FW_ACT);
}

/* CAP.NSSRS (bit 36): NVM subsystem reset supported. */
static void my_nvme_test_cap_nssrs(struct kunit *test)
{
	struct my_nvme_cap_info info;

	my_nvme_decode_cap(BIT_ULL(36), &info);
	KUNIT_EXPECT_TRUE(test, info.subsys_reset);
	my_nvme_decode_cap(~BIT_ULL(36), &info);
	KUNIT_EXPECT_FALSE(test, info.subsys_reset);
}

/* ---------------------------------------------------------------------- */
/* Identify Namespace -> disk                                             */
/* ---------------------------------------------------------------------- */

struct ns_info_case {
	const char *desc;
	u64 nsze;
	u8 flbas;
	u8 nlbaf;	/* 0's based */
	u8 ds;		/* of the format in use */
	u16 ms;
	u8 dps;
	u8 nsattr, dlfeat;
	bool elbas;	/* an NVM command set Identify Namespace ... */
	u32 elbaf;	/* ... with this ELBAF for the format */
	u8 pic;
	bool no_integrity;	/* a kernel without BLK_DEV_INTEGRITY */
	bool exp_ok;
	u8 exp_shift;
	/* the format's metadata, as the data path sees it */
	u8 exp_pi_type, exp_pi_size, exp_pi_offset, exp_guard;
	bool exp_ext, exp_block_io, exp_ro, exp_deac;
};

#define ELBAF_GUARD(g)	((g) << NVME_ID_NS_NVM_GUARD_SHIFT)
#define ELBAF_QPIF(g)	((g) << NVME_ID_NS_NVM_QPIF_SHIFT)

static const struct ns_info_case ns_info_cases[] = {
	{ "512-byte blocks", .nsze = 1024, .ds = 9, .exp_ok = true,
	  .exp_shift = 9, .exp_block_io = true, .exp_pi_size = 8 },
	{ "4 KiB blocks, format 4", .nsze = 1024, .flbas = 4, .nlbaf = 7,
	  .ds = 12, .exp_ok = true, .exp_shift = 12, .exp_block_io = true,
	  .exp_pi_size = 8 },
	{ "size 0", .ds = 9, .exp_shift = 9 },
	{ "format beyond NLBAF", .nsze = 1024, .flbas = 2, .nlbaf = 1, .ds = 9,
	  .exp_shift = 9 },
	{ "256-byte blocks", .nsze = 1024, .ds = 8, .exp_shift = 8 },
	{ "64 KiB blocks", .nsze = 1024, .ds = 16, .exp_shift = 16 },
	{ "extended FLBAS (bits 6:5)", .nsze = 8, .flbas = 0x20, .nlbaf = 16,
	  .ds = 12, .exp_ok = true, .exp_shift = 12, .exp_block_io = true,
	  .exp_pi_size = 8 },
	/* Metadata without PI: a separate buffer through the block layer. */
	{ "8 bytes of separate metadata", .nsze = 1024, .ds = 9, .ms = 8,
	  .exp_ok = true, .exp_shift = 9, .exp_pi_size = 8,
	  .exp_block_io = true },
	{ "... without integrity support: no block I/O", .nsze = 1024,
	  .ds = 9, .ms = 8, .no_integrity = true, .exp_ok = true,
	  .exp_shift = 9, .exp_pi_size = 8 },
	{ "8 bytes interleaved (extended LBA): no block I/O", .nsze = 1024,
	  .flbas = 0x10, .ds = 9, .ms = 8, .exp_ok = true, .exp_shift = 9,
	  .exp_pi_size = 8, .exp_ext = true },
	/* PI: DPS bits 2:0 the type; bit 3 set: the first bytes. */
	{ "PI type 1, 8 bytes", .nsze = 1024, .ds = 9, .ms = 8, .dps = 1,
	  .exp_ok = true, .exp_shift = 9, .exp_pi_type = 1, .exp_pi_size = 8,
	  .exp_block_io = true },
	{ "PI type 2, 4 KiB blocks", .nsze = 1024, .ds = 12, .ms = 8, .dps = 2,
	  .exp_ok = true, .exp_shift = 12, .exp_pi_type = 2, .exp_pi_size = 8,
	  .exp_block_io = true },
	{ "PI type 3 in the last 8 of 64", .nsze = 1024, .ds = 12, .ms = 64,
	  .dps = 3, .exp_ok = true, .exp_shift = 12, .exp_pi_type = 3,
	  .exp_pi_size = 8, .exp_pi_offset = 56, .exp_block_io = true },
	{ "PI type 1 first (DPS bit 3) of 16", .nsze = 1024, .ds = 9, .ms = 16,
	  .dps = 1 | NVME_NS_DPS_PI_FIRST, .exp_ok = true, .exp_shift = 9,
	  .exp_pi_type = 1, .exp_pi_size = 8, .exp_block_io = true },
	{ "PI type 1 interleaved: PRACT, block I/O", .nsze = 1024,
	  .flbas = 0x10, .ds = 9, .ms = 8, .dps = 1, .exp_ok = true,
	  .exp_shift = 9, .exp_pi_type = 1, .exp_pi_size = 8, .exp_ext = true,
	  .exp_block_io = true },
	{ "PI without integrity support: PRACT", .nsze = 1024, .ds = 9,
	  .ms = 8, .dps = 3, .no_integrity = true, .exp_ok = true,
	  .exp_shift = 9, .exp_pi_type = 3, .exp_pi_size = 8,
	  .exp_block_io = true },
	/* ELBAS: the guard of the format from the NVM Identify Namespace. */
	{ "64-bit guard, 16 bytes", .nsze = 1024, .ds = 12, .ms = 16,
	  .dps = 1, .elbas = true, .elbaf = ELBAF_GUARD(NVME_NVM_NS_64B_GUARD),
	  .exp_ok = true, .exp_shift = 12, .exp_pi_type = 1,
	  .exp_pi_size = 16, .exp_guard = NVME_NVM_NS_64B_GUARD,
	  .exp_block_io = true },
	{ "64-bit guard in 8 bytes: no room, no PI", .nsze = 1024, .ds = 12,
	  .ms = 8, .dps = 1, .elbas = true,
	  .elbaf = ELBAF_GUARD(NVME_NVM_NS_64B_GUARD), .exp_ok = true,
	  .exp_shift = 12, .exp_pi_size = 16,
	  .exp_guard = NVME_NVM_NS_64B_GUARD, .exp_block_io = true },
	{ "64-bit guard, last 16 of 64", .nsze = 1024, .ds = 12, .ms = 64,
	  .dps = 2, .elbas = true, .elbaf = ELBAF_GUARD(NVME_NVM_NS_64B_GUARD),
	  .exp_ok = true, .exp_shift = 12, .exp_pi_type = 2,
	  .exp_pi_size = 16, .exp_pi_offset = 48,
	  .exp_guard = NVME_NVM_NS_64B_GUARD, .exp_block_io = true },
	{ "qualified guard type (QPIFS)", .nsze = 1024, .ds = 12, .ms = 16,
	  .dps = 1, .elbas = true, .pic = NVME_ID_NS_NVM_QPIFS,
	  .elbaf = ELBAF_GUARD(NVME_NVM_NS_QTYPE_GUARD) |
		   ELBAF_QPIF(NVME_NVM_NS_64B_GUARD),
	  .exp_ok = true, .exp_shift = 12, .exp_pi_type = 1,
	  .exp_pi_size = 16, .exp_guard = NVME_NVM_NS_64B_GUARD,
	  .exp_block_io = true },
	{ "32-bit guard: not supported, metadata only", .nsze = 1024, .ds = 12,
	  .ms = 16, .dps = 1, .elbas = true,
	  .elbaf = ELBAF_GUARD(NVME_NVM_NS_32B_GUARD), .exp_ok = true,
	  .exp_shift = 12, .exp_guard = NVME_NVM_NS_32B_GUARD,
	  .exp_block_io = true },
	{ "storage tag format: metadata only", .nsze = 1024, .ds = 12,
	  .ms = 16, .dps = 1, .elbas = true, .elbaf = 4, .exp_ok = true,
	  .exp_shift = 12, .exp_block_io = true },
	/* Attributes. */
	{ "write protected (NSATTR bit 0)", .nsze = 1024, .ds = 9,
	  .nsattr = NVME_NS_ATTR_RO, .exp_ok = true, .exp_shift = 9,
	  .exp_pi_size = 8, .exp_block_io = true, .exp_ro = true },
	{ "DLFEAT 09h: Write Zeroes deallocates", .nsze = 1024, .ds = 9,
	  .dlfeat = 0x09, .exp_ok = true, .exp_shift = 9, .exp_pi_size = 8,
	  .exp_block_io = true, .exp_deac = true },
	{ "DLFEAT 01h (QEMU): zeros, but no DEAC", .nsze = 1024, .ds = 9,
	  .dlfeat = 0x01, .exp_ok = true, .exp_shift = 9, .exp_pi_size = 8,
	  .exp_block_io = true },
	{ "DLFEAT 0Ah: DEAC, but reads as ones", .nsze = 1024, .ds = 9,
	  .dlfeat = 0x0a, .exp_ok = true, .exp_shift = 9, .exp_pi_size = 8,
	  .exp_block_io = true },
};

KUNIT_ARRAY_PARAM_DESC(ns_info, ns_info_cases, desc);

static void my_nvme_test_ns_info(struct kunit *test)
{
	const struct ns_info_case *c = test->param_value;
	struct nvme_id_ns_nvm *nvm = NULL;
	struct my_nvme_ns_info info;
	struct nvme_id_ns *id;
	u8 lbaf;

	id = kunit_kzalloc(test, sizeof(*id), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, id);
	id->nsze = cpu_to_le64(c->nsze);
	id->flbas = c->flbas;
	id->nlbaf = c->nlbaf;
	id->dps = c->dps;
	id->nsattr = c->nsattr;
	id->dlfeat = c->dlfeat;
	lbaf = nvme_lbaf_index(c->flbas);
	id->lbaf[lbaf].ds = c->ds;
	id->lbaf[lbaf].ms = cpu_to_le16(c->ms);
	if (c->elbas) {
		nvm = kunit_kzalloc(test, sizeof(*nvm), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, nvm);
		nvm->elbaf[lbaf] = cpu_to_le32(c->elbaf);
		nvm->pic = c->pic;
	}

	my_nvme_ns_info(id, nvm, !c->no_integrity, &info);
	KUNIT_EXPECT_EQ(test, info.nsze, c->nsze);
	KUNIT_EXPECT_EQ(test, info.lbaf, lbaf);
	KUNIT_EXPECT_EQ(test, info.lba_shift, c->exp_shift);
	KUNIT_EXPECT_EQ_MSG(test, !info.unsupported, c->exp_ok, "reason: %s",
			    info.unsupported ?: "none");
	KUNIT_EXPECT_EQ(test, info.readonly, c->exp_ro);
	KUNIT_EXPECT_EQ(test, info.deac, c->exp_deac);
	if (!c->exp_ok)
		return;
	KUNIT_EXPECT_EQ(test, info.ms, c->ms);
	KUNIT_EXPECT_EQ(test, info.pi_type, c->exp_pi_type);
	if (c->ms)
		KUNIT_EXPECT_EQ(test, info.pi_size, c->exp_pi_size);
	KUNIT_EXPECT_EQ(test, info.pi_offset, c->exp_pi_offset);
	if (c->ms)
		KUNIT_EXPECT_EQ(test, info.guard_type, c->exp_guard);
	KUNIT_EXPECT_EQ(test, info.ext_lbas, c->exp_ext);
	KUNIT_EXPECT_EQ_MSG(test, !info.no_block_io, c->exp_block_io,
			    "no block I/O: %s", info.no_block_io ?: "-");
}

/* The block layer's integrity profile of each kind of format. */
struct integrity_case {
	const char *desc;
	u16 ms;
	u8 pi_type, guard, pi_offset;
	bool ext, no_integrity;
	/* expected */
	u8 tuple, tag, offset, flags;
	enum blk_integrity_checksum csum;
};

#define DEV_CAP		BLK_INTEGRITY_DEVICE_CAPABLE
#define REF_TAG		BLK_INTEGRITY_REF_TAG

static const struct integrity_case integrity_cases[] = {
	{ "no metadata: none", 0, 0, 0, 0, false, false, 0, 0, 0, 0,
	  BLK_INTEGRITY_CSUM_NONE },
	{ "8 bytes, no PI: a buffer, no checksum", 8, 0, 0, 0, false, false,
	  8, 0, 0, 0, BLK_INTEGRITY_CSUM_NONE },
	{ "PI type 1, CRC16", 8, 1, NVME_NVM_NS_16B_GUARD, 0, false, false, 8,
	  2, 0, DEV_CAP | REF_TAG, BLK_INTEGRITY_CSUM_CRC },
	{ "PI type 2, CRC16, last 8 of 16", 16, 2, NVME_NVM_NS_16B_GUARD, 8,
	  false, false, 16, 2, 8, DEV_CAP | REF_TAG, BLK_INTEGRITY_CSUM_CRC },
	{ "PI type 3, CRC16: app + ref tag", 8, 3, NVME_NVM_NS_16B_GUARD, 0,
	  false, false, 8, 6, 0, DEV_CAP, BLK_INTEGRITY_CSUM_CRC },
	{ "PI type 1, CRC64", 16, 1, NVME_NVM_NS_64B_GUARD, 0, false, false, 16,
	  2, 0, DEV_CAP | REF_TAG, BLK_INTEGRITY_CSUM_CRC64 },
	{ "PI type 3, CRC64", 16, 3, NVME_NVM_NS_64B_GUARD, 0, false, false, 16,
	  8, 0, DEV_CAP, BLK_INTEGRITY_CSUM_CRC64 },
	{ "interleaved PI: none, PRACT", 8, 1, NVME_NVM_NS_16B_GUARD, 0, true,
	  false, 0, 0, 0, 0, BLK_INTEGRITY_CSUM_NONE },
	{ "no integrity support: none", 8, 1, NVME_NVM_NS_16B_GUARD, 0, false,
	  true, 0, 0, 0, 0, BLK_INTEGRITY_CSUM_NONE },
};

KUNIT_ARRAY_PARAM_DESC(integrity, integrity_cases, desc);

static void my_nvme_test_integrity_limits(struct kunit *test)
{
	const struct integrity_case *c = test->param_value;
	struct my_nvme_ns_info info = {
		.ms = c->ms,
		.pi_type = c->pi_type,
		.guard_type = c->guard,
		.pi_offset = c->pi_offset,
		.ext_lbas = c->ext,
	};
	struct blk_integrity bi;

	memset(&bi, 0xa5, sizeof(bi));
	my_nvme_integrity_limits(&info, !c->no_integrity, &bi);
	KUNIT_EXPECT_EQ(test, bi.tuple_size, c->tuple);
	KUNIT_EXPECT_EQ(test, bi.tag_size, c->tag);
	KUNIT_EXPECT_EQ(test, bi.pi_offset, c->offset);
	KUNIT_EXPECT_EQ(test, bi.flags, c->flags);
	KUNIT_EXPECT_EQ(test, bi.csum_type, c->csum);
	/* The block layer picks the interval from the block size. */
	KUNIT_EXPECT_EQ(test, bi.interval_exp, 0);
}

struct limits_case {
	const char *desc;
	u8 lba_shift;
	u8 nsfeat;
	u16 npwg, nows, npdg, nawupf;
	u8 nabo;
	u16 awupf;		/* controller, 0's based */
	u8 vwc;
	u16 oncs;
	u32 dmrsl;
	u32 max_zeroes;
	/* expected */
	u32 phys, io_min, io_opt, discard_gran, atomic_max;
	u32 max_discard, zeroes;
	bool cache;
};

#define NSFEAT_IO_OPT	NVME_NS_FEAT_IO_OPT
#define NSFEAT_ATOMICS	NVME_NS_FEAT_ATOMICS
#define ONCS_DSM	NVME_CTRL_ONCS_DSM
#define ONCS_WZ		NVME_CTRL_ONCS_WRITE_ZEROES

static const struct limits_case limits_cases[] = {
	{ "512, no hints", 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	  512, 512, 0, 0, 512, 0, 0, false },
	/* QEMU 512/4096: NPDG 7 but NPWG = NOWS = 0. */
	{ "QEMU 512 logical / 4096 physical", 9, NSFEAT_IO_OPT, 0, 0, 7, 0,
	  0, 0, 1, ONCS_DSM | ONCS_WZ, 0, 1024,
	  512, 512, 0, 4096, 512, UINT_MAX, 1024, true },
	/* NPWG 4 KiB, but a 512-byte atomic unit: physical stays 512. */
	{ "NPWG 4K capped by AWUPF 0", 9, NSFEAT_IO_OPT, 7, 0, 0, 0, 0, 0, 0,
	  0, 0, 0, 512, 4096, 0, 0, 512, 0, 0, false },
	{ "NPWG 4K, AWUPF 8 blocks", 9, NSFEAT_IO_OPT, 7, 0, 0, 0, 0, 7, 0,
	  0, 0, 0, 4096, 4096, 0, 0, 4096, 0, 0, false },
	{ "NAWUPF beats AWUPF", 9, NSFEAT_IO_OPT | NSFEAT_ATOMICS, 7, 0, 0, 3,
	  0, 63, 0, 0, 0, 0, 2048, 4096, 0, 0, 2048, 0, 0, false },
	/* An atomic boundary offset is not supported: one block is atomic. */
	{ "NABO set: one block atomic", 9, NSFEAT_IO_OPT | NSFEAT_ATOMICS, 7, 0,
	  0, 7, 1, 7, 0, 0, 0, 0, 512, 4096, 0, 0, 0, 0, 0, false },
	{ "NOWS 64 KiB", 12, NSFEAT_IO_OPT, 0, 15, 0, 0, 0, 0, 0, 0, 0, 0,
	  4096, 4096, 65536, 0, 4096, 0, 0, false },
	{ "DMRSL 256 blocks of 4K", 12, 0, 0, 0, 0, 0, 0, 0, 0, ONCS_DSM, 256,
	  0, 4096, 4096, 0, 4096, 4096, 2048, 0, false },
	{ "DMRSL too big for sectors", 12, 0, 0, 0, 0, 0, 0, 0, 0, ONCS_DSM,
	  UINT_MAX, 0, 4096, 4096, 0, 4096, 4096, UINT_MAX, 0, false },
	{ "write zeroes from MDTS 8K", 9, 0, 0, 0, 0, 0, 0, 0, 0, ONCS_WZ, 0,
	  16, 512, 512, 0, 0, 512, 0, 16, false },
	{ "VWC present", 9, 0, 0, 0, 0, 0, 0, 0, NVME_CTRL_VWC_PRESENT, 0, 0,
	  0, 512, 512, 0, 0, 512, 0, 0, true },
};

KUNIT_ARRAY_PARAM_DESC(limits, limits_cases, desc);

static void my_nvme_test_ns_limits(struct kunit *test)
{
	const struct limits_case *c = test->param_value;
	struct my_nvme_ns_info info = { };
	struct my_nvme_ctrl *ctrl;
	struct queue_limits lim = { };
	struct nvme_id_ns *id;

	ctrl = kunit_kzalloc(test, sizeof(*ctrl), GFP_KERNEL);
	id = kunit_kzalloc(test, sizeof(*id), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctrl);
	KUNIT_ASSERT_NOT_NULL(test, id);
	ctrl->max_hw_sectors = 1024;
	ctrl->max_discard_segments = NVME_DSM_MAX_RANGES;
	ctrl->awupf = c->awupf;
	ctrl->vwc = c->vwc;
	ctrl->oncs = c->oncs;
	ctrl->dmrsl = c->dmrsl;
	ctrl->max_zeroes_sectors = c->max_zeroes;
	id->nsfeat = c->nsfeat;
	id->npwg = cpu_to_le16(c->npwg);
	id->nows = cpu_to_le16(c->nows);
	id->npdg = cpu_to_le16(c->npdg);
	id->nawupf = cpu_to_le16(c->nawupf);
	id->nabo = cpu_to_le16(c->nabo);
	info.lba_shift = c->lba_shift;

	my_nvme_ns_limits(ctrl, id, &info, &lim);
	KUNIT_EXPECT_EQ(test, lim.logical_block_size, 1U << c->lba_shift);
	KUNIT_EXPECT_EQ(test, lim.physical_block_size, c->phys);
	KUNIT_EXPECT_EQ(test, lim.io_min, c->io_min);
	KUNIT_EXPECT_EQ(test, lim.io_opt, c->io_opt);
	KUNIT_EXPECT_EQ(test, lim.atomic_write_hw_max, c->atomic_max);
	KUNIT_EXPECT_EQ(test, lim.max_hw_discard_sectors, c->max_discard);
	if (c->max_discard)
		KUNIT_EXPECT_EQ(test, lim.discard_granularity,
				c->discard_gran);
	KUNIT_EXPECT_EQ(test, lim.max_write_zeroes_sectors, c->zeroes);
	KUNIT_EXPECT_EQ(test, !!(lim.features & BLK_FEAT_WRITE_CACHE),
			c->cache);
	KUNIT_EXPECT_EQ(test, !!(lim.features & BLK_FEAT_FUA), c->cache);
	KUNIT_EXPECT_EQ(test, lim.max_hw_sectors, 1024U);
	/* 512 KiB in 4 KiB pages, plus one for an unaligned start. */
	KUNIT_EXPECT_EQ(test, lim.max_segments, 129);
	/* The physical block never exceeds what NPWG asked for. */
	KUNIT_EXPECT_LE(test, lim.physical_block_size, lim.io_min);
	/* No metadata: no integrity profile; one segment, the controller's. */
	KUNIT_EXPECT_EQ(test, lim.integrity.tuple_size, 0);
	KUNIT_EXPECT_EQ(test, lim.max_integrity_segments, 1);
}

/* A PI format: its profile, one metadata segment per request. */
static void my_nvme_test_ns_limits_pi(struct kunit *test)
{
	struct my_nvme_ctrl *ctrl = kunit_kzalloc(test, sizeof(*ctrl),
						  GFP_KERNEL);
	struct nvme_id_ns *id = kunit_kzalloc(test, sizeof(*id), GFP_KERNEL);
	struct my_nvme_ns_info info = {
		.lba_shift = 12, .ms = 8, .pi_type = 1, .pi_size = 8,
	};
	struct queue_limits lim = { };

	KUNIT_ASSERT_NOT_NULL(test, ctrl);
	KUNIT_ASSERT_NOT_NULL(test, id);
	ctrl->max_hw_sectors = 1024;
	my_nvme_ns_limits(ctrl, id, &info, &lim);
	if (!IS_ENABLED(CONFIG_BLK_DEV_INTEGRITY)) {
		KUNIT_EXPECT_EQ(test, lim.integrity.tuple_size, 0);
		return;
	}
	KUNIT_EXPECT_EQ(test, lim.integrity.tuple_size, 8);
	KUNIT_EXPECT_EQ(test, lim.integrity.csum_type, BLK_INTEGRITY_CSUM_CRC);
	KUNIT_EXPECT_EQ(test, lim.max_integrity_segments, 1);
	/* Reformatted without metadata: the profile goes. */
	info.ms = 0;
	info.pi_type = 0;
	my_nvme_ns_limits(ctrl, id, &info, &lim);
	KUNIT_EXPECT_EQ(test, lim.integrity.tuple_size, 0);
	KUNIT_EXPECT_EQ(test, lim.integrity.csum_type, BLK_INTEGRITY_CSUM_NONE);
}

/* VWC decides, not what the cache was set to: it can change at run time. */
static void my_nvme_test_ns_limits_cache_toggle(struct kunit *test)
{
	struct my_nvme_ctrl *ctrl = kunit_kzalloc(test, sizeof(*ctrl),
						  GFP_KERNEL);
	struct nvme_id_ns *id = kunit_kzalloc(test, sizeof(*id), GFP_KERNEL);
	struct my_nvme_ns_info info = { .lba_shift = 9 };
	struct queue_limits lim = { };

	KUNIT_ASSERT_NOT_NULL(test, ctrl);
	KUNIT_ASSERT_NOT_NULL(test, id);
	lim.features = BLK_FEAT_WRITE_CACHE | BLK_FEAT_FUA | BLK_FEAT_ROTATIONAL;
	my_nvme_ns_limits(ctrl, id, &info, &lim);
	KUNIT_EXPECT_FALSE(test, lim.features & BLK_FEAT_WRITE_CACHE);
	KUNIT_EXPECT_FALSE(test, lim.features & BLK_FEAT_FUA);
	KUNIT_EXPECT_TRUE(test, lim.features & BLK_FEAT_ROTATIONAL);
	ctrl->vwc = NVME_CTRL_VWC_PRESENT;
	my_nvme_ns_limits(ctrl, id, &info, &lim);
	KUNIT_EXPECT_TRUE(test, lim.features & BLK_FEAT_WRITE_CACHE);
	KUNIT_EXPECT_TRUE(test, lim.features & BLK_FEAT_FUA);
	KUNIT_EXPECT_TRUE(test, lim.features & BLK_FEAT_ROTATIONAL);
}

/* ---------------------------------------------------------------------- */
/* Formats, quirks and the controller's parity details                    */
/* ---------------------------------------------------------------------- */

struct pi_case {
	const char *desc;
	u8 opcode;
	u8 pi_type, guard;
	bool pract;
	u64 ref;
	/* expected */
	u16 control;
	u32 reftag, cdw3;
};

#define PRACT		NVME_RW_PRINFO_PRACT
#define CHK_GUARD	NVME_RW_PRINFO_PRCHK_GUARD
#define CHK_REF		NVME_RW_PRINFO_PRCHK_REF

static const struct pi_case pi_cases[] = {
	{ "type 1 read, the block layer's PI", nvme_cmd_read, 1,
	  NVME_NVM_NS_16B_GUARD, false, 0x12345678, CHK_GUARD | CHK_REF,
	  0x12345678, 0 },
	{ "type 2 write, PRACT", nvme_cmd_write, 2, NVME_NVM_NS_16B_GUARD, true,
	  7, PRACT | CHK_GUARD | CHK_REF, 7, 0 },
	{ "type 3: the guard only, no reference tag", nvme_cmd_read, 3,
	  NVME_NVM_NS_16B_GUARD, false, 0x1234, CHK_GUARD, 0, 0 },
	{ "type 3, PRACT", nvme_cmd_write, 3, NVME_NVM_NS_16B_GUARD, true, 99,
	  PRACT | CHK_GUARD, 0, 0 },
	{ "type 1, 64-bit guard: 48-bit tag in CDW14 and CDW3", nvme_cmd_read,
	  1, NVME_NVM_NS_64B_GUARD, false, 0xabcd12345678ULL,
	  CHK_GUARD | CHK_REF, 0x12345678, 0xabcd },
	{ "16-bit guard: a 32-bit tag, CDW3 clear", nvme_cmd_read, 1,
	  NVME_NVM_NS_16B_GUARD, false, 0xabcd12345678ULL,
	  CHK_GUARD | CHK_REF, 0x12345678, 0 },
	{ "zone append, type 1: PIREMAP", nvme_cmd_zone_append, 1,
	  NVME_NVM_NS_16B_GUARD, false, 64,
	  CHK_GUARD | CHK_REF | NVME_RW_APPEND_PIREMAP, 64, 0 },
	{ "write zeroes: PRACT, no checks", nvme_cmd_write_zeroes, 1,
	  NVME_NVM_NS_16B_GUARD, true, 8, PRACT, 8, 0 },
	{ "write zeroes, type 3", nvme_cmd_write_zeroes, 3,
	  NVME_NVM_NS_16B_GUARD, true, 8, PRACT, 0, 0 },
	{ "no PI: no PRACT, no checks", nvme_cmd_write, 0,
	  NVME_NVM_NS_16B_GUARD, true, 8, 0, 0, 0 },
};

KUNIT_ARRAY_PARAM_DESC(pi, pi_cases, desc);

static void my_nvme_test_cmd_pi(struct kunit *test)
{
	const struct pi_case *c = test->param_value;
	struct nvme_command cmd = { };

	cmd.rw.opcode = c->opcode;
	cmd.rw.control = cpu_to_le16(NVME_RW_FUA);
	my_nvme_cmd_pi(&cmd, c->pi_type, c->guard, c->pract, c->ref);
	/* FUA (or any earlier bit) stays. */
	KUNIT_EXPECT_EQ(test, le16_to_cpu(cmd.rw.control),
			c->control | NVME_RW_FUA);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(cmd.rw.reftag), c->reftag);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(cmd.rw.cdw3), c->cdw3);
	KUNIT_EXPECT_EQ(test, cmd.rw.opcode, c->opcode);
}

struct atomic_case {
	const char *desc;
	u64 pos;
	u32 bytes, unit_max, boundary;
	bool ok;
};

static const struct atomic_case atomic_cases[] = {
	{ "one block, unit one block", 4096, 4096, 4096, 0, true },
	{ "two blocks, unit one block", 0, 8192, 4096, 0, false },
	{ "16K within 16K unit, no boundary", 4096, 16384, 16384, 0, true },
	{ "within a 64K boundary", 65536 + 16384, 16384, 16384, 65536, true },
	{ "ends on the boundary", 65536 - 16384, 16384, 16384, 65536, true },
	{ "crosses the boundary", 65536 - 4096, 8192, 16384, 65536, false },
	{ "larger than the boundary", 0, 65536 * 2, 65536 * 2, 65536, false },
	{ "high offset, same boundary window", (1ULL << 40) + 4096, 4096,
	  4096, 8192, true },
	{ "high offset, crossing", (1ULL << 40) + 4096, 8192, 8192, 8192,
	  false },
};

KUNIT_ARRAY_PARAM_DESC(atomic, atomic_cases, desc);

static void my_nvme_test_atomic_write(struct kunit *test)
{
	const struct atomic_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, my_nvme_atomic_write_ok(c->pos, c->bytes,
						      c->unit_max,
						      c->boundary), c->ok);
}

struct quirks_case {
	const char *desc;
	const char *param;
	u16 vendor, device;
	int ret;
	unsigned long quirks;	/* expected, from 0x80 (the table's) */
};

#define TABLE	0x80UL
#define Q_NID	MY_NVME_QUIRK_BOGUS_NID
#define Q_CNS	MY_NVME_QUIRK_IDENTIFY_CNS
#define Q_WZ	MY_NVME_QUIRK_NO_WRITE_ZEROES

static const struct quirks_case quirks_cases[] = {
	{ "no parameter", NULL, 0x1b36, 0x0010, 0, TABLE },
	{ "empty parameter", "", 0x1b36, 0x0010, 0, TABLE },
	{ "one quirk", "1b36:0010:bogus_nid", 0x1b36, 0x0010, 1, Q_NID },
	{ "none: the table's quirks undone", "8086:5845:none", 0x8086, 0x5845,
	  1, 0 },
	{ "three quirks", "8086:5845:identify_cns+disable_write_zeroes+bogus_nid",
	  0x8086, 0x5845, 1, Q_NID | Q_CNS | Q_WZ },
	{ "another device: the table's", "8086:5845:none", 0x1b36, 0x0010, 0,
	  TABLE },
	{ "second entry", "8086:5845:none,1b36:0010:disable_write_zeroes",
	  0x1b36, 0x0010, 1, Q_WZ },
	{ "the last entry wins", "1b36:0010:none,1b36:0010:bogus_nid", 0x1b36,
	  0x0010, 1, Q_NID },
	{ "hex digits A-F", "ABCD:EF01:bogus_nid", 0xabcd, 0xef01, 1, Q_NID },
	{ "unknown name", "1b36:0010:fast", 0x1b36, 0x0010, -EINVAL, TABLE },
	{ "a bad entry elsewhere", "1b36:0010:none,8086:5845", 0x1b36, 0x0010,
	  -EINVAL, TABLE },
	{ "no quirks field", "1b36:0010", 0x1b36, 0x0010, -EINVAL, TABLE },
	{ "empty quirks field", "1b36:0010:", 0x1b36, 0x0010, -EINVAL, TABLE },
	{ "trailing +", "1b36:0010:bogus_nid+", 0x1b36, 0x0010, -EINVAL,
	  TABLE },
	{ "trailing comma", "1b36:0010:none,", 0x1b36, 0x0010, -EINVAL,
	  TABLE },
	{ "not hex", "1b3g:0010:none", 0x1b36, 0x0010, -EINVAL, TABLE },
	{ "short ID", "1b36:010:none", 0x1b36, 0x0010, -EINVAL, TABLE },
	{ "a name's prefix", "1b36:0010:bogus", 0x1b36, 0x0010, -EINVAL,
	  TABLE },
};

KUNIT_ARRAY_PARAM_DESC(quirks, quirks_cases, desc);

static void my_nvme_test_quirks(struct kunit *test)
{
	const struct quirks_case *c = test->param_value;
	unsigned long quirks = TABLE;
	char buf[80];

	KUNIT_EXPECT_EQ(test, my_nvme_parse_quirks(c->param, c->vendor,
						   c->device, &quirks), c->ret);
	KUNIT_EXPECT_EQ(test, quirks, c->quirks);
	if (c->ret != 1)
		return;
	/* What sysfs prints reads back as the same quirks. */
	my_nvme_quirks_str(buf, sizeof(buf), quirks);
	{
		char param[96];
		unsigned long again = TABLE;

		snprintf(param, sizeof(param), "%04x:%04x:%s", c->vendor,
			 c->device, buf);
		KUNIT_EXPECT_EQ_MSG(test, my_nvme_parse_quirks(param, c->vendor,
							       c->device,
							       &again), 1,
				    "%s", param);
		KUNIT_EXPECT_EQ(test, again, quirks);
	}
}

static void my_nvme_test_quirks_str(struct kunit *test)
{
	char buf[80];

	KUNIT_EXPECT_EQ(test, my_nvme_quirks_str(buf, sizeof(buf), 0), 4);
	KUNIT_EXPECT_STREQ(test, buf, "none");
	my_nvme_quirks_str(buf, sizeof(buf), Q_NID | Q_WZ);
	KUNIT_EXPECT_STREQ(test, buf, "bogus_nid+disable_write_zeroes");
	/* Bits the driver has no name for are not printed. */
	my_nvme_quirks_str(buf, sizeof(buf), Q_CNS | BIT(20));
	KUNIT_EXPECT_STREQ(test, buf, "identify_cns");
}

struct crto_case {
	const char *desc;
	u64 cap;
	u32 crto;
	u32 ms;
	bool bad;
};

#define CAP_TO(n)	((u64)(n) << 24)
#define CRWMS		NVME_CAP_CRMS_CRWMS
#define CRIMS		NVME_CAP_CRMS_CRIMS

static const struct crto_case crto_cases[] = {
	{ "CAP.TO 15 (QEMU), no CRMS", CAP_TO(15), 0, 7500, false },
	{ "CAP.TO 0: at least 500 ms", CAP_TO(0), 0, 500, false },
	{ "CAP.TO 255", CAP_TO(255), 0, 127500, false },
	{ "CRTO ignored without CRWMS", CAP_TO(15), 100, 7500, false },
	{ "CRTO ignored with CRIMS only", CAP_TO(15) | CRIMS, 100, 7500,
	  false },
	{ "CRWMT 100: 50 s", CAP_TO(15) | CRWMS, 100, 50000, false },
	{ "CRWMT from the low half", CAP_TO(2) | CRWMS, 0x00030004, 2000,
	  false },
	{ "CRWMT 65535: 32767.5 s", CAP_TO(255) | CRWMS, 0xffff, 32767500,
	  false },
	{ "CRWMT below CAP.TO: CAP.TO, flagged", CAP_TO(20) | CRWMS, 10, 10000,
	  true },
	{ "CRWMT equal to CAP.TO", CAP_TO(20) | CRWMS, 20, 10000, false },
	{ "CRWMT 0, CAP.TO 0", CRWMS, 0, 500, false },
};

KUNIT_ARRAY_PARAM_DESC(crto, crto_cases, desc);

static void my_nvme_test_ready_timeout(struct kunit *test)
{
	const struct crto_case *c = test->param_value;
	bool bad = !c->bad;

	KUNIT_EXPECT_EQ(test, my_nvme_ready_timeout_ms(c->cap, c->crto, &bad),
			c->ms);
	KUNIT_EXPECT_EQ(test, bad, c->bad);
}

/* CNS 02h from NVMe 1.1; before 1.2 only where the quirk says so. */
static void my_nvme_test_limited_cns(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, my_nvme_limited_cns(NVME_VS(1, 0, 0), 0));
	KUNIT_EXPECT_FALSE(test, my_nvme_limited_cns(NVME_VS(1, 1, 0), 0));
	KUNIT_EXPECT_FALSE(test, my_nvme_limited_cns(NVME_VS(1, 4, 0), 0));
	KUNIT_EXPECT_TRUE(test, my_nvme_limited_cns(NVME_VS(1, 1, 0), Q_CNS));
	KUNIT_EXPECT_FALSE(test, my_nvme_limited_cns(NVME_VS(1, 2, 0), Q_CNS));
	/* QEMU 7.2 (NVMe 1.4) with Intel's ID: its list is used. */
	KUNIT_EXPECT_FALSE(test, my_nvme_limited_cns(NVME_VS(1, 4, 0),
						     Q_CNS | Q_NID | Q_WZ));
	KUNIT_EXPECT_FALSE(test, my_nvme_limited_cns(NVME_VS(2, 0, 0), Q_CNS));
}

struct zone_info_case {
	const char *desc;
	u8 lba_shift;
	u64 zsze;
	u16 zoc;
	u32 mor, mar;
	/* expected */
	bool zoned;
	u32 sectors, max_open, max_active;
};

static const struct zone_info_case zone_info_cases[] = {
	{ "QEMU: 16 MiB of 512, 4 open, 6 active", 9, 32768, 0, 3, 5, true,
	  32768, 4, 6 },
	{ "4 KiB blocks, 4096 of them", 12, 4096, 0, 0, 0, true, 32768, 1,
	  1 },
	{ "no limits (FFFFFFFFh): 0", 9, 65536, 0, 0xffffffff, 0xffffffff,
	  true, 65536, 0, 0 },
	{ "zone size not a power of two", 9, 24576, 0, 3, 5, false },
	{ "zone size 0", 9, 0, 0, 3, 5, false },
	{ "ZOC: variable zone capacity", 9, 32768, 1, 3, 5, false },
	{ "ZOC: zone active excursions", 9, 32768, 2, 3, 5, false },
	{ "2^32 sectors: too large for chunk_sectors", 9, 1ULL << 32, 0, 3, 5,
	  false },
	{ "2^31 sectors of 512", 9, 1ULL << 31, 0, 3, 5, true, 1U << 31, 4,
	  6 },
	{ "2^29 blocks of 4096: too large", 12, 1ULL << 29, 0, 3, 5, false },
};

KUNIT_ARRAY_PARAM_DESC(zone_info, zone_info_cases, desc);

static void my_nvme_test_zone_info(struct kunit *test)
{
	const struct zone_info_case *c = test->param_value;
	struct my_nvme_ns_info info = { .lba_shift = c->lba_shift, .lbaf = 3 };
	struct nvme_id_ns_zns *id;

	id = kunit_kzalloc(test, sizeof(*id), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, id);
	id->zoc = cpu_to_le16(c->zoc);
	id->mor = cpu_to_le32(c->mor);
	id->mar = cpu_to_le32(c->mar);
	/* The format in use is 3: the others' sizes must not count. */
	id->lbafe[0].zsze = cpu_to_le64(4096);
	id->lbafe[3].zsze = cpu_to_le64(c->zsze);
	my_nvme_zone_info(id, &info);
	KUNIT_EXPECT_EQ_MSG(test, info.zoned, c->zoned, "%s",
			    info.unsupported ?: "-");
	KUNIT_EXPECT_EQ(test, !info.unsupported, c->zoned);
	if (!c->zoned)
		return;
	KUNIT_EXPECT_EQ(test, info.zone_sectors, c->sectors);
	KUNIT_EXPECT_EQ(test, info.max_open, c->max_open);
	KUNIT_EXPECT_EQ(test, info.max_active, c->max_active);
}

struct zone_desc_case {
	const char *desc;
	u8 zt, zs;
	u64 zcap, zslba, wp;
	u8 lba_shift;
	u32 zone_sectors;
	/* expected */
	int ret;
	u8 cond;
	u64 start, len, cap, wptr;
};

static const struct zone_desc_case zone_desc_cases[] = {
	{ "empty, 512-byte blocks", 2, 0x10, 24576, 32768, 32768, 9, 32768, 0,
	  BLK_ZONE_COND_EMPTY, 32768, 32768, 24576, 32768 },
	{ "implicitly open, written 2048", 2, 0x20, 24576, 65536, 67584, 9,
	  32768, 0, BLK_ZONE_COND_IMP_OPEN, 65536, 32768, 24576, 67584 },
	{ "4 KiB blocks: LBAs to sectors", 2, 0x30, 3072, 4096, 4100, 12, 32768,
	  0, BLK_ZONE_COND_EXP_OPEN, 32768, 32768, 24576, 32800 },
	{ "full: the write pointer is the end", 2, 0xe0, 24576, 32768, ~0ULL, 9,
	  32768, 0, BLK_ZONE_COND_FULL, 32768, 32768, 24576, 65536 },
	{ "closed", 2, 0x40, 24576, 0, 100, 9, 32768, 0, BLK_ZONE_COND_CLOSED,
	  0, 32768, 24576, 100 },
	{ "upper bits of ZT ignored", 0x12, 0x10, 24576, 0, 0, 9, 32768, 0,
	  BLK_ZONE_COND_EMPTY, 0, 32768, 24576, 0 },
	{ "zone type 1: not in ZNS", 1, 0x10, 0, 0, 0, 9, 32768, -EINVAL },
	{ "zone type 0", 0, 0x10, 0, 0, 0, 9, 32768, -EINVAL },
};

KUNIT_ARRAY_PARAM_DESC(zone_desc, zone_desc_cases, desc);

static void my_nvme_test_zone_from_desc(struct kunit *test)
{
	const struct zone_desc_case *c = test->param_value;
	struct nvme_zone_descriptor d = {
		.zt = c->zt,
		.zs = c->zs,
		.zcap = cpu_to_le64(c->zcap),
		.zslba = cpu_to_le64(c->zslba),
		.wp = cpu_to_le64(c->wp),
	};
	struct blk_zone zone;

	KUNIT_ASSERT_EQ(test, my_nvme_zone_from_desc(&d, c->lba_shift,
						     c->zone_sectors, &zone),
			c->ret);
	if (c->ret)
		return;
	KUNIT_EXPECT_EQ(test, zone.type, BLK_ZONE_TYPE_SEQWRITE_REQ);
	KUNIT_EXPECT_EQ(test, zone.cond, c->cond);
	KUNIT_EXPECT_EQ(test, zone.start, c->start);
	KUNIT_EXPECT_EQ(test, zone.len, c->len);
	KUNIT_EXPECT_EQ(test, zone.capacity, c->cap);
	KUNIT_EXPECT_EQ(test, zone.wp, c->wptr);
}

/* Zone Management Send and Receive, field by field. */
static void my_nvme_test_zone_cmds(struct kunit *test)
{
	struct nvme_command cmd;

	memset(&cmd, 0xff, sizeof(cmd));
	my_nvme_cmd_zone_mgmt_send(&cmd, 3, 12, 65536, NVME_ZONE_FINISH,
				   false);
	KUNIT_EXPECT_EQ(test, cmd.zms.opcode, nvme_cmd_zone_mgmt_send);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(cmd.zms.nsid), 3);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(cmd.zms.slba), 8192);
	KUNIT_EXPECT_EQ(test, cmd.zms.zsa, NVME_ZONE_FINISH);
	KUNIT_EXPECT_EQ(test, cmd.zms.select_all, 0);
	KUNIT_EXPECT_EQ(test, cmd.zms.flags, 0);
	my_nvme_cmd_zone_mgmt_send(&cmd, 1, 9, 0, NVME_ZONE_RESET, true);
	KUNIT_EXPECT_EQ(test, cmd.zms.zsa, NVME_ZONE_RESET);
	KUNIT_EXPECT_EQ(test, cmd.zms.select_all, 1);

	memset(&cmd, 0xff, sizeof(cmd));
	my_nvme_cmd_zone_mgmt_recv(&cmd, 1, 9, 32768 * 5, 4096);
	KUNIT_EXPECT_EQ(test, cmd.zmr.opcode, nvme_cmd_zone_mgmt_recv);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(cmd.zmr.slba), 32768 * 5);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(cmd.zmr.numd), 1023);
	KUNIT_EXPECT_EQ(test, cmd.zmr.zra, NVME_ZRA_ZONE_REPORT);
	KUNIT_EXPECT_EQ(test, cmd.zmr.zrasf, NVME_ZRASF_ZONE_REPORT_ALL);
	KUNIT_EXPECT_EQ(test, cmd.zmr.pr, NVME_REPORT_ZONE_PARTIAL);
}

static struct kunit_case my_nvme_formats_cases[] = {
	KUNIT_CASE_PARAM(my_nvme_test_cmd_pi, pi_gen_params),
	KUNIT_CASE_PARAM(my_nvme_test_atomic_write, atomic_gen_params),
	KUNIT_CASE_PARAM(my_nvme_test_quirks, quirks_gen_params),
	KUNIT_CASE(my_nvme_test_quirks_str),
	KUNIT_CASE_PARAM(my_nvme_test_ready_timeout, crto_gen_params),
	KUNIT_CASE(my_nvme_test_limited_cns),
	KUNIT_CASE_PARAM(my_nvme_test_zone_info, zone_info_gen_params),
	KUNIT_CASE_PARAM(my_nvme_test_zone_from_desc, zone_desc_gen_params),
	KUNIT_CASE(my_nvme_test_zone_cmds),
	{}
};

static struct kunit_suite my_nvme_formats_suite = {
	.name = "my_nvme_formats",
	.test_cases = my_nvme_formats_cases,
};

/* ---------------------------------------------------------------------- */

static struct kunit_case my_nvme_recovery_cases[] = {
	KUNIT_CASE_PARAM(my_nvme_test_state_allowed, state_gen_params),
	KUNIT_CASE(my_nvme_test_state_races),
	KUNIT_CASE_PARAM(my_nvme_test_decide, decide_gen_params),
	KUNIT_CASE(my_nvme_test_path_error),
	KUNIT_CASE_PARAM(my_nvme_test_retry_delay, delay_gen_params),
	KUNIT_CASE_PARAM(my_nvme_test_cid, cid_gen_params),
	KUNIT_CASE(my_nvme_test_cid_depth),
	KUNIT_CASE_PARAM(my_nvme_test_should_reset, reset_gen_params),
	KUNIT_CASE_PARAM(my_nvme_test_timeout_action, timeout_gen_params),
	KUNIT_CASE(my_nvme_test_timeout_all),
	KUNIT_CASE(my_nvme_test_timeout_fallback),
	KUNIT_CASE(my_nvme_test_aen_config),
	KUNIT_CASE_PARAM(my_nvme_test_scan_entry, scan_gen_params),
	KUNIT_CASE(my_nvme_test_scan_walk),
	KUNIT_CASE(my_nvme_test_cap_nssrs),
	KUNIT_CASE_PARAM(my_nvme_test_cmd_abort, abort_gen_params),
	KUNIT_CASE_PARAM(my_nvme_test_cmd_get_log, log_gen_params),
	KUNIT_CASE_PARAM(my_nvme_test_dbbuf_need_event, event_gen_params),
	KUNIT_CASE(my_nvme_test_dbbuf_need_event_all),
	{}
};

static struct kunit_suite my_nvme_recovery_suite = {
	.name = "my_nvme_recovery",
	.test_cases = my_nvme_recovery_cases,
};

static struct kunit_case my_nvme_limits_cases[] = {
	KUNIT_CASE_PARAM(my_nvme_test_max_qid, max_qid_gen_params),
	KUNIT_CASE_PARAM(my_nvme_test_mdts, mdts_gen_params),
	KUNIT_CASE_PARAM(my_nvme_test_effects, effects_gen_params),
	KUNIT_CASE_PARAM(my_nvme_test_dptr_type, dptr_gen_params),
	KUNIT_CASE_PARAM(my_nvme_test_ns_info, ns_info_gen_params),
	KUNIT_CASE_PARAM(my_nvme_test_ns_limits, limits_gen_params),
	KUNIT_CASE(my_nvme_test_ns_limits_cache_toggle),
	KUNIT_CASE_PARAM(my_nvme_test_integrity_limits, integrity_gen_params),
	KUNIT_CASE(my_nvme_test_ns_limits_pi),
	{}
};

static struct kunit_suite my_nvme_limits_suite = {
	.name = "my_nvme_limits",
	.test_cases = my_nvme_limits_cases,
};

kunit_test_suites(&my_nvme_recovery_suite, &my_nvme_limits_suite,
		  &my_nvme_formats_suite);

MODULE_DESCRIPTION("KUnit tests for my_nvme's recovery and revalidation");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
