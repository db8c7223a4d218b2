// SPDX-License-Identifier: GPL-2.0
/*
 * my_nvme pci.c: the PCI driver: probe and remove, BAR0 registers,
 * controller enable/disable/shutdown, IRQ vectors and controller state.
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
		 "Entries per I/O queue, bounded by CAP.MQES (default 1024, min 2)");

static DEFINE_IDA(my_nvme_ida);

static const char * const my_nvme_state_names[] = {
	[MY_NVME_CTRL_NEW]	= "new",
	[MY_NVME_CTRL_LIVE]	= "live",
	[MY_NVME_CTRL_DELETING]	= "deleting",
	[MY_NVME_CTRL_DEAD]	= "dead",
};

const char *my_nvme_state_name(enum my_nvme_ctrl_state state)
{
	if (state < ARRAY_SIZE(my_nvme_state_names))
		return my_nvme_state_names[state];
	return "unknown";
}

void my_nvme_decode_cap(u64 cap, struct my_nvme_cap_info *info)
{
	info->max_queue_entries = NVME_CAP_MQES(cap) + 1;
	info->contiguous_required = (cap >> 16) & 1;
	info->ready_timeout_ms = NVME_CAP_TIMEOUT(cap) * 500;
	info->doorbell_stride = 4U << NVME_CAP_STRIDE(cap);
	info->nvm_command_set = NVME_CAP_CSS(cap) & NVME_CAP_CSS_NVM;
	info->page_size_min = 4096U << NVME_CAP_MPSMIN(cap);
	info->page_size_max = 4096U << NVME_CAP_MPSMAX(cap);
	info->cmb_supported = NVME_CAP_CMBS(cap);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_decode_cap);

/*
 * The only transitions: NEW -> LIVE, NEW/LIVE -> DELETING, any -> DEAD.
 * Returns 0 when the state changed, -EBUSY when the transition is not
 * allowed from the current state.
 */
static int my_nvme_set_state(struct my_nvme_ctrl *ctrl,
			     enum my_nvme_ctrl_state new_state)
{
	enum my_nvme_ctrl_state old;
	bool ok;

	spin_lock(&ctrl->state_lock);
	old = ctrl->state;
	switch (new_state) {
	case MY_NVME_CTRL_LIVE:
		ok = old == MY_NVME_CTRL_NEW;
		break;
	case MY_NVME_CTRL_DELETING:
		ok = old == MY_NVME_CTRL_NEW || old == MY_NVME_CTRL_LIVE;
		break;
	case MY_NVME_CTRL_DEAD:
		ok = old != MY_NVME_CTRL_DEAD;
		break;
	default:
		ok = false;
		break;
	}
	if (ok)
		WRITE_ONCE(ctrl->state, new_state);
	spin_unlock(&ctrl->state_lock);

	if (ok)
		dev_dbg(ctrl->dev, "state %s -> %s\n", my_nvme_state_names[old],
			my_nvme_state_names[new_state]);
	return ok ? 0 : -EBUSY;
}

/*
 * Wait until (CSTS & mask) == val. A controller that vanished (all ones)
 * or, when @fatal_cfs, reports Controller Fatal Status ends the wait early.
 */
static int my_nvme_wait_csts(struct my_nvme_ctrl *ctrl, u32 mask, u32 val,
			     u32 timeout_ms, bool fatal_cfs, const char *what)
{
	u32 csts;
	int ret;

	ret = readl_poll_timeout(ctrl->bar + NVME_REG_CSTS, csts,
				 csts == ~0U ||
				 (fatal_cfs && (csts & NVME_CSTS_CFS)) ||
				 (csts & mask) == val,
				 1000, (u64)timeout_ms * USEC_PER_MSEC);
	if (csts == ~0U) {
		dev_err(ctrl->dev, "%s: controller not responding (CSTS reads all ones)\n",
			what);
		return -ENODEV;
	}
	if (fatal_cfs && (csts & NVME_CSTS_CFS)) {
		dev_err(ctrl->dev, "%s: controller fatal status (CSTS 0x%x)\n",
			what, csts);
		return -EIO;
	}
	if (ret) {
		dev_err(ctrl->dev, "%s: timed out after %u ms (CSTS 0x%x)\n",
			what, timeout_ms, csts);
		return -ENODEV;
	}
	return 0;
}

static u32 my_nvme_ready_timeout(struct my_nvme_ctrl *ctrl)
{
	return max(ctrl->cap_info.ready_timeout_ms, 500U);
}

static int my_nvme_disable_ctrl(struct my_nvme_ctrl *ctrl)
{
	ctrl->ctrl_config &= ~(NVME_CC_SHN_MASK | NVME_CC_ENABLE);
	writel(ctrl->ctrl_config, ctrl->bar + NVME_REG_CC);
	return my_nvme_wait_csts(ctrl, NVME_CSTS_RDY, 0,
				 my_nvme_ready_timeout(ctrl), false,
				 "disable");
}

static int my_nvme_enable_ctrl(struct my_nvme_ctrl *ctrl)
{
	ctrl->ctrl_config = NVME_CC_CSS_NVM |
		((MY_NVME_CTRL_PAGE_SHIFT - 12) << NVME_CC_MPS_SHIFT) |
		NVME_CC_AMS_RR | NVME_CC_SHN_NONE |
		NVME_CC_IOSQES | NVME_CC_IOCQES | NVME_CC_ENABLE;
	writel(ctrl->ctrl_config, ctrl->bar + NVME_REG_CC);
	return my_nvme_wait_csts(ctrl, NVME_CSTS_RDY, NVME_CSTS_RDY,
				 my_nvme_ready_timeout(ctrl), true, "enable");
}

/* Normal shutdown (CC.SHN = 01b): the controller flushes and quiesces. */
static int my_nvme_shutdown_ctrl(struct my_nvme_ctrl *ctrl)
{
	int ret;

	ctrl->ctrl_config &= ~NVME_CC_SHN_MASK;
	ctrl->ctrl_config |= NVME_CC_SHN_NORMAL;
	writel(ctrl->ctrl_config, ctrl->bar + NVME_REG_CC);
	ret = my_nvme_wait_csts(ctrl, NVME_CSTS_SHST_MASK, NVME_CSTS_SHST_CMPLT,
				ctrl->shutdown_timeout_ms, false, "shutdown");
	if (!ret)
		dev_info(ctrl->dev, "shutdown complete\n");
	return ret;
}

static bool my_nvme_present(struct my_nvme_ctrl *ctrl)
{
	return pci_device_is_present(ctrl->pdev) &&
		readl(ctrl->bar + NVME_REG_CSTS) != ~0U;
}

static void my_nvme_stop_queues(struct my_nvme_ctrl *ctrl)
{
	unsigned int i;

	for (i = 0; i <= ctrl->nr_io_queues; i++)
		clear_bit(MY_NVME_Q_LIVE, &ctrl->queues[i].flags);
}

static void my_nvme_reap_all(struct my_nvme_ctrl *ctrl)
{
	unsigned int i;

	for (i = 0; i <= ctrl->nr_io_queues; i++)
		my_nvme_reap_cq(&ctrl->queues[i]);
}

/*
 * Give up on the controller: disable it, fail every outstanding command
 * and make new ones fail at once. Used when a command times out (there
 * is no reset yet) and when the device disappears.
 */
void my_nvme_kill(struct my_nvme_ctrl *ctrl, const char *why)
{
	mutex_lock(&ctrl->shutdown_lock);
	if (!my_nvme_set_state(ctrl, MY_NVME_CTRL_DEAD)) {
		dev_err(ctrl->dev, "%s: disabling controller, outstanding I/O fails\n",
			why);
		my_nvme_stop_queues(ctrl);
		if (my_nvme_present(ctrl))
			my_nvme_disable_ctrl(ctrl);
		my_nvme_reap_all(ctrl);
	}
	my_nvme_cancel_requests(ctrl);
	mutex_unlock(&ctrl->shutdown_lock);
}

/*
 * Orderly stop (remove, system shutdown): delete the I/O queues, shut the
 * controller down, fail whatever is left. Leaves memory and IRQs alone.
 */
static void my_nvme_dev_disable(struct my_nvme_ctrl *ctrl)
{
	bool alive;
	int i;

	mutex_lock(&ctrl->shutdown_lock);
	alive = READ_ONCE(ctrl->state) != MY_NVME_CTRL_DEAD &&
		my_nvme_present(ctrl);
	if (ctrl->tagset.tags)
		blk_mq_quiesce_tagset(&ctrl->tagset);

	for (i = ctrl->nr_io_queues; alive && i > 0; i--) {
		if (my_nvme_delete_io_queue(&ctrl->queues[i]))
			alive = false;
	}
	my_nvme_stop_queues(ctrl);

	if (alive)
		my_nvme_shutdown_ctrl(ctrl);
	else if (my_nvme_present(ctrl))
		my_nvme_disable_ctrl(ctrl);

	my_nvme_reap_all(ctrl);
	my_nvme_cancel_requests(ctrl);
	/* Anything still queued now fails in queue_rq instead of waiting. */
	if (ctrl->tagset.tags)
		blk_mq_unquiesce_tagset(&ctrl->tagset);
	mutex_unlock(&ctrl->shutdown_lock);
}

static int my_nvme_map_bar(struct my_nvme_ctrl *ctrl)
{
	struct pci_dev *pdev = ctrl->pdev;
	resource_size_t len = pci_resource_len(pdev, 0);
	struct my_nvme_cap_info *ci = &ctrl->cap_info;
	u32 csts;

	if (!(pci_resource_flags(pdev, 0) & IORESOURCE_MEM) ||
	    len < NVME_REG_DBS + 2 * sizeof(u32)) {
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

	/* Queue ids we can ring: one SQ and one CQ doorbell each. */
	ctrl->max_qid = min_t(u64, (len - NVME_REG_DBS) /
			      (2 * ci->doorbell_stride) - 1, U16_MAX - 1);
	return 0;
}

static int my_nvme_setup_admin(struct my_nvme_ctrl *ctrl)
{
	struct my_nvme_queue *aq = &ctrl->queues[0];
	u32 aqa = (NVME_AQ_DEPTH - 1) | ((NVME_AQ_DEPTH - 1) << 16);
	int ret;

	/*
	 * One vector for now; the I/O queue count decides the final set.
	 * Enable it before the controller: some controllers (QEMU's among
	 * them) bind the admin CQ to its MSI-X vector when CC.EN is set.
	 */
	ret = pci_alloc_irq_vectors(ctrl->pdev, 1, 1, PCI_IRQ_ALL_TYPES);
	if (ret < 0)
		return ret;
	ctrl->nr_vecs = ret;

	ret = my_nvme_disable_ctrl(ctrl);
	if (ret)
		goto free_vecs;

	ret = my_nvme_alloc_queue(ctrl, 0, NVME_AQ_DEPTH);
	if (ret)
		goto free_vecs;

	writel(aqa, ctrl->bar + NVME_REG_AQA);
	lo_hi_writeq(aq->sq_dma_addr, ctrl->bar + NVME_REG_ASQ);
	lo_hi_writeq(aq->cq_dma_addr, ctrl->bar + NVME_REG_ACQ);

	ret = my_nvme_enable_ctrl(ctrl);
	if (ret)
		goto free_queue;

	ret = my_nvme_alloc_admin_tagset(ctrl);
	if (ret)
		goto disable;

	ret = my_nvme_request_irq(aq, 0);
	if (ret)
		goto free_tagset;
	set_bit(MY_NVME_Q_LIVE, &aq->flags);
	return 0;

free_tagset:
	my_nvme_free_admin_tagset(ctrl);
disable:
	my_nvme_disable_ctrl(ctrl);
free_queue:
	my_nvme_free_queue(aq);
free_vecs:
	pci_free_irq_vectors(ctrl->pdev);
	ctrl->nr_vecs = 0;
	return ret;
}

static void my_nvme_free_io_queues(struct my_nvme_ctrl *ctrl)
{
	unsigned int i;

	for (i = ctrl->nr_io_queues; i > 0; i--) {
		my_nvme_free_irq(&ctrl->queues[i]);
		my_nvme_free_queue(&ctrl->queues[i]);
	}
	ctrl->nr_io_queues = 0;
}

static int my_nvme_add_io_queue(struct my_nvme_ctrl *ctrl, u16 qid)
{
	struct my_nvme_queue *q = &ctrl->queues[qid];
	int ret;

	ret = my_nvme_alloc_queue(ctrl, qid, ctrl->q_depth);
	if (ret)
		return ret;
	ret = my_nvme_request_irq(q, ctrl->nr_vecs > 1 ? qid : 0);
	if (ret)
		goto free_queue;
	ret = my_nvme_create_io_queue(q);
	if (ret)
		goto free_irq;
	return 0;

free_irq:
	my_nvme_free_irq(q);
free_queue:
	my_nvme_free_queue(q);
	return ret;
}

/*
 * Re-spread the interrupt vectors: vector 0 for the admin queue, one per
 * I/O queue with managed affinity. With a single vector every queue
 * shares it.
 */
static int my_nvme_setup_irqs(struct my_nvme_ctrl *ctrl, unsigned int nr_io)
{
	struct irq_affinity affd = { .pre_vectors = 1 };
	struct my_nvme_queue *aq = &ctrl->queues[0];
	int ret;

	my_nvme_free_irq(aq);
	pci_free_irq_vectors(ctrl->pdev);
	ctrl->nr_vecs = 0;

	ret = pci_alloc_irq_vectors_affinity(ctrl->pdev, 1, nr_io + 1,
					     PCI_IRQ_ALL_TYPES | PCI_IRQ_AFFINITY,
					     &affd);
	if (ret < 0)
		return ret;
	ctrl->nr_vecs = ret;
	return my_nvme_request_irq(aq, 0);
}

static int my_nvme_setup_io_queues(struct my_nvme_ctrl *ctrl)
{
	struct my_nvme_cap_info *ci = &ctrl->cap_info;
	unsigned int nr_io = min(num_possible_cpus(), ctrl->max_qid);
	unsigned int i;
	int ret;

	ret = my_nvme_set_queue_count(ctrl, &nr_io);
	if (ret)
		return ret;

	ret = my_nvme_setup_irqs(ctrl, nr_io);
	if (ret) {
		dev_err(ctrl->dev, "cannot allocate interrupt vectors: %d\n",
			ret);
		return ret;
	}
	if (ctrl->nr_vecs > 1)
		nr_io = min(nr_io, ctrl->nr_vecs - 1);
	else
		nr_io = 1;

	/* A ring deeper than blk-mq's largest tag space would go unused. */
	ctrl->q_depth = clamp(io_queue_depth, MY_NVME_MIN_Q_DEPTH,
			      min(ci->max_queue_entries, BLK_MQ_MAX_DEPTH + 1U));

	for (i = 1; i <= nr_io; i++) {
		ret = my_nvme_add_io_queue(ctrl, i);
		if (ret)
			break;
		ctrl->nr_io_queues = i;
	}
	/* Keep the queues that work; without any there is no I/O. */
	if (!ctrl->nr_io_queues)
		return ret;
	if (ret)
		dev_warn(ctrl->dev, "using %u I/O queue(s) after error %d\n",
			 ctrl->nr_io_queues, ret);

	dev_info(ctrl->dev, "%u I/O queue(s) of depth %u, %u %s vector(s)\n",
		 ctrl->nr_io_queues, ctrl->q_depth, ctrl->nr_vecs,
		 ctrl->pdev->msix_enabled ? "MSI-X" :
		 ctrl->pdev->msi_enabled ? "MSI" : "INTx");
	return my_nvme_alloc_io_tagset(ctrl);
}

/* Release what probe set up on the hardware side; memory goes later. */
static void my_nvme_teardown(struct my_nvme_ctrl *ctrl)
{
	my_nvme_free_io_queues(ctrl);
	my_nvme_free_io_tagset(ctrl);
	my_nvme_free_irq(&ctrl->queues[0]);
	my_nvme_free_admin_tagset(ctrl);
	my_nvme_free_queue(&ctrl->queues[0]);
	pci_free_irq_vectors(ctrl->pdev);
	dma_pool_destroy(ctrl->list_pool);
	ctrl->list_pool = NULL;
}

/* The class device's release: the last reference is gone. */
void my_nvme_free_ctrl(struct my_nvme_ctrl *ctrl)
{
	ida_free(&my_nvme_ida, ctrl->instance);
	kfree(ctrl->queues);
	kfree(ctrl);
}

static int my_nvme_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct my_nvme_ctrl *ctrl;
	int ret;

	ctrl = kzalloc_node(sizeof(*ctrl), GFP_KERNEL, dev_to_node(&pdev->dev));
	if (!ctrl)
		return -ENOMEM;
	ctrl->pdev = pdev;
	ctrl->dev = &pdev->dev;
	ctrl->state = MY_NVME_CTRL_NEW;
	ctrl->shutdown_timeout_ms = 5000;
	spin_lock_init(&ctrl->state_lock);
	mutex_init(&ctrl->shutdown_lock);
	mutex_init(&ctrl->ns_lock);
	init_rwsem(&ctrl->passthru_rwsem);
	INIT_LIST_HEAD(&ctrl->namespaces);

	ret = ida_alloc(&my_nvme_ida, GFP_KERNEL);
	if (ret < 0) {
		kfree(ctrl);
		return ret;
	}
	ctrl->instance = ret;
	/* From here on put_device() frees ctrl. */
	my_nvme_init_ctrl_dev(ctrl);

	ret = pcim_enable_device(pdev);
	if (ret)
		goto put;
	pci_set_master(pdev);

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

	ctrl->queues = kcalloc(min(num_possible_cpus(), ctrl->max_qid) + 1,
			       sizeof(*ctrl->queues), GFP_KERNEL);
	ctrl->list_pool = dma_pool_create(MY_NVME_NAME " list", ctrl->dev,
					  MY_NVME_CTRL_PAGE_SIZE,
					  MY_NVME_CTRL_PAGE_SIZE, 0);
	if (!ctrl->queues || !ctrl->list_pool) {
		ret = -ENOMEM;
		goto free_pool;
	}

	ret = my_nvme_setup_admin(ctrl);
	if (ret)
		goto free_pool;

	ret = my_nvme_identify_ctrl(ctrl);
	if (ret)
		goto disable;
	ret = my_nvme_update_admin_limits(ctrl);
	if (ret)
		goto disable;

	ret = my_nvme_setup_io_queues(ctrl);
	if (ret)
		goto disable;

	ret = my_nvme_add_ctrl_dev(ctrl);
	if (ret)
		goto disable;

	pci_set_drvdata(pdev, ctrl);
	if (my_nvme_set_state(ctrl, MY_NVME_CTRL_LIVE)) {
		ret = -ENODEV;
		goto disable;
	}
	my_nvme_debugfs_add(ctrl);
	my_nvme_cmb_setup(ctrl);

	ret = my_nvme_scan_namespaces(ctrl);
	if (ret)
		dev_warn(ctrl->dev, "namespace scan failed: %d\n", ret);
	if (READ_ONCE(ctrl->state) == MY_NVME_CTRL_DEAD) {
		ret = -EIO;
		goto remove;
	}
	return 0;

remove:
	my_nvme_cmb_remove(ctrl);
	my_nvme_remove_namespaces(ctrl);
	my_nvme_debugfs_remove(ctrl);
disable:
	pci_set_drvdata(pdev, NULL);
	my_nvme_set_state(ctrl, MY_NVME_CTRL_DELETING);
	my_nvme_del_ctrl_dev(ctrl);
	my_nvme_dev_disable(ctrl);
	my_nvme_teardown(ctrl);
	goto put;
free_pool:
	dma_pool_destroy(ctrl->list_pool);
put:
	put_device(&ctrl->ctrl_dev);
	return ret;
}

static void my_nvme_remove(struct pci_dev *pdev)
{
	struct my_nvme_ctrl *ctrl = pci_get_drvdata(pdev);

	if (!pci_device_is_present(pdev))
		my_nvme_kill(ctrl, "device removed");
	my_nvme_set_state(ctrl, MY_NVME_CTRL_DELETING);
	/* New user commands now fail; wait for those already running. */
	down_write(&ctrl->passthru_rwsem);
	up_write(&ctrl->passthru_rwsem);

	my_nvme_cmb_remove(ctrl);
	my_nvme_remove_namespaces(ctrl);
	my_nvme_debugfs_remove(ctrl);
	my_nvme_del_ctrl_dev(ctrl);
	my_nvme_dev_disable(ctrl);
	my_nvme_teardown(ctrl);
	put_device(&ctrl->ctrl_dev);
}

/* reboot/poweroff: leave the controller cleanly shut down. */
static void my_nvme_shutdown(struct pci_dev *pdev)
{
	struct my_nvme_ctrl *ctrl = pci_get_drvdata(pdev);

	my_nvme_set_state(ctrl, MY_NVME_CTRL_DELETING);
	my_nvme_dev_disable(ctrl);
}

static const struct pci_device_id my_nvme_id_table[] = {
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
};

static int __init my_nvme_init(void)
{
	int ret;

	ret = my_nvme_chardev_init();
	if (ret)
		return ret;
	my_nvme_debugfs_init();
	ret = pci_register_driver(&my_nvme_driver);
	if (ret) {
		my_nvme_debugfs_exit();
		my_nvme_chardev_exit();
	}
	return ret;
}

static void __exit my_nvme_exit(void)
{
	pci_unregister_driver(&my_nvme_driver);
	my_nvme_debugfs_exit();
	my_nvme_chardev_exit();
	ida_destroy(&my_nvme_ida);
}

module_init(my_nvme_init);
module_exit(my_nvme_exit);

MODULE_AUTHOR("The my_nvme authors");
MODULE_DESCRIPTION("Compact NVM Express PCIe block driver");
MODULE_LICENSE("GPL");
