// SPDX-License-Identifier: GPL-2.0
/*
 * my_nvme chardev.c: the controller's class device /dev/my_nvme<N>, its
 * sysfs attributes, and the NVMe passthrough ioctls of
 * include/uapi/linux/nvme_ioctl.h on it and on the namespace disks.
 */

#include <linux/cdev.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/nvme_ioctl.h>
#include <kunit/visibility.h>

#include "my_nvme.h"

#define MY_NVME_MINORS		BIT(MINORBITS)

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

static ssize_t reset_controller_store(struct device *dev,
				      struct device_attribute *attr,
				      const char *buf, size_t count)
{
	int ret = my_nvme_reset_ctrl_sync(to_ctrl(dev));

	return ret < 0 ? ret : count;
}
static DEVICE_ATTR_WO(reset_controller);

static ssize_t rescan_controller_store(struct device *dev,
				       struct device_attribute *attr,
				       const char *buf, size_t count)
{
	struct my_nvme_ctrl *ctrl = to_ctrl(dev);

	if (my_nvme_state(ctrl) != MY_NVME_CTRL_LIVE)
		return -EBUSY;
	queue_work(system_wq, &ctrl->scan_work);
	flush_work(&ctrl->scan_work);
	return count;
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
	NULL,
};
ATTRIBUTE_GROUPS(my_nvme_ctrl);

static const struct class my_nvme_class = {
	.name		= MY_NVME_NAME,
	.dev_groups	= my_nvme_ctrl_groups,
};

/* ---- passthrough ---- */

/*
 * Vet a user command before it reaches the controller. Queue management
 * belongs to the driver: a user deleting an I/O queue would strand every
 * request on it.
 */
int my_nvme_passthru_check(const struct nvme_passthru_cmd64 *cmd, bool admin,
			   u32 max_bytes)
{
	if (cmd->flags || cmd->rsvd1)
		return -EINVAL;	/* fused commands, SGL/PSDT bits */
	if (cmd->metadata || cmd->metadata_len)
		return -EINVAL;	/* no separate metadata buffers */
	if (cmd->data_len > max_bytes)
		return -EINVAL;
	if (!!cmd->addr != !!cmd->data_len)
		return -EINVAL;
	if (cmd->data_len && (cmd->opcode & 3) == 3)
		return -EINVAL;	/* bidirectional transfers */
	if (admin) {
		switch (cmd->opcode) {
		case nvme_admin_create_sq:
		case nvme_admin_create_cq:
		case nvme_admin_delete_sq:
		case nvme_admin_delete_cq:
		case nvme_admin_dbbuf:
			return -EPERM;
		}
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_passthru_check);

/*
 * Namespaces frozen around a command that changes them (Commands
 * Supported and Effects: CSE), so that no I/O runs while, say, Format
 * NVM changes the LBA format, and none runs with the old one after it.
 */
struct my_nvme_frozen {
	unsigned int		nr;
	struct my_nvme_ns	**ns;
};

static u32 my_nvme_passthru_start(struct my_nvme_ctrl *ctrl, bool admin,
				  u8 opcode, struct my_nvme_frozen *fz)
{
	u32 effects = my_nvme_cmd_effects(ctrl->effects, admin, opcode);
	struct my_nvme_ns *ns;
	unsigned int n = 0;
	int idx;

	fz->nr = 0;
	fz->ns = NULL;
	if (!(effects & NVME_CMD_EFFECTS_CSE_MASK))
		return effects;

	/* scan_lock: no namespace comes or goes until passthru_end. */
	mutex_lock(&ctrl->scan_lock);
	idx = srcu_read_lock(&ctrl->srcu);
	list_for_each_entry_srcu(ns, &ctrl->namespaces, list,
				 srcu_read_lock_held(&ctrl->srcu))
		n++;
	fz->ns = kcalloc(n, sizeof(*fz->ns), GFP_KERNEL);
	if (fz->ns) {
		list_for_each_entry_srcu(ns, &ctrl->namespaces, list,
					 srcu_read_lock_held(&ctrl->srcu)) {
			if (fz->nr == n)
				break;
			get_device(disk_to_dev(ns->disk));
			fz->ns[fz->nr++] = ns;
		}
	}
	srcu_read_unlock(&ctrl->srcu, idx);
	for (n = 0; n < fz->nr; n++)
		blk_freeze_queue_start(fz->ns[n]->disk->queue);
	for (n = 0; n < fz->nr; n++)
		blk_mq_freeze_queue_wait(fz->ns[n]->disk->queue);
	return effects;
}

/*
 * After the command: the frozen namespaces are revalidated before any
 * I/O runs again (a new LBA format, a new size); then a rescan picks up
 * namespaces that appeared or went away.
 */
static void my_nvme_passthru_end(struct my_nvme_ctrl *ctrl, u32 effects,
				 struct my_nvme_frozen *fz)
{
	struct nvme_command cmd;
	struct nvme_id_ns *id;
	unsigned long gone = 0;
	unsigned int n;

	if (effects & NVME_CMD_EFFECTS_CSE_MASK) {
		id = kzalloc(sizeof(*id), GFP_KERNEL);
		for (n = 0; n < fz->nr; n++) {
			struct my_nvme_ns *ns = fz->ns[n];

			if (!id)
				break;
			my_nvme_cmd_identify(&cmd, NVME_ID_CNS_NS, ns->nsid);
			if (my_nvme_submit_sync_cmd(ctrl, &cmd, id, sizeof(*id),
						    NULL) ||
			    my_nvme_revalidate_ns(ns, id)) {
				/* I/O must not resume with a stale format. */
				set_bit(MY_NVME_NS_DEAD, &ns->flags);
				if (n < BITS_PER_LONG)
					__set_bit(n, &gone);
			}
		}
		kfree(id);
		for (n = 0; n < fz->nr; n++)
			blk_mq_unfreeze_queue(fz->ns[n]->disk->queue);
		mutex_unlock(&ctrl->scan_lock);
		for (n = 0; n < fz->nr; n++) {
			if (n < BITS_PER_LONG && test_bit(n, &gone))
				my_nvme_remove_ns(fz->ns[n]);
			my_nvme_put_ns(fz->ns[n]);
		}
		kfree(fz->ns);
	}
	if (effects & (NVME_CMD_EFFECTS_NIC | NVME_CMD_EFFECTS_NCC |
		       NVME_CMD_EFFECTS_LBCC)) {
		queue_work(system_wq, &ctrl->scan_work);
		flush_work(&ctrl->scan_work);
	}
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
	u32 effects;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EACCES;
	ret = my_nvme_passthru_check(ucmd, admin, ctrl->max_hw_sectors << 9);
	if (ret)
		return ret;

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

	down_read(&ctrl->passthru_rwsem);
	if (my_nvme_state(ctrl) != MY_NVME_CTRL_LIVE) {
		ret = -ENODEV;
		goto out_unlock;
	}
	q = admin ? ctrl->admin_q : ns->disk->queue;

	rq = blk_mq_alloc_request(q, nvme_is_write(&cmd) ? REQ_OP_DRV_OUT :
				  REQ_OP_DRV_IN, 0);
	if (IS_ERR(rq)) {
		ret = PTR_ERR(rq);
		goto out_unlock;
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
		ret = blk_rq_map_user(q, rq, NULL, ubuf, ucmd->data_len,
				      GFP_KERNEL);
		if (ret)
			goto out_free;
	}
	bio = rq->bio;

	effects = my_nvme_passthru_start(ctrl, admin, ucmd->opcode, &fz);
	sts = blk_execute_rq(rq, false);
	ret = iod->status ? iod->status : blk_status_to_errno(sts);
	ucmd->result = le64_to_cpu(iod->result.u64);
	if (bio)
		blk_rq_unmap_user(bio);
	blk_mq_free_request(rq);
	up_read(&ctrl->passthru_rwsem);
	my_nvme_passthru_end(ctrl, effects, &fz);
	return ret;

out_free:
	blk_mq_free_request(rq);
out_unlock:
	up_read(&ctrl->passthru_rwsem);
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
		dev_warn(ctrl->dev, "NVM subsystem reset (ioctl)\n");
		return my_nvme_subsys_reset(ctrl);
	case NVME_IOCTL_RESCAN:
		if (my_nvme_state(ctrl) != MY_NVME_CTRL_LIVE)
			return -EBUSY;
		queue_work(system_wq, &ctrl->scan_work);
		flush_work(&ctrl->scan_work);
		return 0;
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

	my_nvme_free_ctrl(ctrl);
}

/* Called early in probe: from here on put_device() frees the controller. */
void my_nvme_init_ctrl_dev(struct my_nvme_ctrl *ctrl)
{
	struct device *dev = &ctrl->ctrl_dev;

	device_initialize(dev);
	dev->class = &my_nvme_class;
	dev->parent = &ctrl->pdev->dev;
	dev->release = my_nvme_ctrl_release;
	dev_set_drvdata(dev, ctrl);
	cdev_init(&ctrl->cdev, &my_nvme_ctrl_fops);
	ctrl->cdev.owner = THIS_MODULE;
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
}
