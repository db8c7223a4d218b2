// SPDX-License-Identifier: GPL-2.0
/*
 * my_nvme chardev.c: the controller's class device /dev/my_nvme<N>, its
 * sysfs attributes, and the NVMe passthrough of
 * include/uapi/linux/nvme_ioctl.h on it, on the namespace disks and on
 * their generic char devices: the ioctls and io_uring's URING_CMD.
 */

#include <linux/blk-integrity.h>
#include <linux/cdev.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/io_uring/cmd.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/nvme_ioctl.h>
#include <kunit/visibility.h>

#include "my_nvme.h"

#define MY_NVME_MINORS		BIT(MINORBITS)

/* The minor of /dev/my_nvme<N> is its instance N (multipath.c's). */
static dev_t my_nvme_chr_devt;

/* ---- sysfs ---- */

static struct my_nvme_ctrl *to_ctrl(struct device *dev)
{
	return container_of(dev, struct my_nvme_ctrl, ctrl_dev);
}

static ssize_t model_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n", to_ctrl(dev)->model);
}
static DEVICE_ATTR_RO(model);

static ssize_t serial_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%s\n", to_ctrl(dev)->serial);
}
static DEVICE_ATTR_RO(serial);

static ssize_t firmware_rev_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", to_ctrl(dev)->firmware);
}
static DEVICE_ATTR_RO(firmware_rev);

static ssize_t state_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  my_nvme_state_name(my_nvme_state(to_ctrl(dev))));
}
static DEVICE_ATTR_RO(state);

static ssize_t io_queues_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", to_ctrl(dev)->nr_io_queues);
}
static DEVICE_ATTR_RO(io_queues);

static ssize_t queue_depth_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", to_ctrl(dev)->q_depth);
}
static DEVICE_ATTR_RO(queue_depth);

static ssize_t max_transfer_kb_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", to_ctrl(dev)->max_hw_sectors >> 1);
}
static DEVICE_ATTR_RO(max_transfer_kb);

static ssize_t cmb_size_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", to_ctrl(dev)->cmb_size);
}
static DEVICE_ATTR_RO(cmb_size);

/*
 * What nvme's controller attributes say and nvme-cli, libnvme and
 * administrators read: the controller ID, the subsystem NQN, the
 * transport and its address, the NUMA node, and the queues (the admin
 * queue counted; sqsize is 0's based, as nvme's).
 */
static ssize_t cntlid_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%u\n", to_ctrl(dev)->cntlid);
}
static DEVICE_ATTR_RO(cntlid);

static ssize_t subsysnqn_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", to_ctrl(dev)->subnqn);
}
static DEVICE_ATTR_RO(subsysnqn);

static ssize_t transport_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "pcie\n");
}
static DEVICE_ATTR_RO(transport);

static ssize_t address_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", pci_name(to_ctrl(dev)->pdev));
}
static DEVICE_ATTR_RO(address);

static ssize_t numa_node_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", dev_to_node(to_ctrl(dev)->dev));
}
static DEVICE_ATTR_RO(numa_node);

static ssize_t queue_count_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", to_ctrl(dev)->nr_io_queues + 1);
}
static DEVICE_ATTR_RO(queue_count);

static ssize_t sqsize_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%u\n", to_ctrl(dev)->q_depth - 1);
}
static DEVICE_ATTR_RO(sqsize);

/* The quirks in force, as the quirks parameter spells them. */
static ssize_t quirks_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	int len = my_nvme_quirks_str(buf, PAGE_SIZE - 1, to_ctrl(dev)->quirks);

	buf[len++] = '\n';
	return len;
}
static DEVICE_ATTR_RO(quirks);

static ssize_t reset_controller_store(struct device *dev,
				      struct device_attribute *attr,
				      const char *buf, size_t count)
{
	int ret = my_nvme_reset_ctrl_sync(to_ctrl(dev));

	return ret < 0 ? ret : count;
}
static DEVICE_ATTR_WO(reset_controller);

/*
 * Rescan the namespaces and wait for it. A reset in progress rescans
 * when it is done (as nvme_queue_scan(), this is no error); a
 * controller that is going away has nothing to scan.
 */
static int my_nvme_rescan(struct my_nvme_ctrl *ctrl)
{
	switch (my_nvme_state(ctrl)) {
	case MY_NVME_CTRL_LIVE:
		my_nvme_queue_scan(ctrl);
		flush_work(&ctrl->scan_work);
		return 0;
	case MY_NVME_CTRL_RESETTING:
	case MY_NVME_CTRL_CONNECTING:
		return 0;
	default:
		return -ENODEV;
	}
}

static ssize_t rescan_controller_store(struct device *dev,
				       struct device_attribute *attr,
				       const char *buf, size_t count)
{
	int ret = my_nvme_rescan(to_ctrl(dev));

	return ret ? ret : count;
}
static DEVICE_ATTR_WO(rescan_controller);

static struct attribute *my_nvme_ctrl_attrs[] = {
	&dev_attr_reset_controller.attr,
	&dev_attr_rescan_controller.attr,
	&dev_attr_model.attr,
	&dev_attr_serial.attr,
	&dev_attr_firmware_rev.attr,
	&dev_attr_state.attr,
	&dev_attr_io_queues.attr,
	&dev_attr_queue_depth.attr,
	&dev_attr_max_transfer_kb.attr,
	&dev_attr_cmb_size.attr,
	&dev_attr_cntlid.attr,
	&dev_attr_subsysnqn.attr,
	&dev_attr_transport.attr,
	&dev_attr_address.attr,
	&dev_attr_numa_node.attr,
	&dev_attr_queue_count.attr,
	&dev_attr_sqsize.attr,
	&dev_attr_quirks.attr,
	NULL,
};
ATTRIBUTE_GROUPS(my_nvme_ctrl);

static const struct class my_nvme_class = {
	.name		= MY_NVME_NAME,
	.dev_groups	= my_nvme_ctrl_groups,
};

/* ---- passthrough ---- */

/*
 * Namespaces frozen around a command that changes them (Commands
 * Supported and Effects: CSE), so that no I/O runs while, say, Format
 * NVM changes the LBA format, and none runs with the old one after it.
 * Everything the end needs is allocated before the freeze, and the
 * frozen section allocates nothing that may recurse into I/O
 * (memalloc_noio): reclaim writing back to a frozen disk would wait
 * for us.
 */
struct my_nvme_frozen {
	u32			effects;
	unsigned int		nr;
	struct my_nvme_ns	**ns;
	struct nvme_id_ns	*id;
	unsigned int		noio;
};

static int my_nvme_passthru_start(struct my_nvme_ctrl *ctrl, bool admin,
				  u8 opcode, struct my_nvme_frozen *fz)
{
	struct my_nvme_ns *ns;
	unsigned int n = 0;

	memset(fz, 0, sizeof(*fz));
	fz->effects = my_nvme_cmd_effects(ctrl->effects, admin, opcode);
	if (!(fz->effects & NVME_CMD_EFFECTS_CSE_MASK))
		return 0;

	fz->id = kzalloc(sizeof(*fz->id), GFP_KERNEL);
	if (!fz->id)
		return -ENOMEM;
	/* scan_lock: no namespace comes or goes until passthru_end. */
	mutex_lock(&ctrl->scan_lock);
	my_nvme_for_each_ns(ctrl, ns)
		n++;
	fz->ns = kcalloc(n, sizeof(*fz->ns), GFP_KERNEL);
	if (fz->ns) {
		/* Nothing was added since (scan_lock); some may be gone. */
		my_nvme_for_each_ns(ctrl, ns) {
			if (fz->nr == n)
				break;
			get_device(disk_to_dev(ns->disk));
			fz->ns[fz->nr++] = ns;
		}
	}
	if (n && !fz->ns) {
		mutex_unlock(&ctrl->scan_lock);
		kfree(fz->id);
		return -ENOMEM;
	}
	for (n = 0; n < fz->nr; n++)
		blk_freeze_queue_start(fz->ns[n]->disk->queue);
	for (n = 0; n < fz->nr; n++)
		blk_mq_freeze_queue_wait(fz->ns[n]->disk->queue);
	fz->noio = memalloc_noio_save();
	return 0;
}

/*
 * After the command: the frozen namespaces are identified again and
 * revalidated before any I/O runs (a new LBA format, a new size). Only a
 * namespace the controller says is gone (a status with DNR, or one that
 * can no longer be driven) loses its disk; when the Identify fails for
 * any other reason (a timeout, a reset or a suspend that cancelled it,
 * a controller that did not come back) the disk stays, its format
 * unknown: its I/O waits (MY_NVME_NS_STALE) for the rescan, which the
 * reset runs too, and a controller that dies removes it. Then a rescan
 * picks up namespaces that appeared or went away (NIC, NCC; a write
 * that changed data, LBCC, needs none).
 */
static void my_nvme_passthru_end(struct my_nvme_ctrl *ctrl,
				 struct my_nvme_frozen *fz)
{
	bool rescan = fz->effects & (NVME_CMD_EFFECTS_NIC |
				     NVME_CMD_EFFECTS_NCC);
	unsigned int n;
	int ret;

	if (!(fz->effects & NVME_CMD_EFFECTS_CSE_MASK))
		goto scan;

	for (n = 0; n < fz->nr; n++) {
		struct my_nvme_ns *ns = fz->ns[n];

		ret = my_nvme_identify_ns(ctrl, ns->nsid, fz->id);
		if (!ret)
			ret = my_nvme_revalidate_ns(ns, fz->id);
		/* Its zones are read again by the rescan. */
		if (!ret && ns->zone_sectors)
			rescan = true;
		if (!ret)
			continue;
		if (ret == -ENODEV || (ret > 0 && (ret & NVME_STATUS_DNR))) {
			/* Gone: its I/O fails from now on, the disk goes below. */
			set_bit(MY_NVME_NS_DEAD, &ns->flags);
			continue;
		}
		set_bit(MY_NVME_NS_STALE, &ns->flags);
		dev_warn(ctrl->dev, "%s: format not known after the command (%d), I/O waits for a rescan\n",
			 ns->disk->disk_name, ret);
		rescan = true;
	}
	for (n = 0; n < fz->nr; n++)
		blk_mq_unfreeze_queue(fz->ns[n]->disk->queue);
	memalloc_noio_restore(fz->noio);
	mutex_unlock(&ctrl->scan_lock);
	for (n = 0; n < fz->nr; n++) {
		/* The multipath disk follows, once its paths' queues run. */
		if (test_bit(MY_NVME_NS_DEAD, &fz->ns[n]->flags))
			my_nvme_remove_ns(fz->ns[n]);
		else
			my_nvme_mpath_update(fz->ns[n]);
		my_nvme_put_ns(fz->ns[n]);
	}
	kfree(fz->ns);
	kfree(fz->id);
scan:
	if (rescan) {
		my_nvme_queue_scan(ctrl);
		flush_work(&ctrl->scan_work);
	}
}

static void my_nvme_user_cmd_done(struct my_nvme_ctrl *ctrl)
{
	if (atomic_dec_and_test(&ctrl->user_cmds))
		wake_up_all(&ctrl->user_wq);
}

/*
 * Removal waits for running user commands at most @timeout; false if
 * some are still running then.
 */
bool my_nvme_wait_user_cmds(struct my_nvme_ctrl *ctrl, unsigned long timeout)
{
	/* The state change before the count read; pairs with my_nvme_user_cmd(). */
	smp_mb();
	return wait_event_timeout(ctrl->user_wq, !atomic_read(&ctrl->user_cmds),
				  timeout);
}

/*
 * The user's buffer as an iterator: one range, an array of data_len
 * iovecs (@vec, as NVME_IOCTL_IO64_CMD_VEC; up to UIO_FASTIOV of them
 * in @fast_iov), or a buffer registered with io_uring
 * (IORING_URING_CMD_FIXED). *iovp is left NULL or what import_iovec()
 * allocated, to be freed once the buffer is mapped.
 */
static int my_nvme_import_user(const struct nvme_passthru_cmd64 *ucmd,
			       bool vec, struct io_uring_cmd *ioucmd,
			       struct iovec *fast_iov, struct iovec **iovp,
			       struct iov_iter *iter)
{
	void __user *ubuf = u64_to_user_ptr(ucmd->addr);
	int dir = (ucmd->opcode & 1) ? ITER_SOURCE : ITER_DEST;
	ssize_t ret;

	if (ioucmd && (ioucmd->flags & IORING_URING_CMD_FIXED)) {
		if (vec)
			return -EINVAL;
		return io_uring_cmd_import_fixed(ucmd->addr, ucmd->data_len,
						 dir, iter, ioucmd);
	}
	if (!vec)
		return import_ubuf(dir, ubuf, ucmd->data_len, iter);
	*iovp = fast_iov;
	ret = import_iovec(dir, ubuf, ucmd->data_len, UIO_FASTIOV, iovp, iter);
	return ret < 0 ? ret : 0;
}

/*
 * bio_map_user_iov() in 6.12 leaks its page array when it cannot pin a
 * buffer of more than UIO_FASTIOV pages (the fix went to stable in
 * 2026). Faulting such a buffer in first turns an unmapped or read-only
 * buffer into -EFAULT before the block layer allocates anything. A
 * registered buffer is pinned already.
 */
static bool my_nvme_user_buf_faults(const struct iov_iter *iter, bool to_dev)
{
	size_t len = iov_iter_count(iter);

	if (iov_iter_is_bvec(iter) ||
	    iov_iter_npages(iter, UIO_FASTIOV + 1) <= UIO_FASTIOV)
		return false;
	if (to_dev)
		return fault_in_iov_iter_readable(iter, len) != 0;
	return fault_in_iov_iter_writeable(iter, len) != 0;
}

/*
 * A user's separate metadata buffer (MPTR) goes with an I/O command on
 * a namespace whose metadata the block layer carries apart from the
 * data (an integrity profile; one whose metadata is interleaved has it
 * in the data buffer), and must hold what the command moves, as the
 * data buffer must (my_nvme_passthru_meta_len()).
 */
static int my_nvme_user_meta_check(struct my_nvme_ctrl *ctrl,
				   struct my_nvme_ns *ns,
				   const struct nvme_passthru_cmd64 *ucmd)
{
	u64 need = 0;

	if (ucmd->metadata_len &&
	    (!ns || !blk_get_integrity(ns->disk) || ns->ext_lbas)) {
		dev_err_ratelimited(ctrl->dev, "%s: a metadata buffer, but %s has no separate metadata\n",
				    current->comm,
				    ns ? ns->disk->disk_name : "the controller");
		return -EINVAL;
	}
	if (ns && ns->ms && !ns->ext_lbas)
		need = my_nvme_passthru_meta_len(ucmd, ns->ms, ns->pi_size);
	if (need > ucmd->metadata_len) {
		dev_err_ratelimited(ctrl->dev, "%s: opcode 0x%02x moves %llu bytes of metadata, its buffer has %u\n",
				    current->comm, ucmd->opcode, need,
				    ucmd->metadata_len);
		return -EINVAL;
	}
	return 0;
}

/*
 * A request for a user command, its buffer mapped; the ioctls and the
 * io_uring commands share it. @ioucmd and @issue_flags are io_uring's
 * (NULL and 0 for an ioctl). On success an ioctl or an admin command is
 * counted in ctrl->user_cmds until my_nvme_user_cmd_done(), and runs
 * only on a live controller. An I/O command through io_uring is neither:
 * as the disk's own I/O it holds the namespace's queue, whose removal
 * (del_gendisk()) waits for it, and it waits through a reset instead of
 * failing; a shared counter would also cost every I/O a contended
 * atomic and a full barrier.
 */
static struct request *my_nvme_user_rq(struct my_nvme_ctrl *ctrl,
				       struct my_nvme_ns *ns,
				       const struct nvme_passthru_cmd64 *ucmd,
				       bool admin, bool vec,
				       struct io_uring_cmd *ioucmd,
				       unsigned int issue_flags)
{
	u32 max_bytes = ctrl->max_hw_sectors << SECTOR_SHIFT;
	struct iovec fast_iov[UIO_FASTIOV], *iov = NULL;
	blk_mq_req_flags_t blk_flags = 0;
	struct nvme_command cmd = {};
	struct request_queue *q;
	struct my_nvme_iod *iod;
	bool counted = !ioucmd || admin;
	struct iov_iter iter;
	struct request *rq;
	blk_opf_t opf = 0;
	u64 len = 0, need;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return ERR_PTR(-EACCES);
	/* With @vec, data_len counts iovecs: their bytes are checked below. */
	ret = my_nvme_passthru_check(ucmd, admin, vec ? U32_MAX : max_bytes);
	if (ret)
		return ERR_PTR(ret);
	/* A disk's own I/O commands name its namespace, as nvme_user_cmd(). */
	if (ns && !admin && ucmd->nsid != ns->nsid) {
		dev_err_ratelimited(ctrl->dev, "%s: nsid %u in the command is not %s's (%u)\n",
				    current->comm, ucmd->nsid,
				    ns->disk->disk_name, ns->nsid);
		return ERR_PTR(-EINVAL);
	}
	if (ucmd->data_len) {
		ret = my_nvme_import_user(ucmd, vec, ioucmd, fast_iov, &iov,
					  &iter);
		if (ret)
			return ERR_PTR(ret);
		len = iov_iter_count(&iter);
		ret = -EINVAL;
		if (!len || len > max_bytes)
			goto out_iov;
	}
	need = my_nvme_passthru_xfer_len(ucmd, admin, ns ? ns->lba_shift : 0,
					 ns && ns->ext_lbas ? ns->ms : 0);
	if (need > len) {
		dev_err_ratelimited(ctrl->dev, "%s: opcode 0x%02x moves %llu bytes, its buffer has %llu\n",
				    current->comm, ucmd->opcode, need, len);
		ret = -EINVAL;
		goto out_iov;
	}
	ret = my_nvme_user_meta_check(ctrl, ns, ucmd);
	if (ret)
		goto out_iov;
	if (len && my_nvme_user_buf_faults(&iter, ucmd->opcode & 1)) {
		ret = -EFAULT;
		goto out_iov;
	}

	cmd.common.opcode = ucmd->opcode;
	cmd.common.nsid = cpu_to_le32(ucmd->nsid);
	cmd.common.cdw2[0] = cpu_to_le32(ucmd->cdw2);
	cmd.common.cdw2[1] = cpu_to_le32(ucmd->cdw3);
	cmd.common.cdw10 = cpu_to_le32(ucmd->cdw10);
	cmd.common.cdw11 = cpu_to_le32(ucmd->cdw11);
	cmd.common.cdw12 = cpu_to_le32(ucmd->cdw12);
	cmd.common.cdw13 = cpu_to_le32(ucmd->cdw13);
	cmd.common.cdw14 = cpu_to_le32(ucmd->cdw14);
	cmd.common.cdw15 = cpu_to_le32(ucmd->cdw15);
	/*
	 * Without a buffer of the user's, the metadata pointer of a
	 * namespace with separate metadata is the sink, never address 0:
	 * a command the driver cannot size may still move metadata.
	 */
	if (ns && ns->ms && !ns->ext_lbas && !admin)
		cmd.common.metadata = cpu_to_le64(ctrl->sink_dma);

	/*
	 * Counted before the state check, which removal changes before it
	 * waits (my_nvme_wait_user_cmds()): either removal sees this
	 * command, or the command sees the removal.
	 */
	if (counted) {
		atomic_inc(&ctrl->user_cmds);
		/* Count, then read the state: my_nvme_wait_user_cmds(). */
		smp_mb__after_atomic();
		if (my_nvme_state(ctrl) != MY_NVME_CTRL_LIVE) {
			ret = -ENODEV;
			goto out_done;
		}
	}
	q = admin ? ctrl->admin_q : ns->disk->queue;

	/* io_uring submits under a plug: take its cached requests. */
	if (ioucmd)
		opf |= REQ_ALLOC_CACHE;
	if (issue_flags & IO_URING_F_NONBLOCK) {
		opf |= REQ_NOWAIT;
		blk_flags |= BLK_MQ_REQ_NOWAIT;
	}
	if (issue_flags & IO_URING_F_IOPOLL)
		opf |= REQ_POLLED;
	rq = blk_mq_alloc_request(q, (nvme_is_write(&cmd) ? REQ_OP_DRV_OUT :
				      REQ_OP_DRV_IN) | opf, blk_flags);
	if (IS_ERR(rq)) {
		ret = PTR_ERR(rq);
		goto out_done;
	}
	/* Never retried behind the user's back: the status goes back. */
	rq->cmd_flags |= REQ_FAILFAST_DRIVER;
	iod = blk_mq_rq_to_pdu(rq);
	iod->cmd = cmd;
	iod->flags = MY_NVME_IOD_USER;
	rq->timeout = ucmd->timeout_ms ? msecs_to_jiffies(ucmd->timeout_ms) :
		(admin ? my_nvme_admin_timeout * HZ : 0);
	if (!rq->timeout)
		rq->timeout = q->rq_timeout;

	if (len) {
		ret = blk_rq_map_user_iov(q, rq, NULL, &iter, GFP_KERNEL);
		if (ret) {
			blk_mq_free_request(rq);
			goto out_done;
		}
	}
	if (ucmd->metadata_len) {
		bio_set_dev(rq->bio, ns->disk->part0);
		ret = blk_rq_integrity_map_user(rq,
						u64_to_user_ptr(ucmd->metadata),
						ucmd->metadata_len);
		if (ret) {
			blk_rq_unmap_user(rq->bio);
			blk_mq_free_request(rq);
			goto out_done;
		}
	}
	kfree(iov);
	return rq;

out_done:
	if (counted)
		my_nvme_user_cmd_done(ctrl);
out_iov:
	kfree(iov);
	return ERR_PTR(ret);
}

static int my_nvme_user_cmd(struct my_nvme_ctrl *ctrl, struct my_nvme_ns *ns,
			    struct nvme_passthru_cmd64 *ucmd, bool admin,
			    bool vec)
{
	struct my_nvme_frozen fz;
	struct my_nvme_iod *iod;
	struct request *rq;
	struct bio *bio;
	blk_status_t sts;
	int ret;

	rq = my_nvme_user_rq(ctrl, ns, ucmd, admin, vec, NULL, 0);
	if (IS_ERR(rq))
		return PTR_ERR(rq);
	iod = blk_mq_rq_to_pdu(rq);
	bio = rq->bio;

	ret = my_nvme_passthru_start(ctrl, admin, ucmd->opcode, &fz);
	if (ret) {
		if (bio)
			blk_rq_unmap_user(bio);
		blk_mq_free_request(rq);
		goto out_done;
	}
	sts = blk_execute_rq(rq, false);
	ret = my_nvme_rq_errno(rq, sts);
	ucmd->result = le64_to_cpu(iod->result.u64);
	/*
	 * The request goes before the end's own commands: a disable waits
	 * for every completed request to be freed. Copying back to the user
	 * may fault and allocate, without I/O (memalloc_noio still holds);
	 * a copy that fails is the caller's error.
	 */
	if (bio && blk_rq_unmap_user(bio) && ret >= 0)
		ret = -EFAULT;
	blk_mq_free_request(rq);
	my_nvme_passthru_end(ctrl, &fz);
out_done:
	my_nvme_user_cmd_done(ctrl);
	return ret;
}

/* The 32-bit result variant shares the layout up to timeout_ms. */
static int my_nvme_ioctl_cmd(struct my_nvme_ctrl *ctrl, struct my_nvme_ns *ns,
			     void __user *argp, bool admin, bool is64,
			     bool vec)
{
	struct nvme_passthru_cmd64 ucmd = {};
	struct nvme_passthru_cmd cmd32;
	int ret;

	if (is64) {
		if (copy_from_user(&ucmd, argp, sizeof(ucmd)))
			return -EFAULT;
	} else {
		if (copy_from_user(&cmd32, argp, sizeof(cmd32)))
			return -EFAULT;
		memcpy(&ucmd, &cmd32, offsetof(struct nvme_passthru_cmd, result));
	}

	ret = my_nvme_user_cmd(ctrl, ns, &ucmd, admin, vec);
	if (ret < 0)
		return ret;

	if (is64) {
		if (put_user(ucmd.result,
			     &((struct nvme_passthru_cmd64 __user *)argp)->result))
			return -EFAULT;
	} else {
		if (put_user((u32)ucmd.result,
			     &((struct nvme_passthru_cmd __user *)argp)->result))
			return -EFAULT;
	}
	return ret;
}

/*
 * I/O commands on the controller node name their namespace in nsid. The
 * reference keeps the disk's memory; a disk removed meanwhile fails the
 * request allocation instead.
 */
static int my_nvme_ctrl_io_cmd(struct my_nvme_ctrl *ctrl, void __user *argp,
			       bool is64)
{
	struct my_nvme_ns *ns;
	int ret;
	u32 nsid;

	if (get_user(nsid, &((struct nvme_passthru_cmd __user *)argp)->nsid))
		return -EFAULT;
	ns = my_nvme_find_get_ns(ctrl, nsid);
	if (!ns)
		return -EINVAL;
	ret = my_nvme_ioctl_cmd(ctrl, ns, argp, false, is64, false);
	my_nvme_put_ns(ns);
	return ret;
}

/* ---- io_uring passthrough (IORING_OP_URING_CMD) ---- */

/* Lives in struct io_uring_cmd's pdu from issue to completion. */
struct my_nvme_uring_pdu {
	struct request	*rq;		/* for ->uring_cmd_iopoll */
	struct bio	*bio;		/* rq->bio is gone at completion */
	u64		result;
	int		status;
};

static struct my_nvme_uring_pdu *
my_nvme_uring_cmd_pdu(struct io_uring_cmd *ioucmd)
{
	return io_uring_cmd_to_pdu(ioucmd, struct my_nvme_uring_pdu);
}

/* In the submitter's task: the buffer is unpinned or copied back there. */
static void my_nvme_uring_task_cb(struct io_uring_cmd *ioucmd,
				  unsigned int issue_flags)
{
	struct my_nvme_uring_pdu *pdu = my_nvme_uring_cmd_pdu(ioucmd);

	if (pdu->bio && blk_rq_unmap_user(pdu->bio) && pdu->status >= 0)
		pdu->status = -EFAULT;
	io_uring_cmd_done(ioucmd, pdu->status, pdu->result, issue_flags);
}

/*
 * The completion goes to task work whether polled or not, as upstream's
 * nvme_uring_cmd_end_io(): a ring polling a queue may reap another
 * ring's request, whose CQE must be posted by its own task.
 */
static enum rq_end_io_ret my_nvme_uring_end_io(struct request *rq,
					       blk_status_t sts)
{
	struct io_uring_cmd *ioucmd = rq->end_io_data;
	struct my_nvme_uring_pdu *pdu = my_nvme_uring_cmd_pdu(ioucmd);
	struct my_nvme_queue *nvmeq = rq->mq_hctx->driver_data;
	struct my_nvme_iod *iod = blk_mq_rq_to_pdu(rq);

	pdu->status = my_nvme_rq_errno(rq, sts);
	pdu->result = le64_to_cpu(iod->result.u64);
	if (rq->q == nvmeq->ctrl->admin_q)
		my_nvme_user_cmd_done(nvmeq->ctrl);
	io_uring_cmd_do_in_task_lazy(ioucmd, my_nvme_uring_task_cb);
	return RQ_END_IO_FREE;
}

/*
 * NVME_URING_CMD_IO(_VEC) on a namespace's generic char device,
 * NVME_URING_CMD_ADMIN(_VEC) on the controller's: struct nvme_uring_cmd
 * in a 128-byte SQE, the result in a 32-byte CQE. The checks are the
 * ioctls'. A command that changes namespaces or their format is refused
 * (my_nvme_uring_cmd_allowed()): the ioctl freezes and revalidates the
 * namespaces around it (my_nvme_passthru_start()), which an
 * asynchronous completion cannot. Upstream runs such commands through
 * io_uring without either.
 */
static int my_nvme_uring_cmd(struct my_nvme_ctrl *ctrl, struct my_nvme_ns *ns,
			     struct io_uring_cmd *ioucmd,
			     unsigned int issue_flags)
{
	const struct nvme_uring_cmd *c = io_uring_sqe_cmd(ioucmd->sqe);
	struct my_nvme_uring_pdu *pdu = my_nvme_uring_cmd_pdu(ioucmd);
	struct nvme_passthru_cmd64 ucmd = {};
	bool admin, vec;
	struct request *rq;
	u32 effects;

	if ((issue_flags & (IO_URING_F_SQE128 | IO_URING_F_CQE32)) !=
	    (IO_URING_F_SQE128 | IO_URING_F_CQE32))
		return -EOPNOTSUPP;
	switch (ioucmd->cmd_op) {
	case NVME_URING_CMD_IO:
	case NVME_URING_CMD_IO_VEC:
		if (!ns)
			return -ENOTTY;
		admin = false;
		break;
	case NVME_URING_CMD_ADMIN:
	case NVME_URING_CMD_ADMIN_VEC:
		if (ns)
			return -ENOTTY;
		admin = true;
		break;
	default:
		return -ENOTTY;
	}
	vec = ioucmd->cmd_op == NVME_URING_CMD_IO_VEC ||
	      ioucmd->cmd_op == NVME_URING_CMD_ADMIN_VEC;

	/* The SQE is the user's memory: every field is read once. */
	ucmd.opcode = READ_ONCE(c->opcode);
	ucmd.flags = READ_ONCE(c->flags);
	ucmd.rsvd1 = READ_ONCE(c->rsvd1);
	ucmd.nsid = READ_ONCE(c->nsid);
	ucmd.cdw2 = READ_ONCE(c->cdw2);
	ucmd.cdw3 = READ_ONCE(c->cdw3);
	ucmd.metadata = READ_ONCE(c->metadata);
	ucmd.addr = READ_ONCE(c->addr);
	ucmd.metadata_len = READ_ONCE(c->metadata_len);
	ucmd.data_len = READ_ONCE(c->data_len);
	ucmd.cdw10 = READ_ONCE(c->cdw10);
	ucmd.cdw11 = READ_ONCE(c->cdw11);
	ucmd.cdw12 = READ_ONCE(c->cdw12);
	ucmd.cdw13 = READ_ONCE(c->cdw13);
	ucmd.cdw14 = READ_ONCE(c->cdw14);
	ucmd.cdw15 = READ_ONCE(c->cdw15);
	ucmd.timeout_ms = READ_ONCE(c->timeout_ms);

	effects = my_nvme_cmd_effects(ctrl->effects, admin, ucmd.opcode);
	if (!my_nvme_uring_cmd_allowed(effects, admin, ucmd.opcode)) {
		dev_err_ratelimited(ctrl->dev, "%s: opcode 0x%02x changes namespaces: send it with an ioctl, not io_uring\n",
				    current->comm, ucmd.opcode);
		return -EOPNOTSUPP;
	}

	rq = my_nvme_user_rq(ctrl, ns, &ucmd, admin, vec, ioucmd, issue_flags);
	if (IS_ERR(rq))
		return PTR_ERR(rq);
	pdu->rq = rq;
	pdu->bio = rq->bio;
	rq->end_io = my_nvme_uring_end_io;
	rq->end_io_data = ioucmd;
	blk_execute_rq_nowait(rq, false);
	return -EIOCBQUEUED;
}

/* Polls the request's queue if it went to a polled one (IORING_SETUP_IOPOLL). */
static int my_nvme_uring_cmd_iopoll(struct io_uring_cmd *ioucmd,
				    struct io_comp_batch *iob,
				    unsigned int poll_flags)
{
	struct request *rq = my_nvme_uring_cmd_pdu(ioucmd)->rq;

	if (rq && blk_rq_is_poll(rq))
		return blk_rq_poll(rq, iob, poll_flags);
	return 0;
}

/* NVME_IOCTL_RESET, _SUBSYS_RESET, _RESCAN: what nvme-cli's reset uses. */
static int my_nvme_ctrl_op(struct my_nvme_ctrl *ctrl, unsigned int cmd)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EACCES;
	switch (cmd) {
	case NVME_IOCTL_RESET:
		dev_warn(ctrl->dev, "resetting controller (ioctl)\n");
		return my_nvme_reset_ctrl_sync(ctrl);
	case NVME_IOCTL_SUBSYS_RESET:
		if (!ctrl->cap_info.subsys_reset)
			return -ENOTTY;
		dev_warn(ctrl->dev, "NVM subsystem reset (ioctl)\n");
		return my_nvme_subsys_reset(ctrl);
	case NVME_IOCTL_RESCAN:
		return my_nvme_rescan(ctrl);
	}
	return -ENOTTY;
}

static long my_nvme_ctrl_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	struct my_nvme_ctrl *ctrl = file->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case NVME_IOCTL_ADMIN_CMD:
		return my_nvme_ioctl_cmd(ctrl, NULL, argp, true, false, false);
	case NVME_IOCTL_ADMIN64_CMD:
		return my_nvme_ioctl_cmd(ctrl, NULL, argp, true, true, false);
	case NVME_IOCTL_IO_CMD:
		return my_nvme_ctrl_io_cmd(ctrl, argp, false);
	case NVME_IOCTL_IO64_CMD:
		return my_nvme_ctrl_io_cmd(ctrl, argp, true);
	case NVME_IOCTL_RESET:
	case NVME_IOCTL_SUBSYS_RESET:
	case NVME_IOCTL_RESCAN:
		return my_nvme_ctrl_op(ctrl, cmd);
	default:
		return -ENOTTY;
	}
}

/* A namespace's ioctls, on its disk and on its generic char device. */
static int my_nvme_ns_cmd_ioctl(struct my_nvme_ns *ns, unsigned int cmd,
				void __user *argp)
{
	struct my_nvme_ctrl *ctrl = ns->ctrl;

	switch (cmd) {
	case NVME_IOCTL_ID:
		return ns->nsid;
	case NVME_IOCTL_ADMIN_CMD:
		return my_nvme_ioctl_cmd(ctrl, NULL, argp, true, false, false);
	case NVME_IOCTL_ADMIN64_CMD:
		return my_nvme_ioctl_cmd(ctrl, NULL, argp, true, true, false);
	case NVME_IOCTL_IO_CMD:
		return my_nvme_ioctl_cmd(ctrl, ns, argp, false, false, false);
	case NVME_IOCTL_IO64_CMD:
		return my_nvme_ioctl_cmd(ctrl, ns, argp, false, true, false);
	case NVME_IOCTL_IO64_CMD_VEC:
		return my_nvme_ioctl_cmd(ctrl, ns, argp, false, true, true);
	default:
		return -ENOTTY;
	}
}

/* Block device ioctls: the namespace is the disk's. */
int my_nvme_ns_ioctl(struct block_device *bdev, blk_mode_t mode,
		     unsigned int cmd, unsigned long arg)
{
	return my_nvme_ns_cmd_ioctl(bdev->bd_disk->private_data, cmd,
				    (void __user *)arg);
}

static int my_nvme_ctrl_open(struct inode *inode, struct file *file)
{
	struct my_nvme_ctrl *ctrl =
		container_of(inode->i_cdev, struct my_nvme_ctrl, cdev);

	if (my_nvme_state(ctrl) != MY_NVME_CTRL_LIVE)
		return -EWOULDBLOCK;
	file->private_data = ctrl;
	return 0;
}

static int my_nvme_ctrl_uring_cmd(struct io_uring_cmd *ioucmd,
				  unsigned int issue_flags)
{
	return my_nvme_uring_cmd(ioucmd->file->private_data, NULL, ioucmd,
				 issue_flags);
}

static const struct file_operations my_nvme_ctrl_fops = {
	.owner		= THIS_MODULE,
	.open		= my_nvme_ctrl_open,
	.unlocked_ioctl	= my_nvme_ctrl_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.uring_cmd	= my_nvme_ctrl_uring_cmd,
};

/* ---- a namespace's generic char device (ns.c makes it) ---- */

static int my_nvme_ns_chr_open(struct inode *inode, struct file *file)
{
	struct my_nvme_ns *ns = container_of(inode->i_cdev, struct my_nvme_ns,
					     cdev);

	if (test_bit(MY_NVME_NS_REMOVING, &ns->flags))
		return -ENODEV;
	file->private_data = ns;
	return 0;
}

static long my_nvme_ns_chr_ioctl(struct file *file, unsigned int cmd,
				 unsigned long arg)
{
	return my_nvme_ns_cmd_ioctl(file->private_data, cmd,
				    (void __user *)arg);
}

static int my_nvme_ns_chr_uring_cmd(struct io_uring_cmd *ioucmd,
				    unsigned int issue_flags)
{
	struct my_nvme_ns *ns = ioucmd->file->private_data;

	return my_nvme_uring_cmd(ns->ctrl, ns, ioucmd, issue_flags);
}

const struct file_operations my_nvme_ns_chr_fops = {
	.owner		= THIS_MODULE,
	.open		= my_nvme_ns_chr_open,
	.unlocked_ioctl	= my_nvme_ns_chr_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.uring_cmd	= my_nvme_ns_chr_uring_cmd,
	.uring_cmd_iopoll = my_nvme_uring_cmd_iopoll,
};

/* ---- a multipath disk's generic char device (multipath.c's head) ---- */

static int my_nvme_head_chr_open(struct inode *inode, struct file *file)
{
	struct my_nvme_ns_head *head =
		container_of(inode->i_cdev, struct my_nvme_ns_head, cdev);

	if (!my_nvme_tryget_ns_head(head))
		return -ENXIO;
	file->private_data = head;
	return 0;
}

static int my_nvme_head_chr_release(struct inode *inode, struct file *file)
{
	my_nvme_put_ns_head(file->private_data);
	return 0;
}

/* The namespace's ioctls go to a usable path (my_nvme_get_path()). */
static long my_nvme_head_chr_ioctl(struct file *file, unsigned int cmd,
				   unsigned long arg)
{
	struct my_nvme_ns *ns = my_nvme_get_path(file->private_data);
	long ret;

	if (!ns)
		return -EWOULDBLOCK;
	ret = my_nvme_ns_cmd_ioctl(ns, cmd, (void __user *)arg);
	my_nvme_put_ns(ns);
	return ret;
}

/*
 * An io_uring command goes to a usable path: its request, once
 * allocated, holds that path's queue, which the path's removal drains.
 */
static int my_nvme_head_chr_uring_cmd(struct io_uring_cmd *ioucmd,
				      unsigned int issue_flags)
{
	struct my_nvme_ns_head *head = ioucmd->file->private_data;
	struct my_nvme_ns *ns;
	int idx, ret = -EWOULDBLOCK;

	idx = srcu_read_lock(&head->srcu);
	ns = my_nvme_find_path(head);
	if (ns)
		ret = my_nvme_uring_cmd(ns->ctrl, ns, ioucmd, issue_flags);
	srcu_read_unlock(&head->srcu, idx);
	return ret;
}

const struct file_operations my_nvme_head_chr_fops = {
	.owner		= THIS_MODULE,
	.open		= my_nvme_head_chr_open,
	.release	= my_nvme_head_chr_release,
	.unlocked_ioctl	= my_nvme_head_chr_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.uring_cmd	= my_nvme_head_chr_uring_cmd,
	.uring_cmd_iopoll = my_nvme_uring_cmd_iopoll,
};

/* ---- the class device ---- */

static void my_nvme_ctrl_release(struct device *dev)
{
	struct my_nvme_ctrl *ctrl = to_ctrl(dev);

	my_nvme_instance_free(ctrl);
	my_nvme_free_ctrl(ctrl);
}

/*
 * Called early in probe: the instance number, and the class device, from
 * which on put_device() frees the controller.
 */
int my_nvme_init_ctrl_dev(struct my_nvme_ctrl *ctrl)
{
	struct device *dev = &ctrl->ctrl_dev;
	int ret;

	ret = my_nvme_instance_alloc();
	if (ret < 0)
		return ret;
	ctrl->instance = ret;
	device_initialize(dev);
	dev->class = &my_nvme_class;
	dev->parent = &ctrl->pdev->dev;
	dev->release = my_nvme_ctrl_release;
	dev_set_drvdata(dev, ctrl);
	cdev_init(&ctrl->cdev, &my_nvme_ctrl_fops);
	ctrl->cdev.owner = THIS_MODULE;
	return 0;
}

int my_nvme_add_ctrl_dev(struct my_nvme_ctrl *ctrl)
{
	struct device *dev = &ctrl->ctrl_dev;
	int ret;

	dev->devt = MKDEV(MAJOR(my_nvme_chr_devt), ctrl->instance);
	ret = dev_set_name(dev, MY_NVME_NAME "%d", ctrl->instance);
	if (ret)
		return ret;
	ret = cdev_device_add(&ctrl->cdev, dev);
	if (ret)
		return ret;
	ctrl->ctrl_dev_added = true;
	return 0;
}

void my_nvme_del_ctrl_dev(struct my_nvme_ctrl *ctrl)
{
	if (!ctrl->ctrl_dev_added)
		return;
	cdev_device_del(&ctrl->cdev, &ctrl->ctrl_dev);
	ctrl->ctrl_dev_added = false;
}

int __init my_nvme_chardev_init(void)
{
	int ret;

	ret = alloc_chrdev_region(&my_nvme_chr_devt, 0, MY_NVME_MINORS,
				  MY_NVME_NAME);
	if (ret)
		return ret;
	ret = class_register(&my_nvme_class);
	if (ret)
		goto unregister;
	ret = my_nvme_ns_chr_init();
	if (ret)
		goto class;
	return 0;

class:
	class_unregister(&my_nvme_class);
unregister:
	unregister_chrdev_region(my_nvme_chr_devt, MY_NVME_MINORS);
	return ret;
}

void my_nvme_chardev_exit(void)
{
	my_nvme_ns_chr_exit();
	class_unregister(&my_nvme_class);
	unregister_chrdev_region(my_nvme_chr_devt, MY_NVME_MINORS);
}
