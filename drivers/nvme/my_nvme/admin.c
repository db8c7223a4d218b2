// SPDX-License-Identifier: GPL-2.0
/*
 * my_nvme admin.c: admin command encoders and the synchronous admin
 * commands: Identify, Set Features, I/O queue creation and deletion.
 */

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
 * Run one admin command and wait for it. Returns 0, a negative errno when
 * the command could not be run, or the positive NVMe status the
 * controller returned.
 */
static int my_nvme_submit_sync_cmd(struct my_nvme_ctrl *ctrl,
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

	iod = blk_mq_rq_to_pdu(rq);
	iod->cmd = *cmd;
	rq->timeout = MY_NVME_ADMIN_TIMEOUT;
	if (buf && len) {
		ret = blk_rq_map_kern(ctrl->admin_q, rq, buf, len, GFP_KERNEL);
		if (ret)
			goto out;
	}

	sts = blk_execute_rq(rq, false);
	ret = iod->status ? iod->status : blk_status_to_errno(sts);
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

int my_nvme_identify_ctrl(struct my_nvme_ctrl *ctrl)
{
	struct nvme_command cmd;
	struct nvme_id_ctrl *id;
	u32 max_kb = MY_NVME_MAX_KB;
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
	ctrl->vwc = id->vwc;
	ctrl->sgls = le32_to_cpu(id->sgls);

	/* MDTS is a power of two in units of CAP.MPSMIN; 0 means no limit. */
	if (id->mdts) {
		u64 mdts_kb = ((u64)ctrl->cap_info.page_size_min << id->mdts) >> 10;

		max_kb = min_t(u64, max_kb, mdts_kb);
	}
	ctrl->max_hw_sectors = max_kb << 1;

	/*
	 * VWC says a volatile write cache exists; Feature 06h says whether
	 * it is enabled. A disabled cache makes every write durable on
	 * completion, so the block layer need not send flushes.
	 */
	ctrl->write_cache = ctrl->vwc & NVME_CTRL_VWC_PRESENT;
	if (ctrl->write_cache) {
		u32 wce;

		my_nvme_cmd_get_features(&cmd, NVME_FEAT_VOLATILE_WC);
		if (!my_nvme_submit_sync_cmd(ctrl, &cmd, NULL, 0, &wce) &&
		    !(wce & 1))
			ctrl->write_cache = false;
	}

	/* RTD3 Entry Latency bounds how long a normal shutdown may take. */
	ctrl->shutdown_timeout_ms = clamp(le32_to_cpu(id->rtd3e) / 1000,
					  5000U, 60000U);

	dev_info(ctrl->dev, "%s, serial %s, firmware %s\n",
		 ctrl->model, ctrl->serial, ctrl->firmware);
	dev_info(ctrl->dev,
		 "MDTS %u (max transfer %u KiB), %u namespace(s), write cache %s, ONCS 0x%x, SGLS 0x%x\n",
		 id->mdts, max_kb, ctrl->nn,
		 ctrl->write_cache ? "enabled" :
		 (ctrl->vwc & NVME_CTRL_VWC_PRESENT) ? "disabled" : "absent",
		 ctrl->oncs, ctrl->sgls);
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

int my_nvme_create_io_queue(struct my_nvme_queue *q)
{
	struct my_nvme_ctrl *ctrl = q->ctrl;
	struct nvme_command cmd;
	int ret;

	my_nvme_cmd_create_cq(&cmd, q->qid, q->cq_dma_addr, q->q_depth,
			      q->cq_vector);
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
	set_bit(MY_NVME_Q_LIVE, &q->flags);
	return 0;
}

/* The SQ goes first: a CQ may only be deleted once no SQ points at it. */
int my_nvme_delete_io_queue(struct my_nvme_queue *q)
{
	struct my_nvme_ctrl *ctrl = q->ctrl;
	struct nvme_command cmd;
	int ret;

	clear_bit(MY_NVME_Q_LIVE, &q->flags);
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

static int my_nvme_identify_ns(struct my_nvme_ctrl *ctrl, u32 nsid,
			       struct nvme_id_ns *id)
{
	struct nvme_command cmd;
	int ret;

	my_nvme_cmd_identify(&cmd, NVME_ID_CNS_NS, nsid);
	ret = my_nvme_submit_sync_cmd(ctrl, &cmd, id, sizeof(*id), NULL);
	if (ret)
		return my_nvme_admin_error(ctrl, "Identify Namespace", ret);
	return 0;
}

/*
 * Walk the Active Namespace ID list (CNS 02h), 1024 IDs per page, and
 * add a disk for each namespace we can drive.
 */
int my_nvme_scan_namespaces(struct my_nvme_ctrl *ctrl)
{
	const unsigned int per_page = NVME_IDENTIFY_DATA_SIZE / sizeof(__le32);
	struct nvme_command cmd;
	struct nvme_id_ns *id;
	__le32 *ns_list;
	u32 prev = 0;
	int ret = 0;
	int i;

	ns_list = kzalloc(NVME_IDENTIFY_DATA_SIZE, GFP_KERNEL);
	id = kzalloc(sizeof(*id), GFP_KERNEL);
	if (!ns_list || !id) {
		ret = -ENOMEM;
		goto out;
	}

	for (;;) {
		my_nvme_cmd_identify(&cmd, NVME_ID_CNS_NS_ACTIVE_LIST, prev);
		ret = my_nvme_submit_sync_cmd(ctrl, &cmd, ns_list,
					      NVME_IDENTIFY_DATA_SIZE, NULL);
		if (ret) {
			ret = my_nvme_admin_error(ctrl, "Identify Active Namespace List",
						  ret);
			goto out;
		}

		for (i = 0; i < per_page; i++) {
			u32 nsid = le32_to_cpu(ns_list[i]);

			if (!nsid)
				goto out;
			if (nsid <= prev) {
				dev_warn(ctrl->dev,
					 "namespace list not ascending at %u, stopping\n",
					 nsid);
				goto out;
			}
			prev = nsid;
			if (my_nvme_identify_ns(ctrl, nsid, id))
				continue;
			my_nvme_add_ns(ctrl, nsid, id);
		}
	}
out:
	kfree(id);
	kfree(ns_list);
	return ret;
}
