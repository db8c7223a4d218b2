// SPDX-License-Identifier: GPL-2.0
/*
 * my_nvme admin.c: the admin commands the driver sends (Identify, Set
 * Features, queue creation and deletion, log pages, Doorbell Buffer
 * Config) and asynchronous events: the AERs, their completion, the work
 * that handles what they report.
 */

#include <linux/blk-mq.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "my_nvme.h"

unsigned int my_nvme_admin_timeout = 60;
module_param_named(admin_timeout, my_nvme_admin_timeout, uint, 0644);
MODULE_PARM_DESC(admin_timeout,
		 "Timeout of an admin command in seconds (default 60)");

/*
 * Run one command of the driver's on queue @q (the admin queue, or a
 * namespace's for I/O commands such as Zone Management Receive) and
 * wait for it. Returns 0, a negative errno when the command could not
 * be run (-EINTR: a reset or removal cancelled it), or the positive
 * NVMe status the controller returned. Driver commands are never
 * retried: a reset ends them and the caller decides.
 */
int my_nvme_submit_sync_cmd_q(struct my_nvme_ctrl *ctrl,
			      struct request_queue *q,
			      struct nvme_command *cmd, void *buf,
			      unsigned int len, u32 *result)
{
	struct my_nvme_iod *iod;
	struct request *rq;
	blk_status_t sts;
	int ret;

	rq = blk_mq_alloc_request(q, nvme_is_write(cmd) ?
				  REQ_OP_DRV_OUT : REQ_OP_DRV_IN, 0);
	if (IS_ERR(rq))
		return PTR_ERR(rq);
	rq->cmd_flags |= REQ_FAILFAST_DRIVER;

	iod = blk_mq_rq_to_pdu(rq);
	iod->cmd = *cmd;
	iod->flags = 0;
	rq->timeout = q == ctrl->admin_q ? my_nvme_admin_timeout * HZ :
		q->rq_timeout;
	if (buf && len) {
		ret = blk_rq_map_kern(q, rq, buf, len, GFP_KERNEL);
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

/* An admin command of the driver's, waited for. */
int my_nvme_submit_sync_cmd(struct my_nvme_ctrl *ctrl,
			    struct nvme_command *cmd, void *buf,
			    unsigned int len, u32 *result)
{
	return my_nvme_submit_sync_cmd_q(ctrl, ctrl->admin_q, cmd, buf, len,
					 result);
}

/* Log a failed admin command; a controller status becomes -EIO. */
int my_nvme_admin_error(struct my_nvme_ctrl *ctrl, const char *what, int ret)
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

int my_nvme_get_log(struct my_nvme_ctrl *ctrl, u8 lid, u32 nsid, void *buf,
		    u32 len)
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

	ctrl->max_zeroes_sectors = (ctrl->oncs & NVME_CTRL_ONCS_WRITE_ZEROES) &&
		!(ctrl->quirks & MY_NVME_QUIRK_NO_WRITE_ZEROES) ?
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
	/* Warned once, at probe: a reset identifies the controller again. */
	if (!my_nvme_subnqn(ctrl->subnqn, id) && ctrl->vs >= NVME_VS(1, 2, 1) &&
	    !ctrl->id_sn[0])
		dev_warn(ctrl->dev, "missing or invalid SUBNQN field\n");
	memcpy(ctrl->id_sn, id->sn, sizeof(id->sn));
	memcpy(ctrl->id_mn, id->mn, sizeof(id->mn));
	ctrl->vid = le16_to_cpu(id->vid);
	ctrl->cntlid = le16_to_cpu(id->cntlid);
	ctrl->cmic = id->cmic;
	ctrl->nn = le32_to_cpu(id->nn);
	ctrl->oncs = le16_to_cpu(id->oncs);
	ctrl->oacs = le16_to_cpu(id->oacs);
	ctrl->oaes = le32_to_cpu(id->oaes);
	ctrl->vwc = id->vwc;
	ctrl->sgls = le32_to_cpu(id->sgls);
	ctrl->ctratt = le32_to_cpu(id->ctratt);
	ctrl->awupf = le16_to_cpu(id->awupf);
	ctrl->crdt[0] = le16_to_cpu(id->crdt1);
	ctrl->crdt[1] = le16_to_cpu(id->crdt2);
	ctrl->crdt[2] = le16_to_cpu(id->crdt3);
	ctrl->mtfa = le16_to_cpu(id->mtfa);
	ctrl->wctemp = le16_to_cpu(id->wctemp);
	ctrl->cctemp = le16_to_cpu(id->cctemp);
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

/*
 * Tell user space (udev rules, monitoring daemons) of an event, as
 * nvme_aen_uevent(): a change event on the controller with
 * NVME_AEN=<the completion's result>, for the types nvme sends one for
 * (error, SMART/health, I/O command set specific, vendor specific), not
 * for notices (namespace changes show as disks that come and go). The
 * driver has read the log page by then, which clears the event; the
 * page itself still says what happened (SMART: the health now).
 */
static void my_nvme_aen_uevent(struct my_nvme_ctrl *ctrl, u32 result)
{
	char envdata[sizeof("NVME_AEN=0x12345678")];
	char *envp[2] = { envdata, NULL };

	snprintf(envdata, sizeof(envdata), "NVME_AEN=%#08x", result);
	kobject_uevent_env(&ctrl->ctrl_dev.kobj, KOBJ_CHANGE, envp);
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
		my_nvme_aen_uevent(ctrl, result);
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
		my_nvme_aen_uevent(ctrl, result);
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
	if (type != NVME_AER_NOTICE)
		my_nvme_aen_uevent(ctrl, result);
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

/* ---- Identify Namespace ---- */

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
	else
		my_nvme_fault_id_ns(ctrl, nsid, id);
	return ret;
}

/*
 * The NVM command set's Identify Namespace (CNS 05h, CSI 00h): the
 * extended LBA formats (ELBAF) that say which guard the protection
 * information of each format has. Only where CTRATT.ELBAS says the
 * controller has them (as nvme_update_ns_info_block()).
 */
int my_nvme_identify_ns_nvm(struct my_nvme_ctrl *ctrl, u32 nsid,
			    struct nvme_id_ns_nvm *nvm)
{
	struct nvme_command cmd;
	int ret;

	my_nvme_cmd_identify(&cmd, NVME_ID_CNS_CS_NS, nsid);
	cmd.identify.csi = NVME_CSI_NVM;
	ret = my_nvme_submit_sync_cmd(ctrl, &cmd, nvm, sizeof(*nvm), NULL);
	if (ret)
		my_nvme_admin_error(ctrl, "Identify Namespace (NVM command set)",
				    ret);
	return ret;
}

/*
 * The namespace's identifiers (@id is its Identify Namespace data): the
 * Namespace Identification Descriptor list, which controllers of NVMe
 * 1.3 and later must support, then Identify Namespace's EUI64 and
 * NGUID. A controller marked MY_NVME_QUIRK_BOGUS_NID reports some
 * that are not unique: they are dropped, so that nothing (links made
 * from the wwid, multipath) takes two namespaces for one; its command
 * set identifier is kept (as nvme_process_ns_desc()). Returns 0, a
 * negative errno, or the status of a failed descriptor list: then the
 * identifiers are not known (nvme_scan_ns() gives up on the namespace
 * too), and a live disk must not be taken for another namespace.
 */
int my_nvme_identify_ns_ids(struct my_nvme_ctrl *ctrl, u32 nsid,
			    const struct nvme_id_ns *id,
			    struct my_nvme_ns_ids *ids)
{
	struct nvme_command cmd;
	void *data;
	u8 nidt;
	int ret;

	memset(ids, 0, sizeof(*ids));
	if (ctrl->vs >= NVME_VS(1, 3, 0)) {
		data = kzalloc(NVME_IDENTIFY_DATA_SIZE, GFP_KERNEL);
		if (!data)
			return -ENOMEM;
		my_nvme_cmd_identify(&cmd, NVME_ID_CNS_NS_DESC_LIST, nsid);
		ret = my_nvme_submit_sync_cmd(ctrl, &cmd, data,
					      NVME_IDENTIFY_DATA_SIZE, NULL);
		if (ret > 0)
			dev_warn(ctrl->dev, "namespace %u: Identify Descriptors failed: status 0x%x\n",
				 nsid, ret);
		else if (!ret && my_nvme_parse_ns_descs(data, NVME_IDENTIFY_DATA_SIZE,
							ids, &nidt))
			dev_warn(ctrl->dev, "namespace %u: bogus length in descriptor type %u\n",
				 nsid, nidt);
		kfree(data);
		if (ret)
			return ret;
	}
	if (ctrl->quirks & MY_NVME_QUIRK_BOGUS_NID) {
		memset(ids->eui64, 0, sizeof(ids->eui64));
		memset(ids->nguid, 0, sizeof(ids->nguid));
		uuid_copy(&ids->uuid, &uuid_null);
		return 0;
	}
	my_nvme_ns_ids_from_id(ctrl->vs, id, ids);
	return 0;
}

