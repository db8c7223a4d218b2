// SPDX-License-Identifier: GPL-2.0
/*
 * my_nvme debugfs.c: per-queue counters in the spirit of the Zircon
 * driver's, at /sys/kernel/debug/my_nvme/my_nvme<N>/stats.
 */

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "my_nvme.h"

static struct dentry *my_nvme_debugfs_root;

static int my_nvme_stats_show(struct seq_file *m, void *unused)
{
	struct my_nvme_ctrl *ctrl = m->private;
	unsigned int i;

	seq_puts(m, "qid submitted completed interrupts spurious cqe_per_irq errors flushes sgl prp_list prp_chain\n");
	for (i = 0; i <= ctrl->nr_io_queues; i++) {
		const struct my_nvme_queue_stats *st = &ctrl->queues[i].stats;
		u64 completed = READ_ONCE(st->completed);
		u64 irqs = READ_ONCE(st->interrupts);
		u64 per_irq = irqs ? div64_u64(completed * 100, irqs) : 0;
		u32 frac;
		u64 whole = div_u64_rem(per_irq, 100, &frac);

		seq_printf(m, "%u %llu %llu %llu %llu %llu.%02u %llu %llu %llu %llu %llu\n",
			   i, READ_ONCE(st->submitted), completed, irqs,
			   READ_ONCE(st->spurious), whole, frac,
			   READ_ONCE(st->errors), READ_ONCE(st->flushes),
			   READ_ONCE(st->sgl), READ_ONCE(st->prp_list),
			   READ_ONCE(st->prp_chain));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(my_nvme_stats);

void my_nvme_debugfs_add(struct my_nvme_ctrl *ctrl)
{
	if (!my_nvme_debugfs_root)
		return;
	ctrl->debugfs = debugfs_create_dir(dev_name(&ctrl->ctrl_dev),
					   my_nvme_debugfs_root);
	debugfs_create_file("stats", 0444, ctrl->debugfs, ctrl,
			    &my_nvme_stats_fops);
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
}

void my_nvme_debugfs_exit(void)
{
	debugfs_remove_recursive(my_nvme_debugfs_root);
}
