// SPDX-License-Identifier: GPL-2.0
/*
 * my_nvme debugfs.c: per-queue counters in the spirit of the Zircon
 * driver's, recovery counters and fault injection, under
 * /sys/kernel/debug/my_nvme/my_nvme<N>/.
 */

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "my_nvme.h"

static struct dentry *my_nvme_debugfs_root;

static int my_nvme_stats_show(struct seq_file *m, void *unused)
{
	struct my_nvme_ctrl *ctrl = m->private;
	unsigned int i;

	seq_puts(m, "qid submitted completed interrupts spurious cqe_per_irq errors flushes sgl prp_list prp_chain stale dropped polled sq_db sq_db_skipped cq_db cq_db_skipped meta deac\n");
	for (i = 0; i <= ctrl->nr_io_queues; i++) {
		const struct my_nvme_sq_stats *sq = &ctrl->queues[i].sq_stats;
		const struct my_nvme_queue_stats *st = &ctrl->queues[i].stats;
		u64 completed = READ_ONCE(st->completed);
		u64 irqs = READ_ONCE(st->interrupts);
		u64 per_irq = irqs ? div64_u64(completed * 100, irqs) : 0;
		u32 frac;
		u64 whole = div_u64_rem(per_irq, 100, &frac);

		seq_printf(m, "%u %llu %llu %llu %llu %llu.%02u %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu\n",
			   i, READ_ONCE(sq->submitted), completed, irqs,
			   READ_ONCE(st->spurious), whole, frac,
			   READ_ONCE(st->errors), READ_ONCE(st->flushes),
			   READ_ONCE(st->sgl), READ_ONCE(st->prp_list),
			   READ_ONCE(st->prp_chain), READ_ONCE(st->stale),
			   READ_ONCE(st->dropped), READ_ONCE(st->polled),
			   READ_ONCE(sq->db_writes), READ_ONCE(sq->db_skipped),
			   READ_ONCE(st->cq_db_writes),
			   READ_ONCE(st->cq_db_skipped), READ_ONCE(st->meta),
			   READ_ONCE(st->deac));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(my_nvme_stats);

/* One "name value" line per counter: easy to diff before and after. */
static int my_nvme_recovery_show(struct seq_file *m, void *unused)
{
	struct my_nvme_ctrl *ctrl = m->private;
	const struct my_nvme_recovery_stats *rs = &ctrl->rstats;

	seq_printf(m, "state %s\n", my_nvme_state_name(my_nvme_state(ctrl)));
	seq_printf(m, "timeouts %d\n", atomic_read(&rs->timeouts));
	seq_printf(m, "polled %d\n", atomic_read(&rs->polled));
	seq_printf(m, "aborts %d\n", atomic_read(&rs->aborts));
	seq_printf(m, "resets %d\n", atomic_read(&rs->resets));
	seq_printf(m, "resets_done %d\n", atomic_read(&rs->resets_done));
	seq_printf(m, "resets_failed %d\n", atomic_read(&rs->resets_failed));
	seq_printf(m, "retries %d\n", atomic_read(&rs->retries));
	seq_printf(m, "cancelled %d\n", atomic_read(&rs->cancelled));
	seq_printf(m, "events %d\n", atomic_read(&rs->events));
	seq_printf(m, "rescans %d\n", atomic_read(&rs->rescans));
	seq_printf(m, "fw_activations %d\n", atomic_read(&rs->fw_activations));
	seq_printf(m, "user_cmds %d\n", atomic_read(&ctrl->user_cmds));
	seq_printf(m, "aers_outstanding %u\n",
		   (unsigned int)hweight_long(READ_ONCE(ctrl->aen_busy)));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(my_nvme_recovery);

#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
/* inject_aen: handle an event as if an AER had completed with it. */
static ssize_t my_nvme_inject_aen_write(struct file *file,
					const char __user *ubuf, size_t count,
					loff_t *ppos)
{
	struct my_nvme_ctrl *ctrl = file->private_data;
	u32 result;
	int ret;

	ret = kstrtou32_from_user(ubuf, count, 0, &result);
	if (ret)
		return ret;
	if (my_nvme_state(ctrl) != MY_NVME_CTRL_LIVE)
		return -EBUSY;
	dev_info(ctrl->dev, "inject_aen: event 0x%08x\n", result);
	my_nvme_handle_aen(ctrl, result);
	return count;
}

static const struct file_operations my_nvme_inject_aen_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= my_nvme_inject_aen_write,
	.llseek	= noop_llseek,
};
#endif

void my_nvme_debugfs_add(struct my_nvme_ctrl *ctrl)
{
	if (!my_nvme_debugfs_root)
		return;
	ctrl->debugfs = debugfs_create_dir(dev_name(&ctrl->ctrl_dev),
					   my_nvme_debugfs_root);
	debugfs_create_file("stats", 0444, ctrl->debugfs, ctrl,
			    &my_nvme_stats_fops);
	debugfs_create_file("recovery", 0444, ctrl->debugfs, ctrl,
			    &my_nvme_recovery_fops);
	my_nvme_fault_debugfs(ctrl);
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
	debugfs_create_file("inject_aen", 0200, ctrl->debugfs, ctrl,
			    &my_nvme_inject_aen_fops);
#endif
}

void my_nvme_debugfs_remove(struct my_nvme_ctrl *ctrl)
{
	debugfs_remove_recursive(ctrl->debugfs);
	ctrl->debugfs = NULL;
}

void __init my_nvme_debugfs_init(void)
{
	my_nvme_debugfs_root = debugfs_create_dir(MY_NVME_NAME, NULL);
	if (IS_ERR(my_nvme_debugfs_root))
		my_nvme_debugfs_root = NULL;
	else
		my_nvme_fault_debugfs_defaults(my_nvme_debugfs_root);
}

void my_nvme_debugfs_exit(void)
{
	debugfs_remove_recursive(my_nvme_debugfs_root);
}
