// SPDX-License-Identifier: GPL-2.0
/*
 * my_nvme admin.c: admin command encoders and the admin commands the
 * driver sends: Identify, Set Features, queue creation and deletion, log
 * pages, asynchronous events and the namespace scan.
 */

#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "my_nvme.h"

void my_nvme_cmd_identify(struct nvme_command *cmd, u8 cns, u32 nsid)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->identify.opcode = nvme_admin_identify;
	cmd->identify.nsid = cpu_to_le32(nsid);
	cmd->identify.cns = cns;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_cmd_identify);

void my_nvme_cmd_set_features(struct nvme_command *cmd, u8 fid, u32 dword11)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->features.opcode = nvme_admin_set_features;
	cmd->features.fid = cpu_to_le32(fid);
	cmd->features.dword11 = cpu_to_le32(dword11);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_cmd_set_features);

void my_nvme_cmd_get_features(struct nvme_command *cmd, u8 fid)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->features.opcode = nvme_admin_get_features;
	cmd->features.fid = cpu_to_le32(fid);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_cmd_get_features);

void my_nvme_cmd_create_cq(struct nvme_command *cmd, u16 qid,
			   dma_addr_t dma, u32 depth, s16 vector)
{
	u16 flags = NVME_QUEUE_PHYS_CONTIG;

	memset(cmd, 0, sizeof(*cmd));
	if (vector >= 0)
		flags |= NVME_CQ_IRQ_ENABLED;
	cmd->create_cq.opcode = nvme_admin_create_cq;
	cmd->create_cq.prp1 = cpu_to_le64(dma);
	cmd->create_cq.cqid = cpu_to_le16(qid);
	cmd->create_cq.qsize = cpu_to_le16(depth - 1);
	cmd->create_cq.cq_flags = cpu_to_le16(flags);
	cmd->create_cq.irq_vector = cpu_to_le16(vector >= 0 ? vector : 0);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_cmd_create_cq);

void my_nvme_cmd_create_sq(struct nvme_command *cmd, u16 qid,
			   dma_addr_t dma, u32 depth, u16 cqid)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->create_sq.opcode = nvme_admin_create_sq;
	cmd->create_sq.prp1 = cpu_to_le64(dma);
	cmd->create_sq.sqid = cpu_to_le16(qid);
	cmd->create_sq.qsize = cpu_to_le16(depth - 1);
	cmd->create_sq.sq_flags = cpu_to_le16(NVME_QUEUE_PHYS_CONTIG |
					      NVME_SQ_PRIO_MEDIUM);
	cmd->create_sq.cqid = cpu_to_le16(cqid);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_cmd_create_sq);

void my_nvme_cmd_delete_queue(struct nvme_command *cmd, u8 opcode, u16 qid)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->delete_queue.opcode = opcode;
	cmd->delete_queue.qid = cpu_to_le16(qid);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_cmd_delete_queue);

/* Abort (NVMe 2.0, 5.1): the command id as the controller saw it. */
void my_nvme_cmd_abort(struct nvme_command *cmd, u16 sqid, u16 cid)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->abort.opcode = nvme_admin_abort_cmd;
	cmd->abort.sqid = cpu_to_le16(sqid);
	cmd->abort.cid = cid;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_cmd_abort);

/* Get Log Page: NUMD is a 0's based dword count split in two halves. */
void my_nvme_cmd_get_log(struct nvme_command *cmd, u8 lid, u32 nsid,
			 u32 bytes)
{
	u32 numd = bytes / sizeof(u32) - 1;

	memset(cmd, 0, sizeof(*cmd));
	cmd->get_log_page.opcode = nvme_admin_get_log_page;
	cmd->get_log_page.nsid = cpu_to_le32(nsid);
	cmd->get_log_page.lid = lid;
	cmd->get_log_page.numdl = cpu_to_le16(numd & 0xffff);
	cmd->get_log_page.numdu = cpu_to_le16(numd >> 16);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_cmd_get_log);

/* Number of Queues (FID 07h): both counts are 0's based. */
u32 my_nvme_num_queues_dword(unsigned int nr_io_queues)
{
	u32 n = nr_io_queues - 1;

	return n | (n << 16);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_num_queues_dword);

unsigned int my_nvme_num_queues_granted(u32 result)
{
	return min(result & 0xffff, result >> 16) + 1;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_num_queues_granted);

/*
 * MDTS is a power of two in units of CAP.MPSMIN, 0 meaning no limit.
 * Returns the limit in 512-byte sectors, at most @max_kb KiB; a shift
 * that overflows is "no limit" as well, never undefined behaviour.
 */
u32 my_nvme_mdts_sectors(u8 mdts, u32 page_size_min, u32 max_kb)
{
	u64 max_sectors = (u64)max_kb << 1;
	u64 sectors;

	if (!mdts || !page_size_min ||
	    check_shl_overflow((u64)page_size_min >> SECTOR_SHIFT, mdts,
			       &sectors))
		return max_sectors;
	return min(sectors, max_sectors);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_mdts_sectors);

/*
 * Effects of a passthrough command: from the Commands Supported and
 * Effects log. An I/O command never freezes the I/O queues (it runs on
 * one of them); an admin command whose log entry relaxes execution
 * restrictions does not either.
 */
u32 my_nvme_cmd_effects(const struct nvme_effects_log *log, bool admin,
			u8 opcode)
{
	u32 effects;

	if (!log)
		return 0;
	if (!admin)
		return le32_to_cpu(log->iocs[opcode]) &
			~NVME_CMD_EFFECTS_CSE_MASK;
	effects = le32_to_cpu(log->acs[opcode]);
	if (effects & NVME_CMD_EFFECTS_CSER_MASK)
		effects &= ~NVME_CMD_EFFECTS_CSE_MASK;
	return effects;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_cmd_effects);

/*
 * Run one admin command and wait for it. Returns 0, a negative errno when
 * the command could not be run (-EINTR: a reset or removal cancelled
 * it), or the positive NVMe status the controller returned. Driver
 * commands are never retried: a reset ends them and the caller decides.
 */
int my_nvme_submit_sync_cmd(struct my_nvme_ctrl *ctrl,
			    struct nvme_command *cmd, void *buf,
			    unsigned int len, u32 *result)
{
	struct my_nvme_iod *iod;
	struct request *rq;
	blk_status_t sts;
	int ret;

	rq = blk_mq_alloc_request(ctrl->admin_q, nvme_is_write(cmd) ?
				  REQ_OP_DRV_OUT : REQ_OP_DRV_IN, 0);
	if (IS_ERR(rq))
		return PTR_ERR(rq);
	rq->cmd_flags |= REQ_FAILFAST_DRIVER;

	iod = blk_mq_rq_to_pdu(rq);
	iod->cmd = *cmd;
	iod->flags = 0;
	rq->timeout = my_nvme_admin_timeout * HZ;
	if (buf && len) {
		ret = blk_rq_map_kern(ctrl->admin_q, rq, buf, len, GFP_KERNEL);
		if (ret)
			goto out;
	}

	sts = blk_execute_rq(rq, false);
	ret = my_nvme_rq_errno(rq, sts);
	if (result)
		*result = le32_to_cpu(iod->result.u32);
out:
	blk_mq_free_request(rq);
	return ret;
}

static int my_nvme_admin_error(struct my_nvme_ctrl *ctrl, const char *what,
			       int ret)
{
	if (ret > 0) {
		dev_err(ctrl->dev, "%s failed: %s (status 0x%x)\n", what,
			my_nvme_status_str(ret), ret);
		return -EIO;
	}
	if (ret < 0)
		dev_err(ctrl->dev, "%s failed: %d\n", what, ret);
	return ret;
}

/* Identify strings are space padded, not NUL terminated. */
static void my_nvme_copy_id_string(char *dst, const char *src, size_t len)
{
	memcpy(dst, src, len);
	dst[len] = '\0';
	strim(dst);
}

static int my_nvme_get_log(struct my_nvme_ctrl *ctrl, u8 lid, u32 nsid,
			   void *buf, u32 len)
{
	struct nvme_command cmd;

	my_nvme_cmd_get_log(&cmd, lid, nsid, len);
	return my_nvme_submit_sync_cmd(ctrl, &cmd, buf, len, NULL);
}

/*
 * The Commands Supported and Effects log, once, plus the effects the
 * spec implies but controllers do not always report: formatting and
 * sanitizing change the LBA format and content of every namespace,
 * namespace management and attachment change the namespace set.
 */
static int my_nvme_init_effects(struct my_nvme_ctrl *ctrl,
				const struct nvme_id_ctrl *id)
{
	struct nvme_effects_log *log;
	int ret;

	if (ctrl->effects)
		return 0;
	log = kzalloc(sizeof(*log), GFP_KERNEL);
	if (!log)
		return -ENOMEM;
	if (id->lpa & NVME_CTRL_LPA_CMD_EFFECTS_LOG) {
		ret = my_nvme_get_log(ctrl, NVME_LOG_CMD_EFFECTS, 0, log,
				      sizeof(*log));
		if (ret) {
			dev_warn(ctrl->dev, "no Commands Supported and Effects log (%s %d), assuming the spec's effects\n",
				 ret > 0 ? "status" : "error", ret);
			memset(log, 0, sizeof(*log));
		}
	}
	log->acs[nvme_admin_format_nvm] |=
		cpu_to_le32(NVME_CMD_EFFECTS_LBCC | NVME_CMD_EFFECTS_NCC |
			    NVME_CMD_EFFECTS_CSE_MASK);
	log->acs[nvme_admin_sanitize_nvm] |=
		cpu_to_le32(NVME_CMD_EFFECTS_LBCC | NVME_CMD_EFFECTS_CSE_MASK);
	log->acs[nvme_admin_ns_mgmt] |=
		cpu_to_le32(NVME_CMD_EFFECTS_NIC | NVME_CMD_EFFECTS_NCC);
	log->acs[nvme_admin_ns_attach] |=
		cpu_to_le32(NVME_CMD_EFFECTS_NIC | NVME_CMD_EFFECTS_NCC);
	/* Security receive depends on send, but not on the I/O queues. */
	log->acs[nvme_admin_security_recv] &=
		cpu_to_le32(~NVME_CMD_EFFECTS_CSE_MASK);
	log->iocs[nvme_cmd_write] |= cpu_to_le32(NVME_CMD_EFFECTS_LBCC);
	log->iocs[nvme_cmd_write_zeroes] |= cpu_to_le32(NVME_CMD_EFFECTS_LBCC);
	log->iocs[nvme_cmd_write_uncor] |= cpu_to_le32(NVME_CMD_EFFECTS_LBCC);
	ctrl->effects = log;
	return 0;
}

/*
 * The NVM command set's Identify Controller data (CNS 06h): limits of
 * Write Zeroes (WZSL) and Dataset Management (DMRL, DMRSL). Optional:
 * without it Write Zeroes follows MDTS and discard has no range limit.
 */
static void my_nvme_identify_ctrl_nvm(struct my_nvme_ctrl *ctrl)
{
	struct nvme_id_ctrl_nvm *id;
	struct nvme_command cmd;
	u32 sectors;

	ctrl->max_zeroes_sectors = (ctrl->oncs & NVME_CTRL_ONCS_WRITE_ZEROES) ?
		ctrl->max_hw_sectors : 0;
	ctrl->max_discard_segments = NVME_DSM_MAX_RANGES;
	ctrl->dmrsl = 0;
	if (NVME_MAJOR(ctrl->vs) < 2 && ctrl->vs < NVME_VS(1, 4, 0))
		return;

	id = kzalloc(sizeof(*id), GFP_KERNEL);
	if (!id)
		return;
	my_nvme_cmd_identify(&cmd, NVME_ID_CNS_CS_CTRL, 0);
	cmd.identify.csi = NVME_CSI_NVM;
	if (my_nvme_submit_sync_cmd(ctrl, &cmd, id, sizeof(*id), NULL))
		goto out;
	if (id->dmrl)
		ctrl->max_discard_segments = id->dmrl;
	ctrl->dmrsl = le32_to_cpu(id->dmrsl);
	if (id->wzsl && ctrl->max_zeroes_sectors) {
		sectors = my_nvme_mdts_sectors(id->wzsl,
					       ctrl->cap_info.page_size_min,
					       UINT_MAX >> 1);
		ctrl->max_zeroes_sectors = min(ctrl->max_zeroes_sectors,
					       sectors);
	}
out:
	kfree(id);
}

/*
 * Asynchronous Event Configuration (Set Features 0Bh): SMART critical
 * warnings, and the notices the driver acts on (Namespace Attribute
 * Changed, Firmware Activation Starting) as far as OAES says the
 * controller sends them.
 */
u32 my_nvme_aen_config(u32 oaes)
{
	return (oaes & (NVME_AEN_CFG_NS_ATTR | NVME_AEN_CFG_FW_ACT)) |
		NVME_SMART_CRIT_SPARE | NVME_SMART_CRIT_TEMPERATURE |
		NVME_SMART_CRIT_RELIABILITY | NVME_SMART_CRIT_MEDIA |
		NVME_SMART_CRIT_VOLATILE_MEMORY;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_aen_config);

static void my_nvme_enable_aen(struct my_nvme_ctrl *ctrl)
{
	struct nvme_command cmd;
	int ret;

	my_nvme_cmd_set_features(&cmd, NVME_FEAT_ASYNC_EVENT,
				 my_nvme_aen_config(ctrl->oaes));
	ret = my_nvme_submit_sync_cmd(ctrl, &cmd, NULL, 0, NULL);
	if (ret)
		dev_warn(ctrl->dev, "cannot enable asynchronous events: %d\n",
			 ret);
}

int my_nvme_identify_ctrl(struct my_nvme_ctrl *ctrl)
{
	struct nvme_command cmd;
	struct nvme_id_ctrl *id;
	int ret;

	id = kzalloc(sizeof(*id), GFP_KERNEL);
	if (!id)
		return -ENOMEM;

	my_nvme_cmd_identify(&cmd, NVME_ID_CNS_CTRL, 0);
	ret = my_nvme_submit_sync_cmd(ctrl, &cmd, id, sizeof(*id), NULL);
	if (ret) {
		ret = my_nvme_admin_error(ctrl, "Identify Controller", ret);
		goto out;
	}

	my_nvme_copy_id_string(ctrl->model, id->mn, sizeof(id->mn));
	my_nvme_copy_id_string(ctrl->serial, id->sn, sizeof(id->sn));
	my_nvme_copy_id_string(ctrl->firmware, id->fr, sizeof(id->fr));
	ctrl->nn = le32_to_cpu(id->nn);
	ctrl->oncs = le16_to_cpu(id->oncs);
	ctrl->oacs = le16_to_cpu(id->oacs);
	ctrl->oaes = le32_to_cpu(id->oaes);
	ctrl->vwc = id->vwc;
	ctrl->sgls = le32_to_cpu(id->sgls);
	ctrl->awupf = le16_to_cpu(id->awupf);
	ctrl->crdt[0] = le16_to_cpu(id->crdt1);
	ctrl->crdt[1] = le16_to_cpu(id->crdt2);
	ctrl->crdt[2] = le16_to_cpu(id->crdt3);
	ctrl->mtfa = le16_to_cpu(id->mtfa);
	/* ACL and AERL are 0's based. */
	atomic_set(&ctrl->abort_limit, id->acl + 1);
	ctrl->nr_aen = min_t(unsigned int, id->aerl + 1, MY_NVME_MAX_AEN);
	ctrl->max_hw_sectors = my_nvme_mdts_sectors(id->mdts,
						    ctrl->cap_info.page_size_min,
						    MY_NVME_MAX_KB);

	/* RTD3 Entry Latency bounds how long a normal shutdown may take. */
	ctrl->shutdown_timeout_ms = clamp(le32_to_cpu(id->rtd3e) / 1000,
					  5000U, 60000U);

	ret = my_nvme_init_effects(ctrl, id);
	if (ret)
		goto out;
	my_nvme_identify_ctrl_nvm(ctrl);
	my_nvme_enable_aen(ctrl);

	dev_info(ctrl->dev, "%s, serial %s, firmware %s\n",
		 ctrl->model, ctrl->serial, ctrl->firmware);
	dev_info(ctrl->dev,
		 "MDTS %u (max transfer %u KiB), %u namespace(s), volatile write cache %s, ONCS 0x%x, SGLS 0x%x, %u AER(s)\n",
		 id->mdts, ctrl->max_hw_sectors >> 1, ctrl->nn,
		 (ctrl->vwc & NVME_CTRL_VWC_PRESENT) ? "present" : "absent",
		 ctrl->oncs, ctrl->sgls, ctrl->nr_aen);
out:
	kfree(id);
	return ret;
}

/*
 * Ask for @count I/O queue pairs; on return @count holds what the
 * controller granted (never more than asked for).
 */
int my_nvme_set_queue_count(struct my_nvme_ctrl *ctrl, unsigned int *count)
{
	struct nvme_command cmd;
	u32 result;
	int ret;

	my_nvme_cmd_set_features(&cmd, NVME_FEAT_NUM_QUEUES,
				 my_nvme_num_queues_dword(*count));
	ret = my_nvme_submit_sync_cmd(ctrl, &cmd, NULL, 0, &result);
	if (ret)
		return my_nvme_admin_error(ctrl, "Set Features (Number of Queues)",
					   ret);
	*count = min(*count, my_nvme_num_queues_granted(result));
	return 0;
}

/* The CQ first, with @vector (-1: no interrupt), then its SQ. */
int my_nvme_create_io_queue(struct my_nvme_queue *q, s16 vector)
{
	struct my_nvme_ctrl *ctrl = q->ctrl;
	struct nvme_command cmd;
	int ret;

	my_nvme_cmd_create_cq(&cmd, q->qid, q->cq_dma_addr, q->q_depth,
			      vector);
	ret = my_nvme_submit_sync_cmd(ctrl, &cmd, NULL, 0, NULL);
	if (ret)
		return my_nvme_admin_error(ctrl, "Create I/O CQ", ret);

	my_nvme_cmd_create_sq(&cmd, q->qid, q->sq_dma_addr, q->q_depth, q->qid);
	ret = my_nvme_submit_sync_cmd(ctrl, &cmd, NULL, 0, NULL);
	if (ret) {
		ret = my_nvme_admin_error(ctrl, "Create I/O SQ", ret);
		my_nvme_cmd_delete_queue(&cmd, nvme_admin_delete_cq, q->qid);
		my_nvme_submit_sync_cmd(ctrl, &cmd, NULL, 0, NULL);
		return ret;
	}
	return 0;
}

/* The SQ goes first: a CQ may only be deleted once no SQ points at it. */
int my_nvme_delete_io_queue(struct my_nvme_queue *q)
{
	struct my_nvme_ctrl *ctrl = q->ctrl;
	struct nvme_command cmd;
	int ret;

	my_nvme_cmd_delete_queue(&cmd, nvme_admin_delete_sq, q->qid);
	ret = my_nvme_submit_sync_cmd(ctrl, &cmd, NULL, 0, NULL);
	if (ret)
		return my_nvme_admin_error(ctrl, "Delete I/O SQ", ret);
	my_nvme_cmd_delete_queue(&cmd, nvme_admin_delete_cq, q->qid);
	ret = my_nvme_submit_sync_cmd(ctrl, &cmd, NULL, 0, NULL);
	if (ret)
		return my_nvme_admin_error(ctrl, "Delete I/O CQ", ret);
	return 0;
}

static enum rq_end_io_ret my_nvme_delete_queue_end(struct request *rq,
						   blk_status_t error)
{
	struct my_nvme_queue *q = rq->end_io_data;

	blk_mq_free_request(rq);
	complete(&q->delete_done);
	return RQ_END_IO_NONE;
}

/*
 * Send Delete I/O SQ or CQ (@opcode) for @q without waiting: the caller
 * waits on q->delete_done, for a bounded time (my_nvme_dev_disable()).
 */
int my_nvme_send_delete_queue(struct my_nvme_queue *q, u8 opcode)
{
	struct my_nvme_ctrl *ctrl = q->ctrl;
	struct my_nvme_iod *iod;
	struct request *rq;

	rq = blk_mq_alloc_request(ctrl->admin_q, REQ_OP_DRV_OUT,
				  BLK_MQ_REQ_NOWAIT);
	if (IS_ERR(rq))
		return PTR_ERR(rq);
	rq->cmd_flags |= REQ_FAILFAST_DRIVER;
	rq->timeout = my_nvme_admin_timeout * HZ;
	iod = blk_mq_rq_to_pdu(rq);
	iod->flags = 0;
	my_nvme_cmd_delete_queue(&iod->cmd, opcode, q->qid);
	rq->end_io = my_nvme_delete_queue_end;
	rq->end_io_data = q;
	reinit_completion(&q->delete_done);
	blk_execute_rq_nowait(rq, false);
	return 0;
}

/* Doorbell Buffer Config (NVMe 2.0, 5.8): PRP1 shadow doorbells, PRP2 EventIdx. */
int my_nvme_dbbuf_config(struct my_nvme_ctrl *ctrl, dma_addr_t dbs,
			 dma_addr_t eis)
{
	struct nvme_command cmd = { };

	cmd.dbbuf.opcode = nvme_admin_dbbuf;
	cmd.dbbuf.prp1 = cpu_to_le64(dbs);
	cmd.dbbuf.prp2 = cpu_to_le64(eis);
	return my_nvme_submit_sync_cmd(ctrl, &cmd, NULL, 0, NULL);
}

/* ---- Asynchronous events ---- */

/*
 * Send an AER for every free slot. They bypass blk-mq (they have no
 * timeout); command id MY_NVME_AQ_TAGS + slot tells them apart. Only
 * the async event work sends them. The admin queue's LIVE bit is checked
 * under sq_lock and the slots are taken under aen_lock inside it (never
 * the other way round: aen_lock is taken in the interrupt handler); the
 * disable path clears LIVE under sq_lock, so that a submission that saw
 * it set has taken its slots before the disable forgets, under aen_lock,
 * the AERs the controller reset dropped.
 */
void my_nvme_submit_aers(struct my_nvme_ctrl *ctrl)
{
	struct my_nvme_queue *aq = &ctrl->queues[0];
	struct nvme_command cmd = { };
	unsigned long flags, free;
	unsigned int slot;

	if (!ctrl->nr_aen)
		return;
	cmd.common.opcode = nvme_admin_async_event;
	spin_lock(&aq->sq_lock);
	if (!test_bit(MY_NVME_Q_LIVE, &aq->flags))
		goto unlock;
	spin_lock_irqsave(&ctrl->aen_lock, flags);
	free = ~(ctrl->aen_busy | ctrl->aen_pending) &
		GENMASK(ctrl->nr_aen - 1, 0);
	for_each_set_bit(slot, &free, MY_NVME_MAX_AEN) {
		cmd.common.command_id = MY_NVME_AQ_TAGS + slot;
		/* One doorbell, with the last of them. */
		__my_nvme_submit_cmd(aq, &cmd,
				     find_next_bit(&free, MY_NVME_MAX_AEN,
						   slot + 1) >= MY_NVME_MAX_AEN);
		set_bit(slot, &ctrl->aen_busy);
	}
	spin_unlock_irqrestore(&ctrl->aen_lock, flags);
unlock:
	spin_unlock(&aq->sq_lock);
}

/* From the admin CQ (interrupt context): keep the result for the work. */
void my_nvme_complete_aer(struct my_nvme_queue *q,
			  const struct nvme_completion *cqe)
{
	struct my_nvme_ctrl *ctrl = q->ctrl;
	unsigned int slot = cqe->command_id - MY_NVME_AQ_TAGS;
	u16 status = le16_to_cpu(cqe->status) >> 1;
	unsigned long flags;

	spin_lock_irqsave(&ctrl->aen_lock, flags);
	if (slot >= MY_NVME_MAX_AEN || !test_and_clear_bit(slot, &ctrl->aen_busy)) {
		spin_unlock_irqrestore(&ctrl->aen_lock, flags);
		q->stats.stale++;
		return;
	}
	if (!status) {
		ctrl->aen_results[slot] = le32_to_cpu(cqe->result.u32);
		set_bit(slot, &ctrl->aen_pending);
	}
	spin_unlock_irqrestore(&ctrl->aen_lock, flags);

	/*
	 * An error (aborted by a reset, limit exceeded): no event and no
	 * resubmission; the next start of the controller sends it again.
	 */
	if (status)
		return;
	atomic_inc(&ctrl->rstats.events);
	set_bit(MY_NVME_EVENT_RESUBMIT, &ctrl->events);
	my_nvme_queue_aen(ctrl);
}

static const char * const my_nvme_smart_crit_names[] = {
	"spare capacity below threshold",
	"temperature outside threshold",
	"reliability degraded",
	"media read-only",
	"volatile memory backup failed",
	"persistent memory region read-only",
};

/* SMART/Health event: read the log (which clears it), log new warnings. */
static void my_nvme_handle_smart(struct my_nvme_ctrl *ctrl)
{
	struct nvme_smart_log *log;
	unsigned int bit;
	u8 crit, fresh;

	log = kzalloc(sizeof(*log), GFP_KERNEL);
	if (!log)
		return;
	if (my_nvme_get_log(ctrl, NVME_LOG_SMART, NVME_NSID_ALL, log,
			    sizeof(*log)))
		goto out;
	crit = log->critical_warning;
	fresh = crit & ~ctrl->smart_crit_logged;
	for (bit = 0; bit < ARRAY_SIZE(my_nvme_smart_crit_names); bit++) {
		if (fresh & BIT(bit))
			dev_warn(ctrl->dev, "SMART critical warning: %s\n",
				 my_nvme_smart_crit_names[bit]);
	}
	ctrl->smart_crit_logged = crit;
out:
	kfree(log);
}

/*
 * The Firmware Slot Information log (03h): the revision in the active
 * slot, after a firmware activation. Reading it (RAE 0) also clears a
 * Firmware Activation Starting event.
 */
void my_nvme_update_firmware_rev(struct my_nvme_ctrl *ctrl)
{
	struct nvme_fw_slot_info_log *log;
	u8 slot, next;

	log = kzalloc(sizeof(*log), GFP_KERNEL);
	if (!log)
		return;
	if (my_nvme_get_log(ctrl, NVME_LOG_FW_SLOT, NVME_NSID_ALL, log,
			    sizeof(*log))) {
		dev_warn(ctrl->dev, "cannot read the Firmware Slot log\n");
		goto out;
	}
	slot = log->afi & 0x7;
	next = (log->afi >> 4) & 0x7;
	if (slot < 1 || slot > ARRAY_SIZE(log->frs) ||
	    (next && next != slot)) {
		dev_info(ctrl->dev, "firmware is activated after the next reset (AFI 0x%x)\n",
			 log->afi);
		goto out;
	}
	my_nvme_copy_id_string(ctrl->firmware, (char *)&log->frs[slot - 1],
			       sizeof(log->frs[0]));
	dev_info(ctrl->dev, "firmware %s (slot %u)\n", ctrl->firmware, slot);
out:
	kfree(log);
}

void my_nvme_handle_aen(struct my_nvme_ctrl *ctrl, u32 result)
{
	u8 type = result & 0x7;
	u8 info = (result >> 8) & 0xff;
	u8 lid = (result >> 16) & 0xff;
	struct nvme_error_slot *err;

	switch (type) {
	case NVME_AER_NOTICE:
		if (info == NVME_AER_NOTICE_NS_CHANGED) {
			dev_info(ctrl->dev, "namespace attributes changed, rescanning\n");
			set_bit(MY_NVME_EVENT_NS_CHANGED, &ctrl->events);
			my_nvme_queue_scan(ctrl);
			return;
		}
		if (info == NVME_AER_NOTICE_FW_ACT_STARTING) {
			dev_info(ctrl->dev, "firmware activation starting\n");
			my_nvme_queue_fw_act(ctrl);
			return;
		}
		break;
	case NVME_AER_SMART:
		my_nvme_handle_smart(ctrl);
		return;
	case NVME_AER_ERROR:
		err = kzalloc(sizeof(*err), GFP_KERNEL);
		if (err && !my_nvme_get_log(ctrl, NVME_LOG_ERROR, NVME_NSID_ALL,
					    err, sizeof(*err)))
			dev_warn_ratelimited(ctrl->dev,
					     "error event: status 0x%x, command id 0x%x on queue %u, LBA %llu\n",
					     le16_to_cpu(err->status_field) >> 1,
					     le16_to_cpu(err->cmdid), le16_to_cpu(err->sqid),
					     le64_to_cpu(err->lba));
		kfree(err);
		return;
	default:
		break;
	}
	dev_info_ratelimited(ctrl->dev,
			     "asynchronous event: type %u info 0x%x log page 0x%x\n",
			     type, info, lid);
	/* Read (and so clear) the log page the event names, if any. */
	if (lid) {
		void *buf = kzalloc(512, GFP_KERNEL);

		if (buf)
			my_nvme_get_log(ctrl, lid, NVME_NSID_ALL, buf, 512);
		kfree(buf);
	}
}

/* Handle the events the CQ handed over, then send the AERs again. */
void my_nvme_async_event_work(struct work_struct *work)
{
	struct my_nvme_ctrl *ctrl =
		container_of(work, struct my_nvme_ctrl, async_event_work);
	unsigned long flags;
	unsigned int slot;
	u32 result;

	for (slot = 0; slot < MY_NVME_MAX_AEN; slot++) {
		spin_lock_irqsave(&ctrl->aen_lock, flags);
		if (!test_bit(slot, &ctrl->aen_pending)) {
			spin_unlock_irqrestore(&ctrl->aen_lock, flags);
			continue;
		}
		result = ctrl->aen_results[slot];
		spin_unlock_irqrestore(&ctrl->aen_lock, flags);

		if (my_nvme_state(ctrl) == MY_NVME_CTRL_LIVE)
			my_nvme_handle_aen(ctrl, result);
		clear_bit(slot, &ctrl->aen_pending);
	}
	if (test_and_clear_bit(MY_NVME_EVENT_RESUBMIT, &ctrl->events) &&
	    my_nvme_state(ctrl) == MY_NVME_CTRL_LIVE)
		my_nvme_submit_aers(ctrl);
}

/* ---- Namespaces ---- */

/*
 * What Identify Namespace says about driving it as a disk. Namespaces we
 * cannot drive get a reason; the controller may still have others.
 */
void my_nvme_ns_info(const struct nvme_id_ns *id, struct my_nvme_ns_info *info)
{
	u8 lbaf = nvme_lbaf_index(id->flbas);

	info->nsze = le64_to_cpu(id->nsze);
	info->lbaf = lbaf;
	info->lba_shift = id->lbaf[lbaf & 0x3f].ds;
	info->unsupported = NULL;
	if (!info->nsze)
		info->unsupported = "size 0";
	else if (lbaf > id->nlbaf)
		info->unsupported = "LBA format out of range";
	else if (id->lbaf[lbaf].ms || (id->dps & NVME_NS_DPS_PI_MASK))
		info->unsupported = "metadata or protection information not supported";
	else if (info->lba_shift < SECTOR_SHIFT || info->lba_shift > PAGE_SHIFT)
		info->unsupported = "logical block size not supported";
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_ns_info);

/* Returns 0, a negative errno, or the controller's status (with DNR). */
int my_nvme_identify_ns(struct my_nvme_ctrl *ctrl, u32 nsid,
			struct nvme_id_ns *id)
{
	struct nvme_command cmd;
	int ret;

	my_nvme_cmd_identify(&cmd, NVME_ID_CNS_NS, nsid);
	ret = my_nvme_submit_sync_cmd(ctrl, &cmd, id, sizeof(*id), NULL);
	if (ret)
		my_nvme_admin_error(ctrl, "Identify Namespace", ret);
	return ret;
}

/* Reading the Changed Namespace List clears the event (RAE = 0). */
static void my_nvme_clear_changed_ns_log(struct my_nvme_ctrl *ctrl)
{
	__le32 *log = kzalloc(NVME_IDENTIFY_DATA_SIZE, GFP_KERNEL);

	if (!log)
		return;
	if (my_nvme_get_log(ctrl, NVME_LOG_CHANGED_NS, NVME_NSID_ALL, log,
			    NVME_IDENTIFY_DATA_SIZE))
		dev_warn(ctrl->dev, "reading the Changed Namespace List failed\n");
	kfree(log);
}

/*
 * One active namespace: revalidate the disk we have, or add one. A disk
 * goes only when the controller says the namespace is gone for good
 * (a status with DNR, as nvme_validate_ns()) or can no longer be driven;
 * any other failure (a timeout, a reset that cancelled the Identify)
 * leaves it as it is for the next scan. One whose format is unknown
 * (MY_NVME_NS_STALE, after a Format that could not be followed) holds
 * its I/O until then, so it goes too when the controller answers with
 * anything but its format.
 */
static void my_nvme_scan_ns(struct my_nvme_ctrl *ctrl, u32 nsid,
			    struct nvme_id_ns *id)
{
	struct my_nvme_ns *ns = my_nvme_find_get_ns(ctrl, nsid);
	int ret;

	/* Its I/O was failed (a reset changed the queue layout): a new disk. */
	if (ns && test_bit(MY_NVME_NS_DEAD, &ns->flags)) {
		my_nvme_remove_ns(ns);
		my_nvme_put_ns(ns);
		ns = NULL;
	}
	ret = my_nvme_identify_ns(ctrl, nsid, id);
	if (!ns) {
		if (!ret)
			my_nvme_add_ns(ctrl, nsid, id);
		return;
	}
	if (!ret)
		ret = my_nvme_revalidate_ns(ns, id);
	else if (ret > 0 && !(ret & NVME_STATUS_DNR) &&
		 !test_bit(MY_NVME_NS_STALE, &ns->flags))
		ret = 0;
	if (ret == -ENODEV || ret > 0) {
		dev_info(ctrl->dev, "%s: namespace %u cannot be driven any more, removing the disk\n",
			 ns->disk->disk_name, nsid);
		my_nvme_remove_ns(ns);
	}
	my_nvme_put_ns(ns);
}

/*
 * Remove the disks of namespaces @first..@last (they are not in the
 * Active Namespace ID list), one at a time: each removal waits for the
 * list walkers (SRCU) to let go.
 */
static void my_nvme_remove_ns_range(struct my_nvme_ctrl *ctrl, u32 first,
				    u32 last)
{
	struct my_nvme_ns *ns, *gone;
	int idx;

	if (first > last)
		return;
	do {
		gone = NULL;
		idx = srcu_read_lock(&ctrl->srcu);
		list_for_each_entry_srcu(ns, &ctrl->namespaces, list,
					 srcu_read_lock_held(&ctrl->srcu)) {
			if (ns->nsid < first || ns->nsid > last)
				continue;
			get_device(disk_to_dev(ns->disk));
			gone = ns;
			break;
		}
		srcu_read_unlock(&ctrl->srcu, idx);
		if (gone) {
			dev_info(ctrl->dev, "%s: namespace %u gone, removing the disk\n",
				 gone->disk->disk_name, gone->nsid);
			my_nvme_remove_ns(gone);
			my_nvme_put_ns(gone);
		}
	} while (gone);
}

/*
 * One entry of the Active Namespace ID list, after entry @last (0 at the
 * start): the end of the list, a namespace to scan, an ID above NN (not
 * a valid namespace: skipped, it removes nothing), or a list that goes
 * backwards and cannot be trusted from here on.
 */
enum my_nvme_scan_step my_nvme_scan_entry(u32 nsid, u32 last, u32 nn)
{
	if (!nsid)
		return MY_NVME_SCAN_END;
	if (nsid <= last)
		return MY_NVME_SCAN_STOP;
	if (nsid > nn)
		return MY_NVME_SCAN_SKIP;
	return MY_NVME_SCAN_NS;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_scan_entry);

/*
 * Walk the Active Namespace ID list (CNS 02h), 1024 IDs per page:
 * revalidate or add each namespace, and drop the disks of namespaces
 * the list skips, between two entries and after the last, as
 * nvme_scan_ns_list(). An ID above NN is not a valid namespace: it is
 * skipped and removes nothing. A list that goes backwards cannot be
 * trusted: the scan stops there and removes nothing after it.
 */
static int my_nvme_scan_ns_list(struct my_nvme_ctrl *ctrl)
{
	const unsigned int per_page = NVME_IDENTIFY_DATA_SIZE / sizeof(__le32);
	struct nvme_command cmd;
	struct nvme_id_ns *id;
	__le32 *ns_list;
	u32 prev = 0, next_id = 0;
	unsigned int i;
	int ret = -ENOMEM;

	ns_list = kzalloc(NVME_IDENTIFY_DATA_SIZE, GFP_KERNEL);
	id = kzalloc(sizeof(*id), GFP_KERNEL);
	if (!ns_list || !id)
		goto out;

	for (;;) {
		my_nvme_cmd_identify(&cmd, NVME_ID_CNS_NS_ACTIVE_LIST, next_id);
		ret = my_nvme_submit_sync_cmd(ctrl, &cmd, ns_list,
					      NVME_IDENTIFY_DATA_SIZE, NULL);
		if (ret) {
			ret = my_nvme_admin_error(ctrl, "Identify Active Namespace List",
						  ret);
			goto out;
		}
		for (i = 0; i < per_page; i++) {
			u32 nsid = le32_to_cpu(ns_list[i]);

			switch (my_nvme_scan_entry(nsid, next_id, ctrl->nn)) {
			case MY_NVME_SCAN_END:
				goto done;
			case MY_NVME_SCAN_STOP:
				dev_warn(ctrl->dev,
					 "namespace list not ascending at %u (after %u), stopping\n",
					 nsid, next_id);
				ret = -EIO;
				goto out;
			case MY_NVME_SCAN_SKIP:
				dev_warn_ratelimited(ctrl->dev,
						     "namespace list: %u is above NN %u, skipped\n",
						     nsid, ctrl->nn);
				break;
			case MY_NVME_SCAN_NS:
				my_nvme_scan_ns(ctrl, nsid, id);
				my_nvme_remove_ns_range(ctrl, prev + 1, nsid - 1);
				prev = nsid;
				break;
			}
			next_id = nsid;
		}
	}
done:
	my_nvme_remove_ns_range(ctrl, prev + 1, U32_MAX);
	ret = 0;
out:
	kfree(id);
	kfree(ns_list);
	return ret;
}

void my_nvme_scan_work(struct work_struct *work)
{
	struct my_nvme_ctrl *ctrl =
		container_of(work, struct my_nvme_ctrl, scan_work);
	int ret;

	if (my_nvme_state(ctrl) != MY_NVME_CTRL_LIVE || !ctrl->tagset.tags)
		return;
	mutex_lock(&ctrl->scan_lock);
	atomic_inc(&ctrl->rstats.rescans);
	if (test_and_clear_bit(MY_NVME_EVENT_NS_CHANGED, &ctrl->events))
		my_nvme_clear_changed_ns_log(ctrl);
	ret = my_nvme_scan_ns_list(ctrl);
	if (ret)
		dev_err(ctrl->dev, "namespace scan failed (%d): the disks stay as they were\n",
			ret);
	mutex_unlock(&ctrl->scan_lock);
}
