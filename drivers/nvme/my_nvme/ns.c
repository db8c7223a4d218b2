// SPDX-License-Identifier: GPL-2.0
/*
 * my_nvme ns.c: namespaces: one gendisk each and a generic char device
 * beside it, its queue limits from Identify Namespace, the namespace
 * scan (the Active Namespace ID list), and the state every namespace's
 * queue shares across a reset: freeze, sync, dead, stale.
 */

#include <linux/blkdev.h>
#include <linux/cdev.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "my_nvme.h"

/* ---- Queue state across all namespaces ---- */

/*
 * Started in one context (timeout, suspend, FLR) and ended in another
 * (the reset work): the non-owner variants keep lockdep's freeze
 * tracking out of it. MY_NVME_CTRL_FROZEN makes it one freeze however
 * often the disable path runs.
 */
void my_nvme_start_freeze(struct my_nvme_ctrl *ctrl)
{
	struct my_nvme_ns *ns;

	if (test_and_set_bit(MY_NVME_CTRL_FROZEN, &ctrl->flags))
		return;
	my_nvme_for_each_ns(ctrl, ns)
		blk_freeze_queue_start_non_owner(ns->disk->queue);
}

void my_nvme_wait_freeze(struct my_nvme_ctrl *ctrl)
{
	struct my_nvme_ns *ns;

	if (!test_bit(MY_NVME_CTRL_FROZEN, &ctrl->flags))
		return;
	my_nvme_for_each_ns(ctrl, ns)
		blk_mq_freeze_queue_wait(ns->disk->queue);
}

/* Returns the time left, 0 when it ran out. */
int my_nvme_wait_freeze_timeout(struct my_nvme_ctrl *ctrl, long timeout)
{
	struct my_nvme_ns *ns;

	if (!test_bit(MY_NVME_CTRL_FROZEN, &ctrl->flags))
		return timeout;
	my_nvme_for_each_ns(ctrl, ns) {
		timeout = blk_mq_freeze_queue_wait_timeout(ns->disk->queue,
							   timeout);
		if (timeout <= 0)
			break;
	}
	return max(timeout, 0L);
}

void my_nvme_unfreeze(struct my_nvme_ctrl *ctrl)
{
	struct my_nvme_ns *ns;

	if (!test_and_clear_bit(MY_NVME_CTRL_FROZEN, &ctrl->flags))
		return;
	my_nvme_for_each_ns(ctrl, ns)
		blk_mq_unfreeze_queue_non_owner(ns->disk->queue);
}

/* Wait for running timeout handlers; none starts before the next I/O. */
void my_nvme_sync_queues(struct my_nvme_ctrl *ctrl)
{
	struct my_nvme_ns *ns;

	my_nvme_for_each_ns(ctrl, ns)
		blk_sync_queue(ns->disk->queue);
	if (ctrl->admin_q)
		blk_sync_queue(ctrl->admin_q);
}

/*
 * I/O to these namespaces fails from now on, in queue_rq, so that
 * nothing waits on a controller that is gone; the disks go later.
 * (Not blk_mark_disk_dead(): its drain freeze, held until the same task
 * calls del_gendisk(), orders the queue freeze before open_mutex.)
 */
void my_nvme_mark_namespaces_dead(struct my_nvme_ctrl *ctrl)
{
	struct my_nvme_ns *ns;

	my_nvme_for_each_ns(ctrl, ns)
		set_bit(MY_NVME_NS_DEAD, &ns->flags);
}

/*
 * Fail the held I/O of namespaces whose format is unknown
 * (MY_NVME_NS_STALE): nothing times those requests out, and a change of
 * the queue layout must drain every queue. The rescan then replaces the
 * disk (my_nvme_scan_ns()).
 */
void my_nvme_fail_stale_namespaces(struct my_nvme_ctrl *ctrl)
{
	struct my_nvme_ns *ns;

	my_nvme_for_each_ns(ctrl, ns) {
		if (!test_bit(MY_NVME_NS_STALE, &ns->flags) ||
		    test_and_set_bit(MY_NVME_NS_DEAD, &ns->flags))
			continue;
		dev_warn(ctrl->dev, "%s: format unknown across a queue layout change, failing its I/O\n",
			 ns->disk->disk_name);
		blk_mq_run_hw_queues(ns->disk->queue, true);
	}
}

/* ---- Disks ---- */

static void my_nvme_free_disk(struct gendisk *disk)
{
	struct my_nvme_ns *ns = disk->private_data;

	if (ns->head)
		my_nvme_put_ns_head(ns->head);
	put_device(&ns->ctrl->ctrl_dev);
	kfree(ns);
}

/* The passthrough ioctls are the char device's (chardev.c): up through the ops. */
static int my_nvme_bdev_ioctl(struct block_device *bdev, blk_mode_t mode,
			      unsigned int cmd, unsigned long arg)
{
	struct my_nvme_ns *ns = bdev->bd_disk->private_data;

	return ns->ctrl->ops->ns_ioctl(bdev, mode, cmd, arg);
}

#if IS_ENABLED(CONFIG_BLK_DEV_ZONED)
static int my_nvme_report_zones(struct gendisk *disk, sector_t sector,
				unsigned int nr_zones, report_zones_cb cb,
				void *data)
{
	return my_nvme_ns_report_zones(disk->private_data, sector, nr_zones,
				       cb, data);
}
#else
#define my_nvme_report_zones	NULL
#endif

static const struct block_device_operations my_nvme_bdev_ops = {
	.owner		= THIS_MODULE,
	.ioctl		= my_nvme_bdev_ioctl,
	.compat_ioctl	= blkdev_compat_ptr_ioctl,
	.report_zones	= my_nvme_report_zones,
	.free_disk	= my_nvme_free_disk,
};

/*
 * The disk's identity in sysfs, as nvme's namespace attributes (lsblk's
 * WWN, udev's by-id links): wwid, uuid, nguid, eui, csi and nsid, the
 * identifiers only where the controller reports them. A multipath disk
 * (multipath.c) has them too, from its head: the same attribute group
 * serves both kinds of disk.
 */
struct my_nvme_disk_ident {
	const struct my_nvme_ns_ids *ids;
	u32		nsid;
	u16		ms;
	u16		vid;
	const char	*sn;	/* Identify Controller's SN, 20 bytes */
	const char	*mn;	/* ... and MN, 40 */
	struct my_nvme_ns *ns;	/* NULL for a multipath disk */
};

static void my_nvme_disk_ident(struct device *dev,
			       struct my_nvme_disk_ident *d)
{
	struct gendisk *disk = dev_to_disk(dev);
	struct my_nvme_ns_head *head;
	struct my_nvme_ns *ns;

	if (disk->fops == &my_nvme_bdev_ops) {
		ns = disk->private_data;
		d->ns = ns;
		d->ids = &ns->ids;
		d->nsid = ns->nsid;
		d->ms = READ_ONCE(ns->ms);
		d->vid = ns->ctrl->vid;
		d->sn = ns->ctrl->id_sn;
		d->mn = ns->ctrl->id_mn;
		return;
	}
	head = disk->private_data;
	d->ns = NULL;
	d->ids = &head->ids;
	d->nsid = head->nsid;
	d->ms = READ_ONCE(head->ms);
	d->vid = head->subsys->vid;
	d->sn = head->subsys->id_sn;
	d->mn = head->subsys->id_mn;
}

static ssize_t wwid_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct my_nvme_disk_ident d;

	my_nvme_disk_ident(dev, &d);
	return my_nvme_wwid(buf, PAGE_SIZE, d.ids, d.vid, d.sn,
			    sizeof(((struct my_nvme_ctrl *)NULL)->id_sn), d.mn,
			    sizeof(((struct my_nvme_ctrl *)NULL)->id_mn), d.nsid);
}
static DEVICE_ATTR_RO(wwid);

/* Without a UUID, nvme shows the NGUID as one (and so do we). */
static ssize_t uuid_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct my_nvme_disk_ident d;

	my_nvme_disk_ident(dev, &d);
	if (uuid_is_null(&d.ids->uuid))
		return sysfs_emit(buf, "%pU\n", d.ids->nguid);
	return sysfs_emit(buf, "%pU\n", &d.ids->uuid);
}
static DEVICE_ATTR_RO(uuid);

static ssize_t nguid_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct my_nvme_disk_ident d;

	my_nvme_disk_ident(dev, &d);
	return sysfs_emit(buf, "%pU\n", d.ids->nguid);
}
static DEVICE_ATTR_RO(nguid);

static ssize_t eui_show(struct device *dev, struct device_attribute *attr,
			char *buf)
{
	struct my_nvme_disk_ident d;

	my_nvme_disk_ident(dev, &d);
	return sysfs_emit(buf, "%8ph\n", d.ids->eui64);
}
static DEVICE_ATTR_RO(eui);

static ssize_t csi_show(struct device *dev, struct device_attribute *attr,
			char *buf)
{
	struct my_nvme_disk_ident d;

	my_nvme_disk_ident(dev, &d);
	return sysfs_emit(buf, "%u\n", d.ids->csi);
}
static DEVICE_ATTR_RO(csi);

static ssize_t nsid_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct my_nvme_disk_ident d;

	my_nvme_disk_ident(dev, &d);
	return sysfs_emit(buf, "%u\n", d.nsid);
}
static DEVICE_ATTR_RO(nsid);

/* Metadata bytes per block of the format in use, as nvme's. */
static ssize_t metadata_bytes_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	struct my_nvme_disk_ident d;

	my_nvme_disk_ident(dev, &d);
	return sysfs_emit(buf, "%u\n", d.ms);
}
static DEVICE_ATTR_RO(metadata_bytes);

/*
 * A path of a multipath disk (a hidden disk, my_nvme<S>c<C>n<N>): its
 * ANA state, always optimized (without ANA every path is), and what went
 * through it: the bios the multipath disk sent, the requests that
 * failed over from it to another path.
 */
static ssize_t ana_state_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "optimized\n");
}
static DEVICE_ATTR_RO(ana_state);

static ssize_t multipath_bios_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	struct my_nvme_ns *ns = dev_to_disk(dev)->private_data;

	return sysfs_emit(buf, "%ld\n", atomic_long_read(&ns->mpath_bios));
}
static DEVICE_ATTR_RO(multipath_bios);

static ssize_t failovers_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct my_nvme_ns *ns = dev_to_disk(dev)->private_data;

	return sysfs_emit(buf, "%d\n", atomic_read(&ns->failovers));
}
static DEVICE_ATTR_RO(failovers);

static struct attribute *my_nvme_ns_attrs[] = {
	&dev_attr_wwid.attr,
	&dev_attr_uuid.attr,
	&dev_attr_nguid.attr,
	&dev_attr_eui.attr,
	&dev_attr_csi.attr,
	&dev_attr_nsid.attr,
	&dev_attr_metadata_bytes.attr,
	&dev_attr_ana_state.attr,
	&dev_attr_multipath_bios.attr,
	&dev_attr_failovers.attr,
	NULL,
};

static umode_t my_nvme_ns_attr_visible(struct kobject *kobj,
				       struct attribute *a, int n)
{
	struct my_nvme_disk_ident d;
	bool nguid;

	my_nvme_disk_ident(kobj_to_dev(kobj), &d);
	nguid = memchr_inv(d.ids->nguid, 0, sizeof(d.ids->nguid));
	if (a == &dev_attr_uuid.attr && uuid_is_null(&d.ids->uuid) && !nguid)
		return 0;
	if (a == &dev_attr_nguid.attr && !nguid)
		return 0;
	if (a == &dev_attr_eui.attr &&
	    !memchr_inv(d.ids->eui64, 0, sizeof(d.ids->eui64)))
		return 0;
	if ((a == &dev_attr_ana_state.attr ||
	     a == &dev_attr_multipath_bios.attr ||
	     a == &dev_attr_failovers.attr) && (!d.ns || !d.ns->head))
		return 0;
	return a->mode;
}

const struct attribute_group my_nvme_ns_attr_group = {
	.attrs		= my_nvme_ns_attrs,
	.is_visible	= my_nvme_ns_attr_visible,
};

static const struct attribute_group *my_nvme_ns_attr_groups[] = {
	&my_nvme_ns_attr_group,
	NULL,
};

/*
 * A namespace must not share an identifier with another of the
 * controller's: links made from the wwid (/dev/disk/by-id) would name
 * both, multipath would take them for one. nvme refuses such a
 * namespace within a subsystem (nvme_subsys_check_duplicate_ids()).
 * Across controllers nvme clears colliding identifiers of PCIe
 * devices; this driver does not compare them across controllers yet.
 */
static bool my_nvme_ns_ids_taken(struct my_nvme_ctrl *ctrl,
				 const struct my_nvme_ns_ids *ids)
{
	struct my_nvme_ns *ns;

	my_nvme_for_each_ns(ctrl, ns)
		if (my_nvme_ns_ids_clash(ids, &ns->ids))
			return true;
	return false;
}

/*
 * The namespace's queue limits, as nvme_update_disk_info(): a physical
 * block no larger than what is written atomically on power fail (file
 * systems assume a physical block write is atomic), io_opt only when
 * NOWS says so, discard and Write Zeroes within what the controller
 * accepts (DMRSL/DMRL, WZSL or MDTS). The volatile write cache decides
 * flushes and FUA by its presence (VWC): whether it is enabled can
 * change at any time, a disabled cache acks flushes cheaply.
 */
void my_nvme_ns_limits(struct my_nvme_ctrl *ctrl, const struct nvme_id_ns *id,
		       const struct my_nvme_ns_info *info,
		       struct queue_limits *lim)
{
	u8 lba_shift = info->lba_shift;
	u32 bs = 1U << lba_shift;
	u32 phys_bs = bs, atomic_bs = bs, io_opt = 0, boundary = 0;

	if (!id->nabo) {
		if ((id->nsfeat & NVME_NS_FEAT_ATOMICS) && id->nawupf) {
			atomic_bs = (1 + le16_to_cpu(id->nawupf)) * bs;
			if (id->nabspf)
				boundary = (le16_to_cpu(id->nabspf) + 1) * bs;
		} else {
			atomic_bs = (1 + ctrl->awupf) * bs;
		}
		lim->atomic_write_hw_max = atomic_bs;
		lim->atomic_write_hw_boundary = boundary;
		lim->atomic_write_hw_unit_min = bs;
		lim->atomic_write_hw_unit_max = rounddown_pow_of_two(atomic_bs);
	}
	if (id->nsfeat & NVME_NS_FEAT_IO_OPT) {
		/* NPWG and NOWS are 0's based multiples of the LBA size. */
		phys_bs = bs * (1 + le16_to_cpu(id->npwg));
		if (id->nows)
			io_opt = bs * (1 + le16_to_cpu(id->nows));
	}

	lim->logical_block_size = bs;
	lim->physical_block_size = min(phys_bs, atomic_bs);
	lim->io_min = phys_bs;
	lim->io_opt = io_opt;
	lim->max_hw_sectors = ctrl->max_hw_sectors;
	/* Page-sized segments (virt boundary), one more for an offset. */
	lim->max_segments = min_t(u32, MY_NVME_MAX_SEGS, ctrl->max_hw_sectors /
				  (MY_NVME_CTRL_PAGE_SIZE >> SECTOR_SHIFT) + 1);
	lim->virt_boundary_mask = MY_NVME_CTRL_PAGE_SIZE - 1;
	lim->dma_alignment = 3;

	lim->features &= ~(BLK_FEAT_WRITE_CACHE | BLK_FEAT_FUA);
	if (ctrl->vwc & NVME_CTRL_VWC_PRESENT)
		lim->features |= BLK_FEAT_WRITE_CACHE | BLK_FEAT_FUA;

	lim->max_hw_discard_sectors = 0;
	if (ctrl->oncs & NVME_CTRL_ONCS_DSM) {
		/* DMRSL: LBAs in one range; the sector count must fit. */
		if (ctrl->dmrsl && ctrl->dmrsl <= (UINT_MAX >> (lba_shift - SECTOR_SHIFT)))
			lim->max_hw_discard_sectors =
				ctrl->dmrsl << (lba_shift - SECTOR_SHIFT);
		else
			lim->max_hw_discard_sectors = UINT_MAX;
		lim->max_discard_segments = ctrl->max_discard_segments;
		/* NPDG: the preferred deallocate granularity, 0's based. */
		lim->discard_granularity = bs;
		if (id->nsfeat & NVME_NS_FEAT_IO_OPT)
			lim->discard_granularity = bs * (1 + le16_to_cpu(id->npdg));
	}
	lim->max_write_zeroes_sectors = ctrl->max_zeroes_sectors;

	/* Zones: the block layer splits at their ends and tracks them. */
	lim->features &= ~BLK_FEAT_ZONED;
	lim->chunk_sectors = 0;
	lim->max_open_zones = 0;
	lim->max_active_zones = 0;
	lim->max_zone_append_sectors = 0;
	if (info->zoned) {
		lim->features |= BLK_FEAT_ZONED;
		lim->chunk_sectors = info->zone_sectors;
		lim->max_open_zones = info->max_open;
		lim->max_active_zones = info->max_active;
		lim->max_zone_append_sectors = ctrl->max_zone_append;
	}

	/*
	 * Metadata: one separate buffer per request (MPTR), never a list;
	 * the controller's limit whatever the format, as nvme-pci's.
	 */
	my_nvme_integrity_limits(info, IS_ENABLED(CONFIG_BLK_DEV_INTEGRITY),
				 &lim->integrity);
	lim->max_integrity_segments = 1;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_ns_limits);

/*
 * The namespace's format: Identify Namespace, and where the controller
 * has extended LBA formats (CTRATT.ELBAS) and the format has metadata,
 * the NVM command set's Identify Namespace, which says which guard its
 * protection information has (as nvme_update_ns_info_block()). Its I/O
 * command set (@csi, from the Namespace Identification Descriptors) is
 * checked: NVM, or Zoned Namespace where the controller runs every
 * command set it has (CC.CSS 110b) and the kernel has zoned block
 * devices, whose zone geometry is asked for too. Any other is not
 * driven; upstream gives such a namespace a generic char device.
 */
static int my_nvme_ns_format(struct my_nvme_ctrl *ctrl, u32 nsid,
			     const struct nvme_id_ns *id, u8 csi,
			     struct my_nvme_ns_info *info)
{
	struct nvme_id_ns_nvm *nvm = NULL;
	int ret = 0;

	if ((ctrl->ctratt & NVME_CTRL_ATTR_ELBAS) &&
	    id->lbaf[nvme_lbaf_index(id->flbas) & 0x3f].ms) {
		nvm = kzalloc(sizeof(*nvm), GFP_KERNEL);
		if (!nvm)
			return -ENOMEM;
		ret = my_nvme_identify_ns_nvm(ctrl, nsid, nvm);
		if (ret)
			goto out;
	}
	my_nvme_ns_info(id, nvm, IS_ENABLED(CONFIG_BLK_DEV_INTEGRITY), info);
	if (info->unsupported)
		goto out;
	switch (csi) {
	case NVME_CSI_NVM:
		break;
	case NVME_CSI_ZNS:
		if ((ctrl->ctrl_config & NVME_CC_CSS_MASK) != NVME_CC_CSS_CSI)
			info->unsupported = "zoned, but CAP.CSS offers NVM only";
		else
			ret = my_nvme_ns_zone_info(ctrl, nsid, info);
		break;
	default:
		info->unsupported = "I/O command set not supported (NVM and Zoned Namespace are)";
		break;
	}
out:
	kfree(nvm);
	return ret;
}

/* What the data path reads of the format; the queue is frozen or held. */
static void my_nvme_ns_set_format(struct my_nvme_ns *ns,
				  const struct my_nvme_ns_info *info)
{
	WRITE_ONCE(ns->lba_shift, info->lba_shift);
	ns->zone_sectors = info->zone_sectors;
	ns->ms = info->ms;
	ns->pi_type = info->pi_type;
	ns->pi_size = info->pi_size;
	ns->guard_type = info->guard_type;
	ns->ext_lbas = info->ext_lbas;
	ns->deac = info->deac;
}

static sector_t my_nvme_ns_capacity(const struct my_nvme_ns_info *info)
{
	if (info->no_block_io)
		return 0;
	return info->nsze << (info->lba_shift - SECTOR_SHIFT);
}

static void my_nvme_log_ns(struct my_nvme_ns *ns,
			   const struct my_nvme_ns_info *info)
{
	char meta[80] = "";

	if (info->pi_type)
		snprintf(meta, sizeof(meta),
			 ", %u bytes of %s metadata, PI type %u (%u-bit guard%s)",
			 info->ms, info->ext_lbas ? "interleaved" : "separate",
			 info->pi_type,
			 info->guard_type == NVME_NVM_NS_64B_GUARD ? 64 : 16,
			 info->pi_offset ? ", last" : "");
	else if (info->ms)
		snprintf(meta, sizeof(meta), ", %u bytes of %s metadata",
			 info->ms, info->ext_lbas ? "interleaved" : "separate");
	dev_info(ns->ctrl->dev, "%s: %llu blocks of %u bytes (%llu MiB)%s%s%s\n",
		 ns->disk->disk_name, info->nsze, 1U << info->lba_shift,
		 (info->nsze << info->lba_shift) >> 20, meta,
		 (ns->ctrl->vwc & NVME_CTRL_VWC_PRESENT) ?
		 ", volatile write cache" : "",
		 info->readonly ? ", write protected" : "");
	if (info->no_block_io)
		dev_info(ns->ctrl->dev, "%s: no block I/O (capacity 0): %s; passthrough only\n",
			 ns->disk->disk_name, info->no_block_io);
}

/* ---- The generic char device, /dev/my_ng<C>n<N> ---- */

/*
 * As nvme's /dev/ng<C>n<N> (drivers/nvme/host/core.c, nvme_add_ns_cdev()):
 * a char device per namespace for the passthrough ioctls and io_uring
 * commands (chardev.c, through ctrl->ops->ns_chr_fops). nvme makes one
 * also for a namespace it cannot drive as a block device (another
 * command set, a format the block layer refuses); here it comes and
 * goes with the disk, and such a namespace has neither. Its struct
 * device holds the disk, so an open file keeps the namespace's memory;
 * the file's commands fail once the disk is deleted.
 */
#define MY_NVME_NS_CHR_MINORS	BIT(MINORBITS)

static dev_t my_nvme_ns_chr_devt;
static DEFINE_IDA(my_nvme_ns_chr_ida);

static const struct class my_nvme_ns_chr_class = {
	.name		= MY_NVME_NAME "-generic",
};

static void my_nvme_ns_chr_release(struct device *dev)
{
	struct my_nvme_ns *ns = container_of(dev, struct my_nvme_ns,
					     cdev_device);

	ida_free(&my_nvme_ns_chr_ida, MINOR(dev->devt));
	put_device(disk_to_dev(ns->disk));
}

/* A minor of the class for @dev, whose @release frees it. */
static int my_nvme_chr_init_dev(struct device *dev, struct device *parent,
				void (*release)(struct device *))
{
	int minor;

	minor = ida_alloc_max(&my_nvme_ns_chr_ida, MY_NVME_NS_CHR_MINORS - 1,
			      GFP_KERNEL);
	if (minor < 0)
		return minor;
	device_initialize(dev);
	dev->devt = MKDEV(MAJOR(my_nvme_ns_chr_devt), minor);
	dev->class = &my_nvme_ns_chr_class;
	dev->parent = parent;
	dev->release = release;
	return 0;
}

/* A namespace without its char device still has its disk: not fatal. */
static void my_nvme_add_ns_chr(struct my_nvme_ns *ns)
{
	struct my_nvme_ctrl *ctrl = ns->ctrl;
	struct device *dev = &ns->cdev_device;
	int ret;

	ret = my_nvme_chr_init_dev(dev, &ctrl->ctrl_dev,
				   my_nvme_ns_chr_release);
	if (ret)
		goto fail;
	/* Dropped by the release, which frees the minor too. */
	get_device(disk_to_dev(ns->disk));
	cdev_init(&ns->cdev, ctrl->ops->ns_chr_fops);
	ns->cdev.owner = THIS_MODULE;
	ret = dev_set_name(dev, "my_ng%dn%u", ctrl->instance, ns->nsid);
	if (!ret)
		ret = cdev_device_add(&ns->cdev, dev);
	if (!ret) {
		ns->cdev_added = true;
		return;
	}
	put_device(dev);
fail:
	dev_warn(ctrl->dev, "%s: no generic char device: %d\n",
		 ns->disk->disk_name, ret);
}

static void my_nvme_head_chr_release(struct device *dev)
{
	ida_free(&my_nvme_ns_chr_ida, MINOR(dev->devt));
}

/*
 * A multipath disk's generic char device, my_ng<S>n<NSID>, whose
 * commands go to a usable path (@fops, chardev.c's): multipath.c adds
 * it with the disk, through the controller's ops, and deletes it.
 */
int my_nvme_add_head_chr(struct my_nvme_ns_head *head,
			 const struct file_operations *fops)
{
	struct device *dev = &head->cdev_device;
	int ret;

	ret = my_nvme_chr_init_dev(dev, &head->subsys->dev,
				   my_nvme_head_chr_release);
	if (ret)
		return ret;
	cdev_init(&head->cdev, fops);
	head->cdev.owner = THIS_MODULE;
	ret = dev_set_name(dev, "my_ng%dn%u", head->subsys->instance,
			   head->nsid);
	if (!ret)
		ret = cdev_device_add(&head->cdev, dev);
	if (ret) {
		put_device(dev);
		return ret;
	}
	head->cdev_added = true;
	return 0;
}

static void my_nvme_del_ns_chr(struct my_nvme_ns *ns)
{
	if (!ns->cdev_added)
		return;
	cdev_device_del(&ns->cdev, &ns->cdev_device);
	put_device(&ns->cdev_device);
}

int __init my_nvme_ns_chr_init(void)
{
	int ret;

	ret = alloc_chrdev_region(&my_nvme_ns_chr_devt, 0,
				  MY_NVME_NS_CHR_MINORS,
				  MY_NVME_NAME "-generic");
	if (ret)
		return ret;
	ret = class_register(&my_nvme_ns_chr_class);
	if (ret)
		unregister_chrdev_region(my_nvme_ns_chr_devt,
					 MY_NVME_NS_CHR_MINORS);
	return ret;
}

void my_nvme_ns_chr_exit(void)
{
	class_unregister(&my_nvme_ns_chr_class);
	unregister_chrdev_region(my_nvme_ns_chr_devt, MY_NVME_NS_CHR_MINORS);
	ida_destroy(&my_nvme_ns_chr_ida);
}

/*
 * Register a gendisk for namespace @nsid. Namespaces we cannot drive are
 * skipped with a log line: the controller may still have others.
 */
int my_nvme_add_ns(struct my_nvme_ctrl *ctrl, u32 nsid,
		   const struct nvme_id_ns *id, const struct my_nvme_ns_ids *ids)
{
	struct queue_limits lim = {};
	struct my_nvme_ns_info info;
	struct gendisk *disk;
	struct my_nvme_ns *ns;
	int ret;

	/* The scan adds namespaces one at a time: the duplicate check holds. */
	lockdep_assert_held(&ctrl->scan_lock);
	ret = my_nvme_ns_format(ctrl, nsid, id, ids->csi, &info);
	if (ret)
		return ret;
	if (info.unsupported && ids->csi != NVME_CSI_NVM) {
		dev_warn(ctrl->dev, "namespace %u (command set %u): %s, skipped\n",
			 nsid, ids->csi, info.unsupported);
		return -ENODEV;
	}
	if (info.unsupported) {
		dev_warn(ctrl->dev, "namespace %u: %s, skipped\n", nsid,
			 info.unsupported);
		return -ENODEV;
	}
	if (my_nvme_ns_ids_taken(ctrl, ids)) {
		dev_err(ctrl->dev, "namespace %u: identifiers of another namespace (duplicate IDs), skipped\n",
			nsid);
		return -EINVAL;
	}

	ns = kzalloc(sizeof(*ns), GFP_KERNEL);
	if (!ns)
		return -ENOMEM;
	INIT_LIST_HEAD(&ns->list);
	INIT_LIST_HEAD(&ns->siblings);
	ns->ctrl = ctrl;
	ns->nsid = nsid;
	ns->ids = *ids;
	my_nvme_ns_set_format(ns, &info);
	/* A path of a shared namespace's multipath disk? */
	ret = my_nvme_mpath_attach(ns, &info);
	if (ret)
		goto free_ns;

	my_nvme_ns_limits(ctrl, id, &info, &lim);
	disk = blk_mq_alloc_disk(&ctrl->tagset, &lim, ns);
	if (IS_ERR(disk)) {
		ret = PTR_ERR(disk);
		goto free_ns;
	}
	disk->fops = &my_nvme_bdev_ops;
	disk->private_data = ns;
	if (ns->head) {
		/* Hidden, as nvme's paths: the multipath disk is the one. */
		snprintf(disk->disk_name, DISK_NAME_LEN,
			 MY_NVME_NAME "%dc%dn%u", ctrl->subsys->instance,
			 ctrl->instance, nsid);
		disk->flags |= GENHD_FL_HIDDEN;
	} else {
		snprintf(disk->disk_name, DISK_NAME_LEN, MY_NVME_NAME "%dn%u",
			 ctrl->instance, nsid);
	}
	set_capacity(disk, my_nvme_ns_capacity(&info));
	set_disk_ro(disk, info.readonly);
	ns->disk = disk;
	/* Its zones before its users: the block layer tracks write pointers. */
	if (info.zoned) {
		ret = blk_revalidate_disk_zones(disk);
		if (ret) {
			dev_err(ctrl->dev, "namespace %u: its zones cannot be read (%d), skipped\n",
				nsid, ret);
			goto put_disk;
		}
	}

	ret = device_add_disk(&ctrl->ctrl_dev, disk, my_nvme_ns_attr_groups);
	if (ret) {
		dev_err(ctrl->dev, "namespace %u: add_disk failed: %d\n",
			nsid, ret);
		goto put_disk;
	}
	/* Dropped by ->free_disk: ioctls may outlive the PCI device. */
	get_device(&ctrl->ctrl_dev);

	if (!ns->head)
		my_nvme_add_ns_chr(ns);

	mutex_lock(&ctrl->ns_lock);
	list_add_tail_rcu(&ns->list, &ctrl->namespaces);
	mutex_unlock(&ctrl->ns_lock);
	my_nvme_log_ns(ns, &info);
	my_nvme_mpath_set_live(ns);
	return 0;

	/* ->free_disk only runs for a disk that was added: free it here. */
put_disk:
	put_disk(disk);
free_ns:
	if (ns->head) {
		my_nvme_mpath_remove_path(ns);
		my_nvme_put_ns_head(ns->head);
	}
	kfree(ns);
	return ret;
}

/*
 * Bring a live disk in line with Identify Namespace: a new LBA format
 * (after Format NVM) changes the block size and every limit, under a
 * freeze so that no I/O runs with the old arithmetic; a new size is
 * announced. A namespace whose format was unknown (MY_NVME_NS_STALE)
 * has had no I/O dispatched since (my_nvme_prep_rq() holds it), so it
 * needs no freeze, which could not finish anyway while those requests
 * wait; it resumes here. Returns non-zero when the namespace can no
 * longer be driven and its disk must go.
 */
int my_nvme_revalidate_ns(struct my_nvme_ns *ns, const struct nvme_id_ns *id)
{
	struct my_nvme_ctrl *ctrl = ns->ctrl;
	struct request_queue *q = ns->disk->queue;
	bool stale = test_bit(MY_NVME_NS_STALE, &ns->flags);
	struct my_nvme_ns_info info;
	struct queue_limits lim;
	bool changed;
	int ret;

	ret = my_nvme_ns_format(ctrl, ns->nsid, id, ns->ids.csi, &info);
	if (ret)
		return ret;
	if (info.unsupported) {
		dev_warn(ctrl->dev, "%s: namespace %u: %s now, removing the disk\n",
			 ns->disk->disk_name, ns->nsid, info.unsupported);
		return -ENODEV;
	}

	if (!stale)
		blk_mq_freeze_queue(q);
	lim = queue_limits_start_update(q);
	my_nvme_ns_limits(ctrl, id, &info, &lim);
	ret = queue_limits_commit_update(q, &lim);
	changed = info.lba_shift != ns->lba_shift || info.ms != ns->ms ||
		info.pi_type != ns->pi_type || info.ext_lbas != ns->ext_lbas;
	if (!ret && changed)
		dev_info(ctrl->dev, "%s: format now %u-byte blocks, %u bytes of metadata, PI type %u (was %u, %u, %u)\n",
			 ns->disk->disk_name, 1U << info.lba_shift, info.ms,
			 info.pi_type, 1U << ns->lba_shift, ns->ms,
			 ns->pi_type);
	if (!ret)
		my_nvme_ns_set_format(ns, &info);
	if (!ret && (set_capacity_and_notify(ns->disk,
					     my_nvme_ns_capacity(&info)) ||
		     changed))
		my_nvme_log_ns(ns, &info);
	if (!ret && test_bit(GD_READ_ONLY, &ns->disk->state) != info.readonly) {
		dev_info(ctrl->dev, "%s: %s\n", ns->disk->disk_name,
			 info.readonly ? "write protected now" :
			 "no longer write protected");
		set_disk_ro(ns->disk, info.readonly);
	}
	if (!stale) {
		blk_mq_unfreeze_queue(q);
	} else if (!ret) {
		/* The new format is in place before any request sees it. */
		smp_mb__before_atomic();
		clear_bit(MY_NVME_NS_STALE, &ns->flags);
		dev_info(ctrl->dev, "%s: format known again, I/O resumes\n",
			 ns->disk->disk_name);
		blk_mq_run_hw_queues(q, true);
	}
	return ret;
}

/* A reference on the namespace (its disk) found by id, or NULL. */
struct my_nvme_ns *my_nvme_find_get_ns(struct my_nvme_ctrl *ctrl, u32 nsid)
{
	struct my_nvme_ns *ns, *found = NULL;

	my_nvme_for_each_ns(ctrl, ns) {
		if (ns->nsid == nsid) {
			get_device(disk_to_dev(ns->disk));
			found = ns;
			break;
		}
	}
	return found;
}

void my_nvme_put_ns(struct my_nvme_ns *ns)
{
	put_device(disk_to_dev(ns->disk));
}

/*
 * The end of a namespace already off the list: the requests it holds
 * fail on a dead controller or with an unknown format, its generic
 * char device goes, then its disk (its open users get errors from now
 * on), and our reference.
 */
static void my_nvme_del_ns_disk(struct my_nvme_ns *ns)
{
	if (my_nvme_state(ns->ctrl) == MY_NVME_CTRL_DEAD ||
	    test_bit(MY_NVME_NS_STALE, &ns->flags))
		set_bit(MY_NVME_NS_DEAD, &ns->flags);
	/* No bio of the multipath disk comes here any more. */
	my_nvme_mpath_remove_path(ns);
	my_nvme_del_ns_chr(ns);
	del_gendisk(ns->disk);
	put_disk(ns->disk);
}

/*
 * Take one namespace's disk away: off the list, then
 * my_nvme_del_ns_disk().
 */
void my_nvme_remove_ns(struct my_nvme_ns *ns)
{
	struct my_nvme_ctrl *ctrl = ns->ctrl;

	mutex_lock(&ctrl->ns_lock);
	if (test_and_set_bit(MY_NVME_NS_REMOVING, &ns->flags)) {
		mutex_unlock(&ctrl->ns_lock);
		return;
	}
	list_del_rcu(&ns->list);
	mutex_unlock(&ctrl->ns_lock);
	/* No walker sees it any more: freeze and quiesce leave it alone. */
	synchronize_srcu(&ctrl->srcu);
	my_nvme_del_ns_disk(ns);
}

/*
 * Move every namespace from ctrl->namespaces to @list. The walkers are
 * SRCU readers: list_splice_init_rcu() with synchronize_rcu, as nvme
 * core.c has it, would not wait for them, and a walker still inside the
 * old list would follow the spliced entries into @list (on our stack)
 * instead of back to ctrl->namespaces. So: empty the list for new
 * walkers, wait for the old ones (synchronize_srcu), then splice.
 */
static void my_nvme_take_namespaces(struct my_nvme_ctrl *ctrl,
				    struct list_head *list)
{
	struct list_head *first, *last;
	struct my_nvme_ns *ns;

	mutex_lock(&ctrl->ns_lock);
	if (list_empty(&ctrl->namespaces)) {
		mutex_unlock(&ctrl->ns_lock);
		return;
	}
	/* REMOVING under ns_lock: my_nvme_remove_ns() leaves these alone. */
	list_for_each_entry(ns, &ctrl->namespaces, list)
		set_bit(MY_NVME_NS_REMOVING, &ns->flags);
	first = ctrl->namespaces.next;
	last = ctrl->namespaces.prev;
	INIT_LIST_HEAD_RCU(&ctrl->namespaces);
	mutex_unlock(&ctrl->ns_lock);

	synchronize_srcu(&ctrl->srcu);
	/* No walker sees first..last any more: they are ours alone. */
	first->prev = list;
	last->next = list;
	list->next = first;
	list->prev = last;
}

void my_nvme_remove_namespaces(struct my_nvme_ctrl *ctrl)
{
	struct my_nvme_ns *ns, *next;
	LIST_HEAD(list);

	/* Requests the scan itself issued must be able to finish. */
	my_nvme_unquiesce_io_queues(ctrl);
	flush_work(&ctrl->scan_work);
	mutex_lock(&ctrl->scan_lock);
	if (my_nvme_state(ctrl) == MY_NVME_CTRL_DEAD)
		my_nvme_mark_namespaces_dead(ctrl);
	my_nvme_take_namespaces(ctrl, &list);

	list_for_each_entry_safe(ns, next, &list, list) {
		list_del_init(&ns->list);
		my_nvme_del_ns_disk(ns);
	}
	mutex_unlock(&ctrl->scan_lock);
}

/* ---- The scan ---- */

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
			    struct nvme_id_ns *id, bool probe)
{
	struct my_nvme_ns *ns = my_nvme_find_get_ns(ctrl, nsid);
	struct my_nvme_ns_ids ids;
	int ret, ids_ret;

	/* Its I/O was failed (a reset changed the queue layout): a new disk. */
	if (ns && test_bit(MY_NVME_NS_DEAD, &ns->flags)) {
		my_nvme_remove_ns(ns);
		my_nvme_put_ns(ns);
		ns = NULL;
	}
	ret = my_nvme_identify_ns(ctrl, nsid, id);
	/*
	 * Walking every NSID (@probe), not the active list: an inactive
	 * one (NCAP 0) has no disk, and says nothing.
	 */
	if (probe && !ret && !id->ncap) {
		if (ns) {
			dev_info(ctrl->dev, "%s: namespace %u inactive now, removing the disk\n",
				 ns->disk->disk_name, nsid);
			my_nvme_remove_ns(ns);
			my_nvme_put_ns(ns);
		}
		return;
	}
	/* Identifiers not known (ids_ret != 0): no disk is made or replaced. */
	ids_ret = ret ?: my_nvme_identify_ns_ids(ctrl, nsid, id, &ids);
	/*
	 * Other identifiers under the same NSID: another namespace (it was
	 * deleted and a new one made), so another disk, at once; where
	 * nvme_validate_ns() only removes the old one and a later scan adds
	 * the new, this scan does both.
	 */
	if (!ids_ret && ns && memcmp(&ids, &ns->ids, sizeof(ids))) {
		dev_info(ctrl->dev, "%s: namespace %u has new identifiers, a new disk\n",
			 ns->disk->disk_name, nsid);
		my_nvme_remove_ns(ns);
		my_nvme_put_ns(ns);
		ns = NULL;
	}
	if (!ns) {
		if (!ids_ret)
			my_nvme_add_ns(ctrl, nsid, id, &ids);
		return;
	}
	if (!ret)
		ret = my_nvme_revalidate_ns(ns, id);
	if (!ret)
		my_nvme_mpath_update(ns);
	/*
	 * Zones last, on a queue neither frozen nor held: the block layer
	 * reads them through it (not in my_nvme_revalidate_ns(), whose
	 * passthrough caller has the queue frozen; it rescans).
	 */
	if (!ret && ns->zone_sectors) {
		ret = blk_revalidate_disk_zones(ns->disk);
		if (ret)
			dev_err(ctrl->dev, "%s: its zones cannot be read again (%d)\n",
				ns->disk->disk_name, ret);
		ret = 0;
	} else if (ret > 0 && !(ret & NVME_STATUS_DNR) &&
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

	if (first > last)
		return;
	do {
		gone = NULL;
		my_nvme_for_each_ns(ctrl, ns) {
			if (ns->nsid < first || ns->nsid > last)
				continue;
			get_device(disk_to_dev(ns->disk));
			gone = ns;
			break;
		}
		if (gone) {
			dev_info(ctrl->dev, "%s: namespace %u gone, removing the disk\n",
				 gone->disk->disk_name, gone->nsid);
			my_nvme_remove_ns(gone);
			my_nvme_put_ns(gone);
		}
	} while (gone);
}

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
				my_nvme_scan_ns(ctrl, nsid, id, false);
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

/*
 * A controller that cannot list its active namespaces
 * (my_nvme_limited_cns()): every NSID up to NN in turn, an inactive one
 * identified as zeros (NCAP 0), as nvme_scan_ns_sequential().
 */
static int my_nvme_scan_ns_sequential(struct my_nvme_ctrl *ctrl)
{
	struct nvme_id_ns *id = kzalloc(sizeof(*id), GFP_KERNEL);
	u32 nsid;

	if (!id)
		return -ENOMEM;
	for (nsid = 1; nsid <= ctrl->nn; nsid++)
		my_nvme_scan_ns(ctrl, nsid, id, true);
	my_nvme_remove_ns_range(ctrl, ctrl->nn + 1, U32_MAX);
	kfree(id);
	return 0;
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
	if (my_nvme_limited_cns(ctrl->vs, ctrl->quirks))
		ret = my_nvme_scan_ns_sequential(ctrl);
	else
		ret = my_nvme_scan_ns_list(ctrl);
	if (ret)
		dev_err(ctrl->dev, "namespace scan failed (%d): the disks stay as they were\n",
			ret);
	mutex_unlock(&ctrl->scan_lock);
}
