// SPDX-License-Identifier: GPL-2.0
/*
 * my_nvme chardev.c: the controller's class device /dev/my_nvme<N>, its
 * sysfs attributes, and the NVMe passthrough ioctls of
 * include/uapi/linux/nvme_ioctl.h on it and on the namespace disks.
 */

#include <linux/cdev.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/nvme_ioctl.h>
#include <kunit/visibility.h>

#include "my_nvme.h"

#define MY_NVME_MINORS		BIT(MINORBITS)

static dev_t my_nvme_chr_devt;
/* Controller instances: the minor of /dev/my_nvme<N>, and N. */
static DEFINE_IDA(my_nvme_ida);

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
		if (test_bit(MY_NVME_NS_DEAD, &fz->ns[n]->flags))
			my_nvme_remove_ns(fz->ns[n]);
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

/* True if part of the buffer cannot be read (to_dev) or written. */
static bool my_nvme_user_buf_faults(void __user *ubuf, u32 len, bool to_dev)
{
	if (to_dev)
		return fault_in_readable(ubuf, len) != 0;
	return fault_in_safe_writeable(ubuf, len) != 0;
}

static int my_nvme_user_cmd(struct my_nvme_ctrl *ctrl, struct my_nvme_ns *ns,
			    struct nvme_passthru_cmd64 *ucmd, bool admin)
{
	void __user *ubuf = u64_to_user_ptr(ucmd->addr);
	struct nvme_command cmd = {};
	struct my_nvme_frozen fz;
	struct request_queue *q;
	struct my_nvme_iod *iod;
	struct request *rq;
	struct bio *bio;
	blk_status_t sts;
	u64 need;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EACCES;
	ret = my_nvme_passthru_check(ucmd, admin, ctrl->max_hw_sectors << 9);
	if (ret)
		return ret;
	/* A disk's own I/O commands name its namespace, as nvme_user_cmd(). */
	if (ns && !admin && ucmd->nsid != ns->nsid) {
		dev_err_ratelimited(ctrl->dev, "%s: nsid %u in the command is not %s's (%u)\n",
				    current->comm, ucmd->nsid,
				    ns->disk->disk_name, ns->nsid);
		return -EINVAL;
	}
	need = my_nvme_passthru_xfer_len(ucmd, admin, ns ? ns->lba_shift : 0);
	if (need > ucmd->data_len) {
		dev_err_ratelimited(ctrl->dev, "%s: opcode 0x%02x moves %llu bytes, its buffer has %u\n",
				    current->comm, ucmd->opcode, need,
				    ucmd->data_len);
		return -EINVAL;
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
	 * Counted before the state check, which removal changes before it
	 * waits (my_nvme_wait_user_cmds()): either removal sees this
	 * command, or the command sees the removal.
	 */
	atomic_inc(&ctrl->user_cmds);
	/* The count before the state read; pairs with my_nvme_wait_user_cmds(). */
	smp_mb__after_atomic();
	if (my_nvme_state(ctrl) != MY_NVME_CTRL_LIVE) {
		ret = -ENODEV;
		goto out_done;
	}
	q = admin ? ctrl->admin_q : ns->disk->queue;

	rq = blk_mq_alloc_request(q, nvme_is_write(&cmd) ? REQ_OP_DRV_OUT :
				  REQ_OP_DRV_IN, 0);
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

	if (ucmd->data_len) {
		/*
		 * bio_map_user_iov() in 6.12 leaks its page array when it
		 * cannot pin a buffer of more than UIO_FASTIOV pages (the
		 * fix went to stable in 2026). Faulting the buffer in first
		 * turns an unmapped or read-only buffer into -EFAULT here,
		 * before the block layer allocates anything.
		 */
		if (my_nvme_user_buf_faults(ubuf, ucmd->data_len,
					    nvme_is_write(&cmd))) {
			ret = -EFAULT;
			goto out_free;
		}
		ret = blk_rq_map_user(q, rq, NULL, ubuf, ucmd->data_len,
				      GFP_KERNEL);
		if (ret)
			goto out_free;
	}
	bio = rq->bio;

	ret = my_nvme_passthru_start(ctrl, admin, ucmd->opcode, &fz);
	if (ret)
		goto out_unmap;
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
	goto out_done;

out_unmap:
	if (bio)
		blk_rq_unmap_user(bio);
out_free:
	blk_mq_free_request(rq);
out_done:
	my_nvme_user_cmd_done(ctrl);
	return ret;
}

/* The 32-bit result variant shares the layout up to timeout_ms. */
static int my_nvme_ioctl_cmd(struct my_nvme_ctrl *ctrl, struct my_nvme_ns *ns,
			     void __user *argp, bool admin, bool is64)
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

	ret = my_nvme_user_cmd(ctrl, ns, &ucmd, admin);
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
	ret = my_nvme_ioctl_cmd(ctrl, ns, argp, false, is64);
	my_nvme_put_ns(ns);
	return ret;
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
		return my_nvme_ioctl_cmd(ctrl, NULL, argp, true, false);
	case NVME_IOCTL_ADMIN64_CMD:
		return my_nvme_ioctl_cmd(ctrl, NULL, argp, true, true);
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

/* Block device ioctls: the namespace is the disk's. */
int my_nvme_ns_ioctl(struct block_device *bdev, blk_mode_t mode,
		     unsigned int cmd, unsigned long arg)
{
	struct my_nvme_ns *ns = bdev->bd_disk->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case NVME_IOCTL_ID:
		return ns->nsid;
	case NVME_IOCTL_ADMIN_CMD:
		return my_nvme_ioctl_cmd(ns->ctrl, NULL, argp, true, false);
	case NVME_IOCTL_ADMIN64_CMD:
		return my_nvme_ioctl_cmd(ns->ctrl, NULL, argp, true, true);
	case NVME_IOCTL_IO_CMD:
		return my_nvme_ioctl_cmd(ns->ctrl, ns, argp, false, false);
	case NVME_IOCTL_IO64_CMD:
		return my_nvme_ioctl_cmd(ns->ctrl, ns, argp, false, true);
	default:
		return -ENOTTY;
	}
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

static const struct file_operations my_nvme_ctrl_fops = {
	.owner		= THIS_MODULE,
	.open		= my_nvme_ctrl_open,
	.unlocked_ioctl	= my_nvme_ctrl_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

/* ---- the class device ---- */

static void my_nvme_ctrl_release(struct device *dev)
{
	struct my_nvme_ctrl *ctrl = to_ctrl(dev);

	ida_free(&my_nvme_ida, ctrl->instance);
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

	ret = ida_alloc(&my_nvme_ida, GFP_KERNEL);
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
		unregister_chrdev_region(my_nvme_chr_devt, MY_NVME_MINORS);
	return ret;
}

void my_nvme_chardev_exit(void)
{
	class_unregister(&my_nvme_class);
	unregister_chrdev_region(my_nvme_chr_devt, MY_NVME_MINORS);
	ida_destroy(&my_nvme_ida);
}
