// SPDX-License-Identifier: GPL-2.0
/*
 * my_nvme multipath.c: NVM subsystems and native multipath. Controllers
 * that report one SUBNQN form a subsystem; a namespace they share (NMIC)
 * gets one disk, whose bios go to one of its paths (the namespace as
 * each controller sees it) by the subsystem's I/O policy, move to
 * another when a path fails, and wait, for a bounded time, when none is
 * left. Controller instance numbers are handed out here too: a
 * subsystem keeps its first controller's for the names of its disks.
 * As drivers/nvme/host/multipath.c, without ANA (QEMU 7.2 has none).
 */

#include <linux/blkdev.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <trace/events/block.h>

#include "my_nvme.h"

bool my_nvme_multipath = true;
module_param_named(multipath, my_nvme_multipath, bool, 0444);
MODULE_PARM_DESC(multipath,
		 "One disk for a namespace shared by the controllers of a subsystem, its I/O over any of them (default Y); N: a disk per controller");

static unsigned int delayed_removal_secs = 10;
module_param(delayed_removal_secs, uint, 0644);
MODULE_PARM_DESC(delayed_removal_secs,
		 "Seconds a multipath disk whose last path went holds its I/O for one to come back, then fails it and goes away (default 10; 0: at once)");

static const char * const my_nvme_iopolicy_names[] = {
	[MY_NVME_IOPOLICY_NUMA]	= "numa",
	[MY_NVME_IOPOLICY_RR]	= "round-robin",
};

static int my_nvme_iopolicy_parse(const char *buf)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(my_nvme_iopolicy_names); i++)
		if (sysfs_streq(buf, my_nvme_iopolicy_names[i]))
			return i;
	return -EINVAL;
}

static int my_nvme_default_iopolicy = MY_NVME_IOPOLICY_NUMA;

static int my_nvme_set_iopolicy(const char *val, const struct kernel_param *kp)
{
	int policy = my_nvme_iopolicy_parse(val);

	if (policy < 0)
		return policy;
	WRITE_ONCE(my_nvme_default_iopolicy, policy);
	return 0;
}

static int my_nvme_get_iopolicy(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n",
			  my_nvme_iopolicy_names[READ_ONCE(my_nvme_default_iopolicy)]);
}

module_param_call(iopolicy, my_nvme_set_iopolicy, my_nvme_get_iopolicy,
		  &my_nvme_default_iopolicy, 0644);
MODULE_PARM_DESC(iopolicy,
		 "I/O policy of new subsystems: numa (default: the nearest live path) or round-robin");

static DEFINE_IDA(my_nvme_instance_ida);
static LIST_HEAD(my_nvme_subsystems);
static DEFINE_MUTEX(my_nvme_subsystems_lock);	/* the list, registration */

/* ---- Controller instances ---- */

int my_nvme_instance_alloc(void)
{
	return ida_alloc(&my_nvme_instance_ida, GFP_KERNEL);
}

/* A controller's instance goes with it, unless its subsystem keeps it. */
void my_nvme_instance_free(struct my_nvme_ctrl *ctrl)
{
	if (!ctrl->subsys_instance)
		ida_free(&my_nvme_instance_ida, ctrl->instance);
}

/* ---- Subsystems ---- */

static struct my_nvme_subsys *to_subsys(struct device *dev)
{
	return container_of(dev, struct my_nvme_subsys, dev);
}

static ssize_t subsysnqn_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", to_subsys(dev)->subnqn);
}
static DEVICE_ATTR_RO(subsysnqn);

static ssize_t model_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n", to_subsys(dev)->model);
}
static DEVICE_ATTR_RO(model);

static ssize_t serial_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%s\n", to_subsys(dev)->serial);
}
static DEVICE_ATTR_RO(serial);

static ssize_t iopolicy_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  my_nvme_iopolicy_names[READ_ONCE(to_subsys(dev)->iopolicy)]);
}

/* A new policy starts from no path: each disk's next bio picks again. */
static ssize_t iopolicy_store(struct device *dev, struct device_attribute *attr,
			      const char *buf, size_t count)
{
	struct my_nvme_subsys *subsys = to_subsys(dev);
	struct my_nvme_ns_head *head;
	int policy = my_nvme_iopolicy_parse(buf);
	int node;

	if (policy < 0)
		return policy;
	mutex_lock(&subsys->lock);
	WRITE_ONCE(subsys->iopolicy, policy);
	list_for_each_entry(head, &subsys->heads, entry)
		for_each_node(node)
			rcu_assign_pointer(head->current_path[node], NULL);
	mutex_unlock(&subsys->lock);
	dev_info(dev, "I/O policy %s\n", my_nvme_iopolicy_names[policy]);
	return count;
}
static DEVICE_ATTR_RW(iopolicy);

static struct attribute *my_nvme_subsys_attrs[] = {
	&dev_attr_subsysnqn.attr,
	&dev_attr_model.attr,
	&dev_attr_serial.attr,
	&dev_attr_iopolicy.attr,
	NULL,
};
ATTRIBUTE_GROUPS(my_nvme_subsys);

static const struct class my_nvme_subsys_class = {
	.name		= MY_NVME_NAME "-subsystem",
	.dev_groups	= my_nvme_subsys_groups,
};

static void my_nvme_subsys_release(struct device *dev)
{
	struct my_nvme_subsys *subsys = to_subsys(dev);

	if (subsys->instance >= 0)
		ida_free(&my_nvme_instance_ida, subsys->instance);
	mutex_destroy(&subsys->lock);
	kfree(subsys);
}

/*
 * No controller and no shared namespace left: the subsystem leaves the
 * list and sysfs (a controller that comes back makes it anew).
 */
static void my_nvme_subsys_unregister_empty(struct my_nvme_subsys *subsys)
{
	bool empty;

	lockdep_assert_held(&my_nvme_subsystems_lock);
	mutex_lock(&subsys->lock);
	empty = list_empty(&subsys->ctrls) && list_empty(&subsys->heads);
	mutex_unlock(&subsys->lock);
	if (!empty || list_empty(&subsys->entry))
		return;
	list_del_init(&subsys->entry);
	device_del(&subsys->dev);
}

/*
 * Controllers of one subsystem have distinct controller IDs, and only a
 * subsystem that says it may have several (CMIC) has more than one
 * (NVMe 2.0, 5.17.2.1; as nvme_validate_cntlid()). Those going away
 * do not count.
 */
static bool my_nvme_subsys_admits(struct my_nvme_subsys *subsys,
				  struct my_nvme_ctrl *ctrl)
{
	struct my_nvme_ctrl *other;
	enum my_nvme_ctrl_state state;

	lockdep_assert_held(&subsys->lock);
	list_for_each_entry(other, &subsys->ctrls, subsys_entry) {
		state = my_nvme_state(other);
		if (state == MY_NVME_CTRL_DELETING || state == MY_NVME_CTRL_DEAD)
			continue;
		if (other->cntlid == ctrl->cntlid) {
			dev_err(ctrl->dev, "controller ID %u is %s's already, in subsystem %s: refused\n",
				ctrl->cntlid, dev_name(&other->ctrl_dev),
				subsys->subnqn);
			return false;
		}
		if (!(ctrl->cmic & NVME_CTRL_CMIC_MULTI_CTRL)) {
			dev_err(ctrl->dev, "subsystem %s has %s and does not support several controllers: refused\n",
				subsys->subnqn, dev_name(&other->ctrl_dev));
			return false;
		}
	}
	return true;
}

/*
 * Join the subsystem of the controller's SUBNQN, or make it: at probe,
 * once Identify Controller is known and the class device added (the
 * subsystem links to it). A new subsystem keeps the controller's
 * instance for its disks, my_nvme<S>n<NSID>.
 */
int my_nvme_init_subsystem(struct my_nvme_ctrl *ctrl)
{
	struct my_nvme_subsys *subsys, *found = NULL, *s;
	int ret;

	subsys = kzalloc(sizeof(*subsys), GFP_KERNEL);
	if (!subsys)
		return -ENOMEM;
	subsys->instance = -1;
	mutex_init(&subsys->lock);
	INIT_LIST_HEAD(&subsys->entry);
	INIT_LIST_HEAD(&subsys->ctrls);
	INIT_LIST_HEAD(&subsys->heads);
	strscpy(subsys->subnqn, ctrl->subnqn, sizeof(subsys->subnqn));
	strscpy(subsys->model, ctrl->model, sizeof(subsys->model));
	strscpy(subsys->serial, ctrl->serial, sizeof(subsys->serial));
	memcpy(subsys->id_sn, ctrl->id_sn, sizeof(subsys->id_sn));
	memcpy(subsys->id_mn, ctrl->id_mn, sizeof(subsys->id_mn));
	subsys->vid = ctrl->vid;
	subsys->cmic = ctrl->cmic;
	subsys->iopolicy = READ_ONCE(my_nvme_default_iopolicy);
	subsys->dev.class = &my_nvme_subsys_class;
	subsys->dev.release = my_nvme_subsys_release;
	device_initialize(&subsys->dev);
	ret = dev_set_name(&subsys->dev, MY_NVME_NAME "-subsys%d",
			   ctrl->instance);
	if (ret) {
		put_device(&subsys->dev);
		return ret;
	}

	mutex_lock(&my_nvme_subsystems_lock);
	list_for_each_entry(s, &my_nvme_subsystems, entry) {
		if (!strcmp(s->subnqn, ctrl->subnqn)) {
			found = s;
			break;
		}
	}
	if (found) {
		put_device(&subsys->dev);
		subsys = found;
		get_device(&subsys->dev);
	} else {
		ret = device_add(&subsys->dev);
		if (ret) {
			dev_err(ctrl->dev, "cannot register subsystem %s: %d\n",
				ctrl->subnqn, ret);
			put_device(&subsys->dev);
			goto unlock;
		}
		subsys->instance = ctrl->instance;
		ctrl->subsys_instance = true;
		list_add_tail(&subsys->entry, &my_nvme_subsystems);
	}

	mutex_lock(&subsys->lock);
	if (!my_nvme_subsys_admits(subsys, ctrl)) {
		mutex_unlock(&subsys->lock);
		ret = -EINVAL;
		goto put;
	}
	ret = sysfs_create_link(&subsys->dev.kobj, &ctrl->ctrl_dev.kobj,
				dev_name(&ctrl->ctrl_dev));
	if (ret) {
		mutex_unlock(&subsys->lock);
		goto put;
	}
	list_add_tail(&ctrl->subsys_entry, &subsys->ctrls);
	ctrl->subsys = subsys;
	mutex_unlock(&subsys->lock);
	mutex_unlock(&my_nvme_subsystems_lock);
	if (found)
		dev_info(ctrl->dev, "controller ID %u of subsystem %s (%s)\n",
			 ctrl->cntlid, subsys->subnqn, dev_name(&subsys->dev));
	return 0;

put:
	my_nvme_subsys_unregister_empty(subsys);
	put_device(&subsys->dev);
unlock:
	mutex_unlock(&my_nvme_subsystems_lock);
	return ret;
}

/* The controller leaves its subsystem: at removal, its disks gone. */
void my_nvme_exit_subsystem(struct my_nvme_ctrl *ctrl)
{
	struct my_nvme_subsys *subsys = ctrl->subsys;

	if (!subsys)
		return;
	mutex_lock(&my_nvme_subsystems_lock);
	mutex_lock(&subsys->lock);
	list_del(&ctrl->subsys_entry);
	mutex_unlock(&subsys->lock);
	sysfs_remove_link(&subsys->dev.kobj, dev_name(&ctrl->ctrl_dev));
	my_nvme_subsys_unregister_empty(subsys);
	mutex_unlock(&my_nvme_subsystems_lock);
	ctrl->subsys = NULL;
	put_device(&subsys->dev);
}

/* ---- Paths ---- */

/* A path the next bio may take: its controller live, its namespace too. */
static bool my_nvme_path_usable(struct my_nvme_ns *ns)
{
	return my_nvme_state(ns->ctrl) == MY_NVME_CTRL_LIVE &&
		!READ_ONCE(ns->flags);
}

/*
 * The nearest usable path from @node (all are as near on one node):
 * the NUMA policy's, and where the round-robin one starts.
 */
static struct my_nvme_ns *my_nvme_nearest_path(struct my_nvme_ns_head *head,
					       int node)
{
	struct my_nvme_ns *ns, *found = NULL;
	int distance, best = INT_MAX;

	list_for_each_entry_srcu(ns, &head->paths, siblings,
				 srcu_read_lock_held(&head->srcu)) {
		if (!my_nvme_path_usable(ns))
			continue;
		if (dev_to_node(ns->ctrl->dev) != NUMA_NO_NODE &&
		    READ_ONCE(head->subsys->iopolicy) == MY_NVME_IOPOLICY_NUMA)
			distance = node_distance(node, dev_to_node(ns->ctrl->dev));
		else
			distance = LOCAL_DISTANCE;
		if (distance < best) {
			best = distance;
			found = ns;
		}
	}
	if (found)
		rcu_assign_pointer(head->current_path[node], found);
	return found;
}

static struct my_nvme_ns *my_nvme_next_path(struct my_nvme_ns_head *head,
					    struct my_nvme_ns *ns)
{
	ns = list_next_or_null_rcu(&head->paths, &ns->siblings,
				   struct my_nvme_ns, siblings);
	return ns ?: list_first_or_null_rcu(&head->paths, struct my_nvme_ns,
					    siblings);
}

/* The usable path after the last one this node took, else that one. */
static struct my_nvme_ns *my_nvme_rr_path(struct my_nvme_ns_head *head)
{
	int node = numa_node_id();
	struct my_nvme_ns *old, *ns;

	old = srcu_dereference(head->current_path[node], &head->srcu);
	if (unlikely(!old))
		return my_nvme_nearest_path(head, node);
	for (ns = my_nvme_next_path(head, old); ns && ns != old;
	     ns = my_nvme_next_path(head, ns)) {
		if (my_nvme_path_usable(ns)) {
			rcu_assign_pointer(head->current_path[node], ns);
			return ns;
		}
	}
	return my_nvme_path_usable(old) ? old : NULL;
}

/* The path for the next bio, under head->srcu; NULL if none is usable. */
struct my_nvme_ns *my_nvme_find_path(struct my_nvme_ns_head *head)
{
	int node = numa_node_id();
	struct my_nvme_ns *ns;

	if (READ_ONCE(head->subsys->iopolicy) == MY_NVME_IOPOLICY_RR)
		return my_nvme_rr_path(head);
	ns = srcu_dereference(head->current_path[node], &head->srcu);
	if (unlikely(!ns || !my_nvme_path_usable(ns)))
		ns = my_nvme_nearest_path(head, node);
	return ns;
}

/**
 * my_nvme_get_path() - a usable path of @head, held
 * @head: the shared namespace
 *
 * For what may outlast the head's SRCU read section (an ioctl: a Format
 * NVM takes minutes, and a path's removal waits for the readers), the
 * path is held by its disk instead, as nvme_ns_head_ioctl() does.
 *
 * Return: the path, to be released with my_nvme_put_ns(), or NULL if
 * none is usable.
 */
struct my_nvme_ns *my_nvme_get_path(struct my_nvme_ns_head *head)
{
	struct my_nvme_ns *ns;
	int idx;

	idx = srcu_read_lock(&head->srcu);
	ns = my_nvme_find_path(head);
	if (ns)
		get_device(disk_to_dev(ns->disk));
	srcu_read_unlock(&head->srcu, idx);
	return ns;
}

/*
 * No usable path now, but one may come: a controller being reset, a
 * namespace whose format is being read again, or, with a delayed
 * removal, any path at all (the last one going away is waited for:
 * MY_NVME_HEAD_WAITING).
 */
static bool my_nvme_available_path(struct my_nvme_ns_head *head)
{
	struct my_nvme_ns *ns;

	if (!test_bit(MY_NVME_HEAD_DISK_LIVE, &head->flags))
		return false;
	if (test_bit(MY_NVME_HEAD_WAITING, &head->flags))
		return true;
	if (READ_ONCE(head->delayed_removal_secs) &&
	    !list_empty(&head->paths))
		return true;
	list_for_each_entry_srcu(ns, &head->paths, siblings,
				 srcu_read_lock_held(&head->srcu)) {
		if (test_bit(MY_NVME_NS_DEAD, &ns->flags) ||
		    test_bit(MY_NVME_NS_REMOVING, &ns->flags))
			continue;
		switch (my_nvme_state(ns->ctrl)) {
		case MY_NVME_CTRL_LIVE:
		case MY_NVME_CTRL_RESETTING:
		case MY_NVME_CTRL_CONNECTING:
			return true;
		default:
			break;
		}
	}
	return false;
}

/* ---- The multipath disk ---- */

/*
 * A bio of the multipath disk goes to a usable path's disk as it is
 * (MY_NVME_REQ_MPATH: a path error brings it back, blk.c's failover), or
 * waits for one, or fails when none can come.
 */
static void my_nvme_head_submit_bio(struct bio *bio)
{
	struct my_nvme_ns_head *head = bio->bi_bdev->bd_disk->private_data;
	struct my_nvme_ns *ns;
	int idx;

	/*
	 * Split by the head's limits, from the head's bio_set: the bio may
	 * move to another path's queue later (blk_steal_bios()).
	 */
	bio = bio_split_to_limits(bio);
	if (!bio)
		return;
	idx = srcu_read_lock(&head->srcu);
	ns = my_nvme_find_path(head);
	if (likely(ns)) {
		bio_set_dev(bio, ns->disk->part0);
		/* The end-of-device check was the head's. */
		bio_set_flag(bio, BIO_REMAPPED);
		bio->bi_opf |= MY_NVME_REQ_MPATH;
		atomic_long_inc(&ns->mpath_bios);
		trace_block_bio_remap(bio, disk_devt(head->disk),
				      bio->bi_iter.bi_sector);
		submit_bio_noacct(bio);
	} else if (my_nvme_available_path(head)) {
		dev_warn_ratelimited(disk_to_dev(head->disk),
				     "no usable path: I/O waits for one\n");
		spin_lock_irq(&head->requeue_lock);
		bio_list_add(&head->requeue_list, bio);
		spin_unlock_irq(&head->requeue_lock);
	} else {
		dev_warn_ratelimited(disk_to_dev(head->disk),
				     "no path left: failing I/O\n");
		bio_io_error(bio);
	}
	srcu_read_unlock(&head->srcu, idx);
}

/* The bios that waited or failed over, submitted again. */
static void my_nvme_requeue_work(struct work_struct *work)
{
	struct my_nvme_ns_head *head =
		container_of(work, struct my_nvme_ns_head, requeue_work);
	struct bio *bio, *next;

	spin_lock_irq(&head->requeue_lock);
	next = bio_list_get(&head->requeue_list);
	spin_unlock_irq(&head->requeue_lock);
	while ((bio = next)) {
		next = bio->bi_next;
		bio->bi_next = NULL;
		submit_bio_noacct(bio);
	}
}

/* A controller went live: what waited for a path may have one now. */
void my_nvme_mpath_kick(struct my_nvme_ctrl *ctrl)
{
	struct my_nvme_ns *ns;

	my_nvme_for_each_ns(ctrl, ns)
		if (ns->head)
			kblockd_schedule_work(&ns->head->requeue_work);
}

bool my_nvme_tryget_ns_head(struct my_nvme_ns_head *head)
{
	return kref_get_unless_zero(&head->ref);
}

static void my_nvme_free_head(struct kref *ref)
{
	struct my_nvme_ns_head *head =
		container_of(ref, struct my_nvme_ns_head, ref);

	flush_work(&head->part_scan_work);
	flush_work(&head->requeue_work);
	put_disk(head->disk);
	cleanup_srcu_struct(&head->srcu);
	put_device(&head->subsys->dev);
	kfree(head);
}

void my_nvme_put_ns_head(struct my_nvme_ns_head *head)
{
	kref_put(&head->ref, my_nvme_free_head);
}

static int my_nvme_head_open(struct gendisk *disk, blk_mode_t mode)
{
	return my_nvme_tryget_ns_head(disk->private_data) ? 0 : -ENXIO;
}

static void my_nvme_head_release(struct gendisk *disk)
{
	my_nvme_put_ns_head(disk->private_data);
}

/* A namespace's ioctls on the multipath disk go to a usable path's disk. */
static int my_nvme_head_ioctl(struct block_device *bdev, blk_mode_t mode,
			      unsigned int cmd, unsigned long arg)
{
	struct my_nvme_ns *ns = my_nvme_get_path(bdev->bd_disk->private_data);
	int ret;

	if (!ns)
		return -EWOULDBLOCK;
	ret = ns->ctrl->ops->ns_ioctl(ns->disk->part0, mode, cmd, arg);
	my_nvme_put_ns(ns);
	return ret;
}

static const struct block_device_operations my_nvme_head_ops = {
	.owner		= THIS_MODULE,
	.submit_bio	= my_nvme_head_submit_bio,
	.open		= my_nvme_head_open,
	.release	= my_nvme_head_release,
	.ioctl		= my_nvme_head_ioctl,
	.compat_ioctl	= blkdev_compat_ptr_ioctl,
};

/*
 * Its partitions are read outside the scan that adds the disk: reading
 * them needs a path, and a path may need that scan to finish.
 */
static void my_nvme_part_scan_work(struct work_struct *work)
{
	struct my_nvme_ns_head *head =
		container_of(work, struct my_nvme_ns_head, part_scan_work);

	if (!test_and_clear_bit(GD_SUPPRESS_PART_SCAN, &head->disk->state))
		return;
	mutex_lock(&head->disk->open_mutex);
	bdev_disk_changed(head->disk, false);
	mutex_unlock(&head->disk->open_mutex);
}

/* /sys/block/my_nvme<S>n<N>/multipath/: a link to each path's disk. */
static struct attribute *my_nvme_head_mpath_attrs[] = {
	NULL,
};

static const struct attribute_group my_nvme_head_mpath_group = {
	.name	= "multipath",
	.attrs	= my_nvme_head_mpath_attrs,
};

/*
 * The last path went and the wait for another is over (or there was to
 * be none): the disk goes, and with it every bio still waiting, which
 * fails; a path that comes later makes a new disk. Under the
 * subsystem's lock, so that a new head cannot take the name before
 * this disk is deleted.
 */
static void my_nvme_head_remove(struct my_nvme_ns_head *head)
{
	struct my_nvme_subsys *subsys = head->subsys;
	bool removed = false;

	mutex_lock(&subsys->lock);
	if (list_empty(&head->paths) && !list_empty(&head->entry)) {
		clear_bit(MY_NVME_HEAD_WAITING, &head->flags);
		list_del_init(&head->entry);
		removed = true;
		if (test_and_clear_bit(MY_NVME_HEAD_DISK_LIVE, &head->flags)) {
			kblockd_schedule_work(&head->requeue_work);
			if (head->cdev_added) {
				cdev_device_del(&head->cdev, &head->cdev_device);
				put_device(&head->cdev_device);
				head->cdev_added = false;
			}
			synchronize_srcu(&head->srcu);
			dev_info(disk_to_dev(head->disk), "no path left: removing the disk\n");
			del_gendisk(head->disk);
		}
	}
	mutex_unlock(&subsys->lock);
	if (!removed)
		return;
	flush_work(&head->requeue_work);
	mutex_lock(&my_nvme_subsystems_lock);
	my_nvme_subsys_unregister_empty(subsys);
	mutex_unlock(&my_nvme_subsystems_lock);
	/* The subsystem's reference. */
	my_nvme_put_ns_head(head);
}

static void my_nvme_head_remove_work(struct work_struct *work)
{
	struct my_nvme_ns_head *head =
		container_of(to_delayed_work(work), struct my_nvme_ns_head,
			     remove_work);

	my_nvme_head_remove(head);
}

/*
 * The head of a shared namespace and its disk (not yet added): bio
 * based, with the stacking limits of its paths added to it as they come
 * (my_nvme_mpath_update()). Its first reference is the subsystem's.
 */
static struct my_nvme_ns_head *my_nvme_alloc_head(struct my_nvme_ns *ns)
{
	struct my_nvme_ctrl *ctrl = ns->ctrl;
	struct my_nvme_subsys *subsys = ctrl->subsys;
	struct my_nvme_ns_head *head;
	struct queue_limits lim;
	int ret;

	head = kzalloc(struct_size(head, current_path, nr_node_ids),
		       GFP_KERNEL);
	if (!head)
		return ERR_PTR(-ENOMEM);
	ret = init_srcu_struct(&head->srcu);
	if (ret) {
		kfree(head);
		return ERR_PTR(ret);
	}
	kref_init(&head->ref);
	INIT_LIST_HEAD(&head->paths);
	head->nsid = ns->nsid;
	head->ids = ns->ids;
	head->delayed_removal_secs = READ_ONCE(delayed_removal_secs);
	bio_list_init(&head->requeue_list);
	spin_lock_init(&head->requeue_lock);
	INIT_WORK(&head->requeue_work, my_nvme_requeue_work);
	INIT_WORK(&head->part_scan_work, my_nvme_part_scan_work);
	INIT_DELAYED_WORK(&head->remove_work, my_nvme_head_remove_work);

	blk_set_stacking_limits(&lim);
	lim.dma_alignment = 3;
	/* Not zoned: the stacking default would be refused. */
	lim.max_zone_append_sectors = 0;
	lim.features |= BLK_FEAT_IO_STAT | BLK_FEAT_NOWAIT | BLK_FEAT_POLL;
	head->disk = blk_alloc_disk(&lim, dev_to_node(ctrl->dev));
	if (IS_ERR(head->disk)) {
		ret = PTR_ERR(head->disk);
		cleanup_srcu_struct(&head->srcu);
		kfree(head);
		return ERR_PTR(ret);
	}
	head->disk->fops = &my_nvme_head_ops;
	head->disk->private_data = head;
	set_bit(GD_SUPPRESS_PART_SCAN, &head->disk->state);
	snprintf(head->disk->disk_name, DISK_NAME_LEN, MY_NVME_NAME "%dn%u",
		 subsys->instance, ns->nsid);
	head->subsys = subsys;
	get_device(&subsys->dev);
	list_add_tail(&head->entry, &subsys->heads);
	return head;
}

/*
 * Is @ns a path of a multipath disk? Only where the subsystem may have
 * several controllers (CMIC), the namespace says it may be shared (NMIC)
 * and multipath is on, as upstream; a zoned namespace keeps a disk per
 * controller (the multipath disk would have to track zones of its
 * own). Its head is found by NSID, with the identifiers it was made
 * with, or made. 0 with ns->head set or not; an errno when a shared
 * namespace cannot be a path (its identifiers are another's).
 */
int my_nvme_mpath_attach(struct my_nvme_ns *ns,
			 const struct my_nvme_ns_info *info)
{
	struct my_nvme_ctrl *ctrl = ns->ctrl;
	struct my_nvme_subsys *subsys = ctrl->subsys;
	struct my_nvme_ns_head *head, *found = NULL;
	int ret = 0;

	if (!subsys || !(subsys->cmic & NVME_CTRL_CMIC_MULTI_CTRL) ||
	    !info->shared)
		return 0;
	if (!my_nvme_multipath) {
		dev_warn(ctrl->dev, "namespace %u is shared, but multipath is off: a disk of its own on each controller\n",
			 ns->nsid);
		return 0;
	}
	if (info->zoned) {
		dev_info(ctrl->dev, "namespace %u is shared and zoned: a disk of its own on each controller\n",
			 ns->nsid);
		return 0;
	}

	mutex_lock(&subsys->lock);
	list_for_each_entry(head, &subsys->heads, entry) {
		if (head->nsid == ns->nsid) {
			found = head;
			break;
		}
		if (my_nvme_ns_ids_clash(&ns->ids, &head->ids)) {
			dev_err(ctrl->dev, "namespace %u has the identifiers of the subsystem's namespace %u: skipped\n",
				ns->nsid, head->nsid);
			ret = -EINVAL;
			goto unlock;
		}
	}
	if (found) {
		if (memcmp(&found->ids, &ns->ids, sizeof(ns->ids))) {
			dev_err(ctrl->dev, "shared namespace %u has other identifiers here than on the subsystem's other controllers: skipped\n",
				ns->nsid);
			ret = -EINVAL;
			goto unlock;
		}
		head = found;
	} else {
		head = my_nvme_alloc_head(ns);
		if (IS_ERR(head)) {
			ret = PTR_ERR(head);
			goto unlock;
		}
	}
	/* The path's reference, dropped when its namespace is freed. */
	kref_get(&head->ref);
	ns->head = head;
unlock:
	mutex_unlock(&subsys->lock);
	return ret;
}

/*
 * The multipath disk follows a path whose format was read (again): its
 * block size, capacity, integrity profile and read-only state are the
 * namespace's, the rest of its limits those all its paths allow. Not
 * under a freeze of the path's queue: the head's freeze waits for bios
 * being submitted to it.
 */
void my_nvme_mpath_update(struct my_nvme_ns *ns)
{
	struct my_nvme_ns_head *head = ns->head;
	struct queue_limits *path_lim, lim;
	int node;

	if (!head)
		return;
	path_lim = &ns->disk->queue->limits;
	blk_mq_freeze_queue(head->disk->queue);
	lim = queue_limits_start_update(head->disk->queue);
	lim.logical_block_size = path_lim->logical_block_size;
	lim.physical_block_size = path_lim->physical_block_size;
	lim.io_min = path_lim->io_min;
	lim.io_opt = path_lim->io_opt;
	queue_limits_stack_bdev(&lim, ns->disk->part0, 0,
				head->disk->disk_name);
	lim.integrity = path_lim->integrity;
	lim.max_integrity_segments = path_lim->max_integrity_segments;
	if (queue_limits_commit_update(head->disk->queue, &lim))
		dev_warn(disk_to_dev(head->disk), "limits of path %s refused\n",
			 ns->disk->disk_name);
	set_capacity_and_notify(head->disk, get_capacity(ns->disk));
	set_disk_ro(head->disk, test_bit(GD_READ_ONLY, &ns->disk->state));
	head->ms = ns->ms;
	for_each_node(node)
		rcu_assign_pointer(head->current_path[node], NULL);
	blk_mq_unfreeze_queue(head->disk->queue);
	kblockd_schedule_work(&head->requeue_work);
}

/*
 * A path's disk was added: the path joins its head, whose disk is added
 * with the first one (the scan that adds it must not read partitions
 * through it); a disk waiting for a path has one again.
 */
void my_nvme_mpath_set_live(struct my_nvme_ns *ns)
{
	struct my_nvme_ns_head *head = ns->head;
	struct my_nvme_subsys *subsys;
	int ret;

	if (!head)
		return;
	subsys = head->subsys;
	mutex_lock(&subsys->lock);
	list_add_tail_rcu(&ns->siblings, &head->paths);
	if (test_and_clear_bit(MY_NVME_HEAD_WAITING, &head->flags)) {
		cancel_delayed_work(&head->remove_work);
		dev_info(disk_to_dev(head->disk), "path %s back\n",
			 ns->disk->disk_name);
	}
	mutex_unlock(&subsys->lock);
	my_nvme_mpath_update(ns);

	mutex_lock(&subsys->lock);
	if (!test_and_set_bit(MY_NVME_HEAD_DISK_LIVE, &head->flags)) {
		/* The disk keeps the array until it is deleted. */
		head->groups[0] = ns->ctrl->ops->ns_attr_group;
		head->groups[1] = &my_nvme_head_mpath_group;
		ret = device_add_disk(&subsys->dev, head->disk, head->groups);
		if (ret) {
			clear_bit(MY_NVME_HEAD_DISK_LIVE, &head->flags);
			dev_err(ns->ctrl->dev, "%s: no multipath disk: %d\n",
				head->disk->disk_name, ret);
			goto unlock;
		}
		/* Its generic char device, my_ng<S>n<NSID>: ns.c's class. */
		ret = ns->ctrl->ops->head_chr_add(head,
						  ns->ctrl->ops->head_chr_fops);
		if (ret)
			dev_warn(ns->ctrl->dev, "%s: no generic char device: %d\n",
				 head->disk->disk_name, ret);
		queue_work(system_wq, &head->part_scan_work);
		dev_info(ns->ctrl->dev, "%s: multipath disk of shared namespace %u\n",
			 head->disk->disk_name, head->nsid);
	}
	ret = sysfs_add_link_to_group(&disk_to_dev(head->disk)->kobj,
				      "multipath",
				      &disk_to_dev(ns->disk)->kobj,
				      ns->disk->disk_name);
	if (ret)
		dev_warn(ns->ctrl->dev, "%s: no multipath link to %s: %d\n",
			 head->disk->disk_name, ns->disk->disk_name, ret);
	dev_info(ns->ctrl->dev, "%s: path %s\n", head->disk->disk_name,
		 ns->disk->disk_name);
unlock:
	mutex_unlock(&subsys->lock);
	kblockd_schedule_work(&head->requeue_work);
}

/*
 * A path goes (its namespace is removed, or its controller): no bio
 * picks it from now on; what it still has fails over as it completes.
 * The last path's disk waits delayed_removal_secs for another, holding
 * its bios, then goes.
 */
void my_nvme_mpath_remove_path(struct my_nvme_ns *ns)
{
	struct my_nvme_ns_head *head = ns->head;
	struct my_nvme_subsys *subsys;
	bool was_path, last, wait;

	if (!head)
		return;
	subsys = head->subsys;
	mutex_lock(&subsys->lock);
	/*
	 * Not a path (adding its disk failed): its head goes with it if it
	 * has no path and waits for none.
	 */
	was_path = !list_empty(&ns->siblings);
	if (was_path)
		last = list_is_singular(&head->paths);
	else
		last = list_empty(&head->paths) &&
			!test_bit(MY_NVME_HEAD_WAITING, &head->flags);
	wait = last && head->delayed_removal_secs &&
		test_bit(MY_NVME_HEAD_DISK_LIVE, &head->flags);
	/* Waiting before the last path leaves: no bio sees neither. */
	if (wait)
		set_bit(MY_NVME_HEAD_WAITING, &head->flags);
	if (was_path) {
		list_del_rcu(&ns->siblings);
		my_nvme_mpath_clear_current(ns);
		if (test_bit(MY_NVME_HEAD_DISK_LIVE, &head->flags))
			sysfs_remove_link_from_group(&disk_to_dev(head->disk)->kobj,
						     "multipath",
						     ns->disk->disk_name);
	}
	if (wait) {
		queue_delayed_work(system_wq, &head->remove_work,
				   head->delayed_removal_secs * HZ);
		dev_info(disk_to_dev(head->disk), "path %s gone, none left: I/O waits up to %u s for one\n",
			 ns->disk->disk_name, head->delayed_removal_secs);
	} else if (was_path && !last) {
		dev_info(disk_to_dev(head->disk), "path %s gone\n",
			 ns->disk->disk_name);
	}
	mutex_unlock(&subsys->lock);
	/* No submitter still holds it (a new one cannot find it). */
	synchronize_srcu(&head->srcu);
	kblockd_schedule_work(&head->requeue_work);
	if (last && !wait)
		my_nvme_head_remove(head);
}

int __init my_nvme_mpath_init(void)
{
	return class_register(&my_nvme_subsys_class);
}

/*
 * Module exit, every controller gone: the disks still waiting for a
 * path go now.
 */
void my_nvme_mpath_exit(void)
{
	struct my_nvme_subsys *subsys;
	struct my_nvme_ns_head *head;

	for (;;) {
		head = NULL;
		mutex_lock(&my_nvme_subsystems_lock);
		list_for_each_entry(subsys, &my_nvme_subsystems, entry) {
			mutex_lock(&subsys->lock);
			head = list_first_entry_or_null(&subsys->heads,
							struct my_nvme_ns_head,
							entry);
			if (head)
				kref_get(&head->ref);
			mutex_unlock(&subsys->lock);
			if (head)
				break;
		}
		mutex_unlock(&my_nvme_subsystems_lock);
		if (!head)
			break;
		cancel_delayed_work_sync(&head->remove_work);
		my_nvme_head_remove(head);
		my_nvme_put_ns_head(head);
	}
	class_unregister(&my_nvme_subsys_class);
	ida_destroy(&my_nvme_instance_ida);
}
