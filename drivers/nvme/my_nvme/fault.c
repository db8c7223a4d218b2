// SPDX-License-Identifier: GPL-2.0
/*
 * my_nvme fault.c: fault points below the driver's own logic, for the
 * cases QEMU cannot produce (a controller that stops answering, CSTS.CFS
 * in the middle of a reset). Each is a fault_attr in debugfs
 * (probability, times, interval, as Documentation/fault-injection
 * describes) under /sys/kernel/debug/my_nvme/my_nvme<N>/:
 *
 *  fault_inject/	a completing disk request gets "status" (+ DNR with
 *			"dont_retry"); with "admin", an admin command of
 *			"opcode" (0xffffffff: any) instead
 *  fail_map/		mapping a request's data fails ("hard": 0 busy,
 *			1 I/O error, 2 both in turn)
 *  fail_enable/	the controller never becomes ready
 *  fail_shutdown/	the controller never completes a shutdown
 *  fail_cqe/		a completion is thrown away as if the controller had
 *			never posted it: on the admin queue ("admin") and/or
 *			the I/O queues ("io"), for one "opcode" (default
 *			0xffffffff: any); every admin command is a wedged
 *			firmware
 *  fail_csts/		CSTS reads with "bits" ORed in (0x2 CFS, 0x20 PP,
 *			0xffffffff: the BAR reads all ones)
 *  id_ns/		Identify Namespace of namespace "nsid" (0xffffffff:
 *			any) reports "nsattr" and "dlfeat" ORed in: a
 *			write-protected namespace (NSATTR bit 0), one whose
 *			deallocated blocks read as zeros (DLFEAT 09h), which
 *			QEMU 7.2 cannot report
 *
 * fail_cqe/ and fail_csts/ start from the moment an admin command of
 * opcode "after" is sent (default 0xffffffff: at once), which sets
 * "armed" (writable, to start over): a firmware that wedges, or a
 * controller that fails, in the middle of a reset's Identify, say.
 *  inject_aen		write a completion dword 0 to have it handled as an
 *			asynchronous event the controller reported (the file
 *			is debugfs.c's: admin.c handles the event)
 *
 * /sys/kernel/debug/my_nvme/defaults/ holds the same fault points as a
 * template each controller copies when it is probed, so that a probe
 * itself can meet a misbehaving controller.
 *
 * Only with CONFIG_FAULT_INJECTION_DEBUG_FS; each check in the driver is
 * one load and a branch until its probability is set (my_nvme.h).
 */

#include <linux/debugfs.h>
#include <linux/fault-inject.h>
#include <linux/fs.h>
#include <linux/kstrtox.h>
#include <linux/module.h>

#include "my_nvme.h"

static struct my_nvme_faults my_nvme_fault_defaults = {
	.status_attr	= FAULT_ATTR_INITIALIZER,
	.map_attr	= FAULT_ATTR_INITIALIZER,
	.enable_attr	= FAULT_ATTR_INITIALIZER,
	.shutdown_attr	= FAULT_ATTR_INITIALIZER,
	.cqe_attr	= FAULT_ATTR_INITIALIZER,
	.csts_attr	= FAULT_ATTR_INITIALIZER,
	.id_ns_attr	= FAULT_ATTR_INITIALIZER,
	/* Command Interrupted: the controller asks for a retry. */
	.status		= NVME_SC_CMD_INTERRUPTED,
	.status_opcode	= U32_MAX,
	.cqe_admin	= true,
	.cqe_opcode	= U32_MAX,
	.cqe_after	= U32_MAX,
	.csts_bits	= NVME_CSTS_CFS,
	.csts_after	= U32_MAX,
	.id_ns_nsid	= U32_MAX,
};

/* A new controller starts with the template, armed or not. */
void my_nvme_fault_init(struct my_nvme_ctrl *ctrl)
{
	ctrl->faults = my_nvme_fault_defaults;
	ctrl->faults.cqe_armed = false;
	ctrl->faults.csts_armed = false;
}

void __my_nvme_fault_status(struct my_nvme_ctrl *ctrl, struct request *rq,
			    struct my_nvme_iod *iod)
{
	struct my_nvme_faults *f = &ctrl->faults;

	if (rq->q == ctrl->admin_q) {
		if (!f->status_admin || (f->status_opcode != U32_MAX &&
					 f->status_opcode != iod->cmd.common.opcode))
			return;
	} else if (f->status_admin || blk_rq_is_passthrough(rq)) {
		return;
	}
	if (!should_fail(&f->status_attr, 1))
		return;
	iod->status = f->status;
	if (f->dont_retry)
		iod->status |= NVME_STATUS_DNR;
}

/*
 * BLK_STS_RESOURCE (busy: blk-mq retries the request later), or with
 * fail_map/hard 1 an I/O error; 2 alternates the two, which makes
 * blk-mq dispatch lists of requeued requests that then stop early.
 */
blk_status_t __my_nvme_fault_map(struct my_nvme_ctrl *ctrl)
{
	struct my_nvme_faults *f = &ctrl->faults;

	if (!should_fail(&f->map_attr, 1))
		return BLK_STS_OK;
	switch (f->map_hard) {
	case 0:
		return BLK_STS_RESOURCE;
	case 1:
		return BLK_STS_IOERR;
	default:
		return (f->map_count++ & 1) ? BLK_STS_IOERR : BLK_STS_RESOURCE;
	}
}

bool my_nvme_fault_enable(struct my_nvme_ctrl *ctrl)
{
	return should_fail(&ctrl->faults.enable_attr, 1);
}

bool my_nvme_fault_shutdown(struct my_nvme_ctrl *ctrl)
{
	return should_fail(&ctrl->faults.shutdown_attr, 1);
}

bool __my_nvme_fault_drop_cqe(struct my_nvme_queue *q, u8 opcode)
{
	struct my_nvme_faults *f = &q->ctrl->faults;

	if (!(q->qid ? f->cqe_io : f->cqe_admin))
		return false;
	if (f->cqe_after != U32_MAX && !READ_ONCE(f->cqe_armed))
		return false;
	if (f->cqe_opcode != U32_MAX && f->cqe_opcode != opcode)
		return false;
	if (!should_fail(&f->cqe_attr, 1))
		return false;
	q->stats.dropped++;
	return true;
}

void __my_nvme_fault_admin_sent(struct my_nvme_ctrl *ctrl, u8 opcode)
{
	struct my_nvme_faults *f = &ctrl->faults;

	if (f->cqe_after == opcode && !READ_ONCE(f->cqe_armed)) {
		WRITE_ONCE(f->cqe_armed, true);
		dev_info(ctrl->dev, "fail_cqe: armed by admin opcode 0x%02x\n",
			 opcode);
	}
	if (f->csts_after == opcode && !READ_ONCE(f->csts_armed)) {
		WRITE_ONCE(f->csts_armed, true);
		dev_info(ctrl->dev, "fail_csts: armed by admin opcode 0x%02x\n",
			 opcode);
	}
}

u32 __my_nvme_fault_csts(struct my_nvme_ctrl *ctrl, u32 csts)
{
	struct my_nvme_faults *f = &ctrl->faults;

	if (f->csts_after != U32_MAX && !READ_ONCE(f->csts_armed))
		return csts;
	if (!should_fail(&f->csts_attr, 1))
		return csts;
	return f->csts_bits == U32_MAX ? U32_MAX : csts | f->csts_bits;
}

void __my_nvme_fault_id_ns(struct my_nvme_ctrl *ctrl, u32 nsid,
			   struct nvme_id_ns *id)
{
	struct my_nvme_faults *f = &ctrl->faults;

	if (f->id_ns_nsid != U32_MAX && f->id_ns_nsid != nsid)
		return;
	if (!should_fail(&f->id_ns_attr, 1))
		return;
	id->nsattr |= f->id_ns_nsattr;
	id->dlfeat |= f->id_ns_dlfeat;
}

static void my_nvme_faults_debugfs(struct my_nvme_faults *f,
				   struct dentry *parent)
{
	struct dentry *dir;

	dir = fault_create_debugfs_attr("fault_inject", parent,
					&f->status_attr);
	if (!IS_ERR(dir)) {
		debugfs_create_x16("status", 0600, dir, &f->status);
		debugfs_create_bool("dont_retry", 0600, dir, &f->dont_retry);
		debugfs_create_bool("admin", 0600, dir, &f->status_admin);
		debugfs_create_x32("opcode", 0600, dir, &f->status_opcode);
	}
	dir = fault_create_debugfs_attr("fail_map", parent, &f->map_attr);
	if (!IS_ERR(dir))
		debugfs_create_u8("hard", 0600, dir, &f->map_hard);
	fault_create_debugfs_attr("fail_enable", parent, &f->enable_attr);
	fault_create_debugfs_attr("fail_shutdown", parent, &f->shutdown_attr);
	dir = fault_create_debugfs_attr("fail_cqe", parent, &f->cqe_attr);
	if (!IS_ERR(dir)) {
		debugfs_create_bool("admin", 0600, dir, &f->cqe_admin);
		debugfs_create_bool("io", 0600, dir, &f->cqe_io);
		debugfs_create_x32("opcode", 0600, dir, &f->cqe_opcode);
		debugfs_create_x32("after", 0600, dir, &f->cqe_after);
		debugfs_create_bool("armed", 0600, dir, &f->cqe_armed);
	}
	dir = fault_create_debugfs_attr("fail_csts", parent, &f->csts_attr);
	if (!IS_ERR(dir)) {
		debugfs_create_x32("bits", 0600, dir, &f->csts_bits);
		debugfs_create_x32("after", 0600, dir, &f->csts_after);
		debugfs_create_bool("armed", 0600, dir, &f->csts_armed);
	}
	dir = fault_create_debugfs_attr("id_ns", parent, &f->id_ns_attr);
	if (!IS_ERR(dir)) {
		debugfs_create_x8("nsattr", 0600, dir, &f->id_ns_nsattr);
		debugfs_create_x8("dlfeat", 0600, dir, &f->id_ns_dlfeat);
		debugfs_create_x32("nsid", 0600, dir, &f->id_ns_nsid);
	}
}

void my_nvme_fault_debugfs(struct my_nvme_ctrl *ctrl)
{
	my_nvme_faults_debugfs(&ctrl->faults, ctrl->debugfs);
}

void my_nvme_fault_debugfs_defaults(struct dentry *root)
{
	my_nvme_faults_debugfs(&my_nvme_fault_defaults,
			       debugfs_create_dir("defaults", root));
}
