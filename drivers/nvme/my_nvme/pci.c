// SPDX-License-Identifier: GPL-2.0
/*
 * my_nvme pci.c: the top of the stack, the PCI driver: probe and remove,
 * BAR0 and CAP, power management, PCI error recovery and function
 * resets, and the module. It fills in struct my_nvme_ctrl_ops, the one
 * way the layers below call up.
 */

#include <linux/idr.h>
#include <linux/interrupt.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/iopoll.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "my_nvme.h"

static unsigned int io_queue_depth = 1024;
module_param(io_queue_depth, uint, 0444);
MODULE_PARM_DESC(io_queue_depth,
		 "Entries per I/O queue, bounded by CAP.MQES and 4096 (default 1024, min 2)");

static char *quirks;
module_param(quirks, charp, 0444);
MODULE_PARM_DESC(quirks,
		 "Quirks of devices by PCI ID, replacing the driver's table: VVVV:DDDD:NAME[+NAME...] or VVVV:DDDD:none, comma separated; names: bogus_nid, identify_cns, disable_write_zeroes");

/*
 * Both may run in memory reclaim (a reset brings back the disk that
 * writeback waits for): WQ_MEM_RECLAIM, as nvme_wq and nvme_reset_wq.
 * The reset work flushes the scan and event works, so those must not
 * run on system_wq.
 */
static struct workqueue_struct *my_nvme_reset_wq;
static struct workqueue_struct *my_nvme_wq;

static int my_nvme_map_bar(struct my_nvme_ctrl *ctrl)
{
	struct pci_dev *pdev = ctrl->pdev;
	resource_size_t len = pci_resource_len(pdev, 0);
	struct my_nvme_cap_info *ci = &ctrl->cap_info;
	u32 csts;

	if (!(pci_resource_flags(pdev, 0) & IORESOURCE_MEM) ||
	    len < NVME_REG_DBS) {
		dev_err(ctrl->dev, "BAR0 missing or too small (%pa bytes)\n",
			&len);
		return -ENODEV;
	}
	ctrl->bar = pcim_iomap_region(pdev, 0, MY_NVME_NAME);
	if (IS_ERR(ctrl->bar)) {
		dev_err(ctrl->dev, "cannot map BAR0: %ld\n", PTR_ERR(ctrl->bar));
		return PTR_ERR(ctrl->bar);
	}

	csts = readl(ctrl->bar + NVME_REG_CSTS);
	if (csts == ~0U) {
		dev_err(ctrl->dev, "controller not responding (registers read all ones)\n");
		return -ENODEV;
	}

	ctrl->cap = lo_hi_readq(ctrl->bar + NVME_REG_CAP);
	ctrl->vs = readl(ctrl->bar + NVME_REG_VS);
	my_nvme_decode_cap(ctrl->cap, ci);
	ctrl->dbs = ctrl->bar + NVME_REG_DBS;

	dev_info(ctrl->dev,
		 "NVMe %u.%u.%u, CAP 0x%llx: MQES %u, CQR %u, TO %u ms, DSTRD %u B, CSS NVM %s, MPS %u-%u, CMBS %u\n",
		 NVME_MAJOR(ctrl->vs), NVME_MINOR(ctrl->vs),
		 NVME_TERTIARY(ctrl->vs), ctrl->cap, ci->max_queue_entries,
		 ci->contiguous_required, ci->ready_timeout_ms,
		 ci->doorbell_stride, ci->nvm_command_set ? "yes" : "no",
		 ci->page_size_min, ci->page_size_max, ci->cmb_supported);

	if (!ci->nvm_command_set) {
		dev_err(ctrl->dev, "controller does not support the NVM command set\n");
		return -ENODEV;
	}
	if (ci->page_size_min > MY_NVME_CTRL_PAGE_SIZE ||
	    ci->page_size_max < MY_NVME_CTRL_PAGE_SIZE) {
		dev_err(ctrl->dev, "controller page sizes %u-%u exclude %lu\n",
			ci->page_size_min, ci->page_size_max,
			MY_NVME_CTRL_PAGE_SIZE);
		return -ENODEV;
	}
	if (csts & NVME_CSTS_CFS)
		dev_warn(ctrl->dev, "controller fatal status set before reset\n");

	if (my_nvme_max_qid(len, ci->doorbell_stride, &ctrl->max_qid)) {
		dev_err(ctrl->dev, "BAR0 (%pa bytes) has no room for the admin doorbells at stride %u\n",
			&len, ci->doorbell_stride);
		return -ENODEV;
	}
	if (!ctrl->max_qid)
		dev_warn(ctrl->dev, "BAR0 (%pa bytes) has no room for I/O queue doorbells\n",
			 &len);
	/*
	 * Fixed for the controller's life: the tag set and the rings are
	 * sized by it. Command ids carry the tag in 12 bits: at most 4096.
	 */
	ctrl->q_depth = clamp(io_queue_depth, MY_NVME_MIN_Q_DEPTH,
			      min_t(u32, ci->max_queue_entries,
				    MY_NVME_MAX_Q_DEPTH));
	return 0;
}

/*
 * Everything probe set up on the host side, in reverse. The caller made
 * the controller DELETING and disabled it.
 */
static void my_nvme_teardown(struct my_nvme_ctrl *ctrl)
{
	unsigned int i;

	my_nvme_free_io_tagset(ctrl);
	my_nvme_remove_admin_queue(ctrl);
	for (i = ctrl->max_qid; i > 0; i--)
		my_nvme_free_queue(&ctrl->queues[i]);
	my_nvme_free_queue(&ctrl->queues[0]);
	kfree(ctrl->effects);
	ctrl->effects = NULL;
	my_nvme_dbbuf_free(ctrl);
	my_nvme_sink_free(ctrl);
	dma_pool_destroy(ctrl->small_pool);
	ctrl->small_pool = NULL;
	dma_pool_destroy(ctrl->list_pool);
	ctrl->list_pool = NULL;
}

/*
 * Take the controller apart: no more works, disks gone, controller shut
 * down, memory freed (what users may still hold, the admin queue and the
 * class device, goes with the last reference). The caller made the
 * controller DELETING, so no new user command starts. One still
 * running gets an admin timeout; a controller that holds it for longer
 * (a Format of a large namespace, or no answer at all) is disabled
 * first, which ends it with -EINTR: a user command must not hold the
 * removal for as long as its own timeout, which the user chose. Remove
 * and a failed probe both come here.
 */
static void my_nvme_remove_ctrl(struct my_nvme_ctrl *ctrl)
{
	if (!my_nvme_wait_user_cmds(ctrl, my_nvme_admin_timeout * HZ)) {
		dev_warn(ctrl->dev, "removal: %d passthrough command(s) still running after %u s, disabling the controller\n",
			 atomic_read(&ctrl->user_cmds), my_nvme_admin_timeout);
		my_nvme_dev_disable(ctrl, true);
	}
	flush_work(&ctrl->reset_work);
	my_nvme_stop_ctrl(ctrl);
	my_nvme_cmb_remove(ctrl);
	my_nvme_remove_namespaces(ctrl);
	my_nvme_exit_subsystem(ctrl);
	my_nvme_debugfs_remove(ctrl);
	my_nvme_hwmon_exit(ctrl);
	my_nvme_del_ctrl_dev(ctrl);
	my_nvme_dev_disable(ctrl, true);
	my_nvme_teardown(ctrl);
	put_device(&ctrl->ctrl_dev);
}

/*
 * The quirks of the PCI ID table, or of the quirks parameter where it
 * names the device: a way to try a quirk (or none) on a controller
 * without rebuilding the driver, as the table's entries are found.
 */
static void my_nvme_set_quirks(struct my_nvme_ctrl *ctrl,
			       unsigned long table)
{
	struct pci_dev *pdev = ctrl->pdev;
	char names[64];
	int ret;

	ctrl->quirks = table;
	ret = my_nvme_parse_quirks(quirks, pdev->vendor, pdev->device,
				   &ctrl->quirks);
	if (ret < 0)
		dev_warn_once(ctrl->dev, "quirks parameter \"%s\" malformed, ignored (VVVV:DDDD:NAME[+NAME...],...)\n",
			      quirks);
	if (!ret && !table)
		return;
	my_nvme_quirks_str(names, sizeof(names), ctrl->quirks);
	dev_info(ctrl->dev, "quirks %s (%s)\n", names,
		 ret > 0 ? "quirks parameter" : "PCI ID table");
}

/* The calls up the stack (my_nvme.h): this driver's only transport. */
static const struct my_nvme_ctrl_ops my_nvme_pci_ops = {
	.timeout	= my_nvme_timeout,
	.ns_ioctl	= my_nvme_ns_ioctl,
	.ns_chr_fops	= &my_nvme_ns_chr_fops,
	.head_chr_fops	= &my_nvme_head_chr_fops,
	.head_chr_add	= my_nvme_add_head_chr,
	.ns_attr_group	= &my_nvme_ns_attr_group,
};

static int my_nvme_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct my_nvme_ctrl *ctrl;
	int ret;

	ctrl = kzalloc_node(sizeof(*ctrl), GFP_KERNEL, dev_to_node(&pdev->dev));
	if (!ctrl)
		return -ENOMEM;
	ret = my_nvme_init_ctrl(ctrl, pdev, &my_nvme_pci_ops, my_nvme_wq,
				my_nvme_reset_wq);
	if (ret) {
		kfree(ctrl);
		return ret;
	}
	my_nvme_set_quirks(ctrl, id->driver_data);
	ret = my_nvme_init_ctrl_dev(ctrl);
	if (ret) {
		cleanup_srcu_struct(&ctrl->srcu);
		kfree(ctrl);
		return ret;
	}
	/* From here on put_device() frees ctrl. */

	ret = dma_set_mask_and_coherent(ctrl->dev, DMA_BIT_MASK(64));
	if (ret)
		ret = dma_set_mask_and_coherent(ctrl->dev, DMA_BIT_MASK(32));
	if (ret) {
		dev_err(ctrl->dev, "no usable DMA configuration\n");
		goto put;
	}
	/* PRPs and SGL data blocks have no segment size limit. */
	dma_set_max_seg_size(ctrl->dev, UINT_MAX);

	ret = my_nvme_map_bar(ctrl);
	if (ret)
		goto put;

	/* One I/O queue per CPU, plus the poll queues (up to one per CPU). */
	ctrl->max_qid = min(num_possible_cpus() * 2, ctrl->max_qid);
	ctrl->queues = kcalloc_node(ctrl->max_qid + 1, sizeof(*ctrl->queues),
				    GFP_KERNEL, dev_to_node(ctrl->dev));
	ctrl->list_pool = dma_pool_create(MY_NVME_NAME " list", ctrl->dev,
					  MY_NVME_CTRL_PAGE_SIZE,
					  MY_NVME_CTRL_PAGE_SIZE, 0);
	ctrl->small_pool = dma_pool_create(MY_NVME_NAME " list 256", ctrl->dev,
					   MY_NVME_SMALL_LIST,
					   MY_NVME_SMALL_LIST, 0);
	if (!ctrl->queues || !ctrl->list_pool || !ctrl->small_pool ||
	    my_nvme_sink_init(ctrl)) {
		ret = -ENOMEM;
		goto free_pool;
	}
	my_nvme_fault_init(ctrl);

	ret = my_nvme_pci_enable(ctrl);
	if (ret)
		goto free_pool;
	ret = my_nvme_alloc_admin_tagset(ctrl);
	if (ret)
		goto disable;

	/* CONNECTING before any admin command: the timeout handler's cue. */
	if (!my_nvme_change_state(ctrl, MY_NVME_CTRL_CONNECTING)) {
		ret = -EBUSY;
		goto disable;
	}
	ret = my_nvme_init_ctrl_finish(ctrl);
	if (ret)
		goto disable;
	if (!my_nvme_change_state(ctrl, MY_NVME_CTRL_LIVE)) {
		ret = -ENODEV;
		goto disable;
	}

	ret = my_nvme_add_ctrl_dev(ctrl);
	if (ret)
		goto delete;
	ret = my_nvme_init_subsystem(ctrl);
	if (ret)
		goto delete;
	pci_set_drvdata(pdev, ctrl);
	my_nvme_debugfs_add(ctrl);
	my_nvme_hwmon_init(ctrl);
	my_nvme_cmb_setup(ctrl);
	my_nvme_start_ctrl(ctrl);
	/* The disks are there when probe returns, as before. */
	flush_work(&ctrl->scan_work);
	return 0;

delete:
	my_nvme_change_state(ctrl, MY_NVME_CTRL_DELETING);
	my_nvme_remove_ctrl(ctrl);
	return ret;
disable:
	my_nvme_change_state(ctrl, MY_NVME_CTRL_DELETING);
	my_nvme_dev_disable(ctrl, true);
	my_nvme_teardown(ctrl);
	/*
	 * A command the give-up cancelled ends with -EINTR, which a write
	 * to the driver's "bind" file would take for "try again".
	 */
	if (ret == -EINTR)
		ret = -ENODEV;
	goto put;
free_pool:
	my_nvme_sink_free(ctrl);
	dma_pool_destroy(ctrl->small_pool);
	ctrl->small_pool = NULL;
	dma_pool_destroy(ctrl->list_pool);
	ctrl->list_pool = NULL;
put:
	put_device(&ctrl->ctrl_dev);
	return ret;
}

/*
 * Remove may run while a reset is in progress or after the controller
 * died: DELETING makes every later transition fail, and a controller
 * that has gone from the bus is disabled first so that nothing waits on
 * it.
 */
static void my_nvme_remove(struct pci_dev *pdev)
{
	struct my_nvme_ctrl *ctrl = pci_get_drvdata(pdev);

	my_nvme_change_state(ctrl, MY_NVME_CTRL_DELETING);
	pci_set_drvdata(pdev, NULL);
	if (!pci_device_is_present(pdev)) {
		my_nvme_change_state(ctrl, MY_NVME_CTRL_DEAD);
		my_nvme_dev_disable(ctrl, true);
	}
	my_nvme_remove_ctrl(ctrl);
}

/*
 * reboot/poweroff: finish the I/O that has entered the queues (bounded
 * by the I/O timeout), then shut the controller down cleanly.
 */
static void my_nvme_shutdown(struct pci_dev *pdev)
{
	struct my_nvme_ctrl *ctrl = pci_get_drvdata(pdev);

	my_nvme_disable_prepare_reset(ctrl, true);
}

#ifdef CONFIG_PM_SLEEP
/*
 * System sleep: the controller is shut down (its cache flushed) with the
 * queues frozen; I/O issued meanwhile waits in blk-mq. Resume runs the
 * reset work, which brings it back as after any reset.
 */
static int my_nvme_suspend(struct device *dev)
{
	struct my_nvme_ctrl *ctrl = pci_get_drvdata(to_pci_dev(dev));

	return my_nvme_disable_prepare_reset(ctrl, true);
}

static int my_nvme_resume(struct device *dev)
{
	struct my_nvme_ctrl *ctrl = pci_get_drvdata(to_pci_dev(dev));

	return my_nvme_try_sched_reset(ctrl);
}

static const struct dev_pm_ops my_nvme_pm_ops = {
	.suspend	= my_nvme_suspend,
	.resume		= my_nvme_resume,
	.freeze		= my_nvme_suspend,
	.thaw		= my_nvme_resume,
	.poweroff	= my_nvme_suspend,
	.restore	= my_nvme_resume,
};
#endif /* CONFIG_PM_SLEEP */

/* AER/DPC: the link went bad. */
static pci_ers_result_t my_nvme_error_detected(struct pci_dev *pdev,
					       pci_channel_state_t state)
{
	struct my_nvme_ctrl *ctrl = pci_get_drvdata(pdev);

	switch (state) {
	case pci_channel_io_normal:
		return PCI_ERS_RESULT_CAN_RECOVER;
	case pci_channel_io_frozen:
		dev_warn(ctrl->dev, "frozen state error detected, reset controller\n");
		if (!my_nvme_change_state(ctrl, MY_NVME_CTRL_RESETTING)) {
			my_nvme_dev_disable(ctrl, true);
			return PCI_ERS_RESULT_DISCONNECT;
		}
		my_nvme_dev_disable(ctrl, false);
		return PCI_ERS_RESULT_NEED_RESET;
	case pci_channel_io_perm_failure:
		dev_warn(ctrl->dev, "failure state error detected, request disconnect\n");
		return PCI_ERS_RESULT_DISCONNECT;
	}
	return PCI_ERS_RESULT_NEED_RESET;
}

static pci_ers_result_t my_nvme_slot_reset(struct pci_dev *pdev)
{
	struct my_nvme_ctrl *ctrl = pci_get_drvdata(pdev);

	dev_info(ctrl->dev, "restart after slot reset\n");
	pci_restore_state(pdev);
	if (my_nvme_try_sched_reset(ctrl))
		my_nvme_unquiesce_io_queues(ctrl);
	return PCI_ERS_RESULT_RECOVERED;
}

static void my_nvme_error_resume(struct pci_dev *pdev)
{
	struct my_nvme_ctrl *ctrl = pci_get_drvdata(pdev);

	flush_work(&ctrl->reset_work);
}

/* A function reset (FLR, sysfs "reset") is about to happen. */
static void my_nvme_reset_prepare(struct pci_dev *pdev)
{
	struct my_nvme_ctrl *ctrl = pci_get_drvdata(pdev);

	/* The device lock is held: remove cannot race with this. */
	my_nvme_disable_prepare_reset(ctrl, false);
	my_nvme_sync_queues(ctrl);
}

static void my_nvme_reset_done(struct pci_dev *pdev)
{
	struct my_nvme_ctrl *ctrl = pci_get_drvdata(pdev);

	if (!my_nvme_try_sched_reset(ctrl))
		flush_work(&ctrl->reset_work);
}

static const struct pci_error_handlers my_nvme_err_handler = {
	.error_detected	= my_nvme_error_detected,
	.slot_reset	= my_nvme_slot_reset,
	.resume		= my_nvme_error_resume,
	.reset_prepare	= my_nvme_reset_prepare,
	.reset_done	= my_nvme_reset_done,
};

/*
 * Every NVMe controller, by class code; first, those with quirks, with
 * drivers/nvme/host/pci.c's entries for them. QEMU's controller with
 * use-intel-id=on is 8086:5845.
 */
static const struct pci_device_id my_nvme_id_table[] = {
	{ PCI_VDEVICE(INTEL, 0x5845),	/* QEMU's emulated controller */
		.driver_data = MY_NVME_QUIRK_IDENTIFY_CNS |
			       MY_NVME_QUIRK_NO_WRITE_ZEROES |
			       MY_NVME_QUIRK_BOGUS_NID, },
	{ PCI_VDEVICE(REDHAT, 0x0010),	/* QEMU's emulated controller */
		.driver_data = MY_NVME_QUIRK_BOGUS_NID, },
	{ PCI_DEVICE_CLASS(PCI_CLASS_STORAGE_EXPRESS, 0xffffff) },
	{ 0, }
};
MODULE_DEVICE_TABLE(pci, my_nvme_id_table);

static struct pci_driver my_nvme_driver = {
	.name		= MY_NVME_NAME,
	.id_table	= my_nvme_id_table,
	.probe		= my_nvme_probe,
	.remove		= my_nvme_remove,
	.shutdown	= my_nvme_shutdown,
	.err_handler	= &my_nvme_err_handler,
#ifdef CONFIG_PM_SLEEP
	.driver		= {
		.pm	= &my_nvme_pm_ops,
	},
#endif
};

static int __init my_nvme_init(void)
{
	int ret;

	my_nvme_wq = alloc_workqueue(MY_NVME_NAME "-wq",
				     WQ_UNBOUND | WQ_MEM_RECLAIM | WQ_SYSFS, 0);
	if (!my_nvme_wq)
		return -ENOMEM;
	my_nvme_reset_wq = alloc_workqueue(MY_NVME_NAME "-reset",
					   WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!my_nvme_reset_wq) {
		ret = -ENOMEM;
		goto destroy_wq;
	}
	ret = my_nvme_mpath_init();
	if (ret)
		goto destroy_reset_wq;
	ret = my_nvme_chardev_init();
	if (ret)
		goto exit_mpath;
	my_nvme_debugfs_init();
	ret = pci_register_driver(&my_nvme_driver);
	if (ret)
		goto exit_chardev;
	return 0;

exit_chardev:
	my_nvme_debugfs_exit();
	my_nvme_chardev_exit();
exit_mpath:
	my_nvme_mpath_exit();
destroy_reset_wq:
	destroy_workqueue(my_nvme_reset_wq);
destroy_wq:
	destroy_workqueue(my_nvme_wq);
	return ret;
}

static void __exit my_nvme_exit(void)
{
	pci_unregister_driver(&my_nvme_driver);
	/* Multipath disks waiting for a path that will not come. */
	my_nvme_mpath_exit();
	my_nvme_debugfs_exit();
	my_nvme_chardev_exit();
	destroy_workqueue(my_nvme_reset_wq);
	destroy_workqueue(my_nvme_wq);
}

module_init(my_nvme_init);
module_exit(my_nvme_exit);

MODULE_AUTHOR("The my_nvme authors");
MODULE_DESCRIPTION("Compact NVM Express PCIe block driver");
MODULE_LICENSE("GPL");
