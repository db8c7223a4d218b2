// SPDX-License-Identifier: GPL-2.0
/*
 * my_nvme pci.c: the PCI driver: probe and remove, BAR0 registers, the
 * controller state machine, enable/disable/shutdown, reset and recovery,
 * power management and PCI error handling.
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

unsigned int my_nvme_io_timeout = 30;
module_param_named(io_timeout, my_nvme_io_timeout, uint, 0644);
MODULE_PARM_DESC(io_timeout, "Timeout of an I/O command in seconds (default 30)");

unsigned int my_nvme_admin_timeout = 60;
module_param_named(admin_timeout, my_nvme_admin_timeout, uint, 0644);
MODULE_PARM_DESC(admin_timeout,
		 "Timeout of an admin command in seconds (default 60)");

static unsigned int poll_queues;
module_param(poll_queues, uint, 0644);
MODULE_PARM_DESC(poll_queues,
		 "I/O queues without interrupts, completed by polling (io_uring IOPOLL, RWF_HIPRI); read at each reset (default 0)");

static bool defer_cq_db = true;
module_param(defer_cq_db, bool, 0644);
MODULE_PARM_DESC(defer_cq_db,
		 "With MSI-X, make I/O CQs deeper than their SQs and write the CQ head doorbell only when that slack is used up; read at each reset (default Y)");

static bool use_dbbuf = true;
module_param(use_dbbuf, bool, 0644);
MODULE_PARM_DESC(use_dbbuf,
		 "Use shadow doorbells when the controller has Doorbell Buffer Config; read at each reset (default Y)");

unsigned int my_nvme_max_retries = 5;
module_param_named(max_retries, my_nvme_max_retries, uint, 0644);
MODULE_PARM_DESC(max_retries,
		 "How often a failed command that may be retried is sent again (default 5)");

static DEFINE_IDA(my_nvme_ida);
static struct workqueue_struct *my_nvme_reset_wq;

static const char * const my_nvme_state_names[] = {
	[MY_NVME_CTRL_NEW]		= "new",
	[MY_NVME_CTRL_LIVE]		= "live",
	[MY_NVME_CTRL_RESETTING]	= "resetting",
	[MY_NVME_CTRL_CONNECTING]	= "connecting",
	[MY_NVME_CTRL_DELETING]		= "deleting",
	[MY_NVME_CTRL_DEAD]		= "dead",
};

const char *my_nvme_state_name(enum my_nvme_ctrl_state state)
{
	if (state < ARRAY_SIZE(my_nvme_state_names))
		return my_nvme_state_names[state];
	return "unknown";
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_state_name);

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
	info->subsys_reset = NVME_CAP_NSSRC(cap);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_decode_cap);

/*
 * The highest queue id whose two doorbells lie inside a BAR of @bar_len
 * bytes: queue y's CQ head doorbell ends at 1000h + (2y + 2) * stride.
 * -ENODEV when not even the admin queue's doorbells fit.
 */
int my_nvme_max_qid(resource_size_t bar_len, u32 stride, unsigned int *max)
{
	u64 pairs;

	if (!stride || bar_len < NVME_REG_DBS)
		return -ENODEV;
	pairs = div64_u64(bar_len - NVME_REG_DBS, 2ULL * stride);
	if (!pairs)
		return -ENODEV;
	/* Queue ids are 16 bits; FFFFh is not a valid one. */
	*max = min_t(u64, pairs - 1, U16_MAX - 1);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_max_qid);

/*
 * The legal transitions, as in nvme_change_ctrl_state(): for each new
 * state the states it may be entered from. Everything else is refused,
 * which is how a reset racing a removal resolves itself.
 */
bool my_nvme_state_allowed(enum my_nvme_ctrl_state old,
			   enum my_nvme_ctrl_state new)
{
	switch (new) {
	case MY_NVME_CTRL_LIVE:
		return old == MY_NVME_CTRL_CONNECTING;
	case MY_NVME_CTRL_RESETTING:
		return old == MY_NVME_CTRL_NEW || old == MY_NVME_CTRL_LIVE;
	case MY_NVME_CTRL_CONNECTING:
		return old == MY_NVME_CTRL_NEW || old == MY_NVME_CTRL_RESETTING;
	case MY_NVME_CTRL_DELETING:
		return old == MY_NVME_CTRL_LIVE ||
			old == MY_NVME_CTRL_RESETTING ||
			old == MY_NVME_CTRL_CONNECTING;
	case MY_NVME_CTRL_DEAD:
		return old == MY_NVME_CTRL_DELETING;
	default:
		return false;
	}
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_state_allowed);

bool my_nvme_change_state(struct my_nvme_ctrl *ctrl,
			  enum my_nvme_ctrl_state new)
{
	enum my_nvme_ctrl_state old;
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&ctrl->state_lock, flags);
	old = ctrl->state;
	ok = my_nvme_state_allowed(old, new);
	if (ok)
		WRITE_ONCE(ctrl->state, new);
	spin_unlock_irqrestore(&ctrl->state_lock, flags);

	if (ok)
		dev_dbg(ctrl->dev, "state %s -> %s\n", my_nvme_state_name(old),
			my_nvme_state_name(new));
	return ok;
}

static bool my_nvme_state_terminal(struct my_nvme_ctrl *ctrl)
{
	enum my_nvme_ctrl_state state = my_nvme_state(ctrl);

	return state == MY_NVME_CTRL_DELETING || state == MY_NVME_CTRL_DEAD;
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

/*
 * CC.EN = 0 (a controller reset: every I/O queue is gone), or with
 * @shutdown a normal shutdown (CC.SHN = 01b), after which the controller
 * has flushed its cache.
 */
static int my_nvme_disable_ctrl(struct my_nvme_ctrl *ctrl, bool shutdown)
{
	int ret;

	if (shutdown) {
		ctrl->ctrl_config &= ~NVME_CC_SHN_MASK;
		ctrl->ctrl_config |= NVME_CC_SHN_NORMAL;
	} else {
		ctrl->ctrl_config &= ~(NVME_CC_SHN_MASK | NVME_CC_ENABLE);
	}
	writel(ctrl->ctrl_config, ctrl->bar + NVME_REG_CC);

	if (!shutdown)
		return my_nvme_wait_csts(ctrl, NVME_CSTS_RDY, 0,
					 my_nvme_ready_timeout(ctrl), false,
					 "disable");
	ret = my_nvme_wait_csts(ctrl, NVME_CSTS_SHST_MASK, NVME_CSTS_SHST_CMPLT,
				ctrl->shutdown_timeout_ms, false, "shutdown");
	if (!ret)
		dev_info(ctrl->dev, "shutdown complete\n");
	return ret;
}

static int my_nvme_enable_ctrl(struct my_nvme_ctrl *ctrl)
{
	ctrl->ctrl_config = NVME_CC_CSS_NVM |
		((MY_NVME_CTRL_PAGE_SHIFT - 12) << NVME_CC_MPS_SHIFT) |
		NVME_CC_AMS_RR | NVME_CC_SHN_NONE |
		NVME_CC_IOSQES | NVME_CC_IOCQES | NVME_CC_ENABLE;
	/*
	 * Fault injection (debugfs fail_enable): a controller that never
	 * becomes ready. CC.EN stays clear, so CSTS.RDY never comes.
	 */
	if (my_nvme_fail_enable(ctrl))
		writel(ctrl->ctrl_config & ~NVME_CC_ENABLE, ctrl->bar + NVME_REG_CC);
	else
		writel(ctrl->ctrl_config, ctrl->bar + NVME_REG_CC);
	return my_nvme_wait_csts(ctrl, NVME_CSTS_RDY, NVME_CSTS_RDY,
				 my_nvme_ready_timeout(ctrl), true, "enable");
}

/* CSTS.CFS, or registers reading all ones: only a reset can help. */
bool my_nvme_should_reset(u32 csts)
{
	return csts == ~0U || (csts & NVME_CSTS_CFS);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_should_reset);

static bool my_nvme_pci_ctrl_is_dead(struct my_nvme_ctrl *ctrl)
{
	struct pci_dev *pdev = ctrl->pdev;
	u32 csts;

	if (!pci_is_enabled(pdev) || !pci_device_is_present(pdev))
		return true;
	if (pdev->error_state != pci_channel_io_normal)
		return true;
	csts = readl(ctrl->bar + NVME_REG_CSTS);
	return my_nvme_should_reset(csts) || !(csts & NVME_CSTS_RDY);
}

/*
 * Stop a queue: no new commands, no interrupts. The I/O queues are
 * quiesced already; the admin queue is quiesced here, which also waits
 * for a queue_rq that saw the queue live to finish.
 */
static void my_nvme_suspend_queue(struct my_nvme_ctrl *ctrl,
				  struct my_nvme_queue *q)
{
	clear_bit(MY_NVME_Q_LIVE, &q->flags);
	if (!q->qid)
		my_nvme_quiesce_admin_queue(ctrl);
	my_nvme_free_irq(q);
}

static unsigned int my_nvme_nr_queues(struct my_nvme_ctrl *ctrl)
{
	return ctrl->nr_io_queues + 1;
}

/*
 * Orderly stop: delete the I/O queues (queue 1 up), waiting at most an
 * admin timeout; the controller is shut down or disabled right after
 * either way. Commands are sent without waiting on the blk-mq timeout:
 * this runs from the timeout handler too.
 */
static void my_nvme_delete_io_queues(struct my_nvme_ctrl *ctrl)
{
	unsigned int i;

	for (i = ctrl->nr_io_queues; i > 0; i--) {
		if (!test_bit(MY_NVME_Q_LIVE, &ctrl->queues[i].flags))
			continue;
		if (my_nvme_delete_io_queue(&ctrl->queues[i]))
			break;
	}
}

/*
 * Before a shutdown: the requests that entered the (now frozen) queues
 * get up to io_timeout to complete, so that writes in flight at reboot
 * are finished rather than aborted by the queue deletion.
 */
static void my_nvme_drain_for_shutdown(struct my_nvme_ctrl *ctrl)
{
	unsigned int inflight = my_nvme_inflight(ctrl);
	unsigned long start = jiffies;

	if (!my_nvme_wait_freeze_timeout(ctrl, my_nvme_io_timeout * HZ)) {
		dev_warn(ctrl->dev,
			 "shutdown: I/O still outstanding after %u s, ending it\n",
			 my_nvme_io_timeout);
		return;
	}
	if (inflight)
		dev_info(ctrl->dev,
			 "shutdown: %u request(s) in flight completed in %u ms\n",
			 inflight, jiffies_to_msecs(jiffies - start));
}

/*
 * Stop the controller: freeze the namespaces' queues, give the entered
 * requests a bounded chance to finish when shutting down, quiesce,
 * disable (or shut down) the controller, then switch off the PCI
 * function, which ends bus mastering: from here on the device cannot
 * touch host memory, whatever it did with CC. Only then is what the
 * controller completed reaped and every other request cancelled with a
 * host-aborted status, which my_nvme_decide() retries unless the request
 * or the queue forbids it.
 */
void my_nvme_dev_disable(struct my_nvme_ctrl *ctrl, bool shutdown)
{
	enum my_nvme_ctrl_state state = my_nvme_state(ctrl);
	struct pci_dev *pdev = ctrl->pdev;
	unsigned int i;
	bool dead;

	mutex_lock(&ctrl->shutdown_lock);
	dead = my_nvme_pci_ctrl_is_dead(ctrl);
	if (state == MY_NVME_CTRL_LIVE || state == MY_NVME_CTRL_RESETTING) {
		if (pci_is_enabled(pdev))
			my_nvme_start_freeze(ctrl);
		if (!dead && shutdown)
			my_nvme_drain_for_shutdown(ctrl);
	}
	my_nvme_quiesce_io_queues(ctrl);

	if (!dead && test_bit(MY_NVME_Q_LIVE, &ctrl->queues[0].flags)) {
		if (shutdown)
			my_nvme_delete_io_queues(ctrl);
		if (my_nvme_disable_ctrl(ctrl, shutdown) && shutdown)
			my_nvme_disable_ctrl(ctrl, false);
		my_nvme_reap_cq(&ctrl->queues[0]);
	}
	for (i = ctrl->nr_io_queues; i > 0; i--)
		my_nvme_suspend_queue(ctrl, &ctrl->queues[i]);
	my_nvme_suspend_queue(ctrl, &ctrl->queues[0]);
	pci_free_irq_vectors(pdev);
	ctrl->nr_vecs = 0;
	if (pci_is_enabled(pdev))
		pci_disable_device(pdev);

	/* The last chance for a natural completion: no IRQs, no DMA now. */
	for (i = 0; i < my_nvme_nr_queues(ctrl); i++)
		my_nvme_reap_cq(&ctrl->queues[i]);
	my_nvme_cancel_tagset(ctrl);
	my_nvme_cancel_admin_tagset(ctrl);

	/*
	 * Nothing will start the queues again when shutting down: let every
	 * entered request reach queue_rq and fail there rather than wait.
	 */
	if (shutdown) {
		my_nvme_unquiesce_io_queues(ctrl);
		if (ctrl->admin_q && !blk_queue_dying(ctrl->admin_q))
			my_nvme_unquiesce_admin_queue(ctrl);
	}
	mutex_unlock(&ctrl->shutdown_lock);
}

/*
 * Bring the PCI function and the admin queue up: enable the device and
 * bus mastering, one interrupt vector, then disable, program and enable
 * the controller. The same path serves probe, reset and resume.
 */
static int my_nvme_pci_enable(struct my_nvme_ctrl *ctrl)
{
	struct pci_dev *pdev = ctrl->pdev;
	struct my_nvme_queue *aq = &ctrl->queues[0];
	u32 aqa = (MY_NVME_AQ_DEPTH - 1) | ((MY_NVME_AQ_DEPTH - 1) << 16);
	int ret;

	ret = pci_enable_device_mem(pdev);
	if (ret)
		return ret;
	pci_set_master(pdev);

	if (readl(ctrl->bar + NVME_REG_CSTS) == ~0U) {
		dev_err(ctrl->dev, "controller not responding (registers read all ones)\n");
		ret = -ENODEV;
		goto disable;
	}

	/*
	 * One vector for now; the I/O queue count decides the final set.
	 * Enable it before the controller: some controllers (QEMU's among
	 * them) bind the admin CQ to its MSI-X vector when CC.EN is set.
	 */
	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_ALL_TYPES);
	if (ret < 0)
		goto disable;
	ctrl->nr_vecs = ret;
	pci_save_state(pdev);

	ret = my_nvme_disable_ctrl(ctrl, false);
	if (ret)
		goto free_vecs;
	if (!aq->cqes) {
		ret = my_nvme_alloc_queue(ctrl, 0, MY_NVME_AQ_DEPTH,
					  MY_NVME_AQ_DEPTH);
		if (ret)
			goto free_vecs;
	}
	my_nvme_init_queue(aq);
	writel(aqa, ctrl->bar + NVME_REG_AQA);
	lo_hi_writeq(aq->sq_dma_addr, ctrl->bar + NVME_REG_ASQ);
	lo_hi_writeq(aq->cq_dma_addr, ctrl->bar + NVME_REG_ACQ);

	ret = my_nvme_enable_ctrl(ctrl);
	if (ret)
		goto free_vecs;
	ret = my_nvme_request_irq(aq, 0);
	if (ret) {
		my_nvme_disable_ctrl(ctrl, false);
		goto free_vecs;
	}
	set_bit(MY_NVME_Q_LIVE, &aq->flags);
	return 0;

free_vecs:
	pci_free_irq_vectors(pdev);
	ctrl->nr_vecs = 0;
disable:
	pci_disable_device(pdev);
	return ret;
}

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
	return 0;
}

static void my_nvme_free_io_queues(struct my_nvme_ctrl *ctrl,
				   unsigned int lowest)
{
	unsigned int i;

	for (i = ctrl->max_qid; i >= lowest && i > 0; i--)
		my_nvme_free_queue(&ctrl->queues[i]);
}

/*
 * Allocate (once) and create I/O queue @qid, with its vector or, when
 * @polled, with no interrupt at all.
 */
static int my_nvme_add_io_queue(struct my_nvme_ctrl *ctrl, u16 qid,
				bool polled)
{
	struct my_nvme_queue *q = &ctrl->queues[qid];
	bool defer = READ_ONCE(defer_cq_db) && ctrl->pdev->msix_enabled;
	u32 cq_depth = my_nvme_cq_depth(ctrl->q_depth,
					ctrl->cap_info.max_queue_entries,
					defer);
	int ret;

	if (q->cqes && (q->q_depth != ctrl->q_depth || q->cq_depth != cq_depth))
		my_nvme_free_queue(q);
	if (!q->cqes) {
		ret = my_nvme_alloc_queue(ctrl, qid, ctrl->q_depth, cq_depth);
		if (ret)
			return ret;
	}
	my_nvme_init_queue(q);
	if (polled) {
		set_bit(MY_NVME_Q_POLLED, &q->flags);
	} else {
		clear_bit(MY_NVME_Q_POLLED, &q->flags);
		ret = my_nvme_request_irq(q, ctrl->nr_vecs > 1 ? qid : 0);
		if (ret)
			return ret;
	}
	ret = my_nvme_create_io_queue(q);
	if (ret) {
		my_nvme_free_irq(q);
		return ret;
	}
	return 0;
}

/*
 * Shadow doorbell and EventIdx buffers, laid out like the doorbell
 * registers; allocated once, cleared at every reset so that no stale
 * value is read back.
 */
static void my_nvme_dbbuf_alloc(struct my_nvme_ctrl *ctrl)
{
	size_t size = (ctrl->max_qid + 1) * 2 * ctrl->cap_info.doorbell_stride;

	if (!use_dbbuf || !(ctrl->oacs & NVME_CTRL_OACS_DBBUF_SUPP)) {
		my_nvme_dbbuf_free(ctrl);
		return;
	}
	if (ctrl->dbbuf_dbs) {
		memset(ctrl->dbbuf_dbs, 0, ctrl->dbbuf_size);
		memset(ctrl->dbbuf_eis, 0, ctrl->dbbuf_size);
		return;
	}
	ctrl->dbbuf_dbs = dma_alloc_coherent(ctrl->dev, size,
					     &ctrl->dbbuf_dbs_dma, GFP_KERNEL);
	ctrl->dbbuf_eis = dma_alloc_coherent(ctrl->dev, size,
					     &ctrl->dbbuf_eis_dma, GFP_KERNEL);
	ctrl->dbbuf_size = size;
	if (!ctrl->dbbuf_dbs || !ctrl->dbbuf_eis) {
		dev_warn(ctrl->dev, "no memory for shadow doorbells\n");
		my_nvme_dbbuf_free(ctrl);
	}
}

void my_nvme_dbbuf_free(struct my_nvme_ctrl *ctrl)
{
	if (ctrl->dbbuf_dbs)
		dma_free_coherent(ctrl->dev, ctrl->dbbuf_size, ctrl->dbbuf_dbs,
				  ctrl->dbbuf_dbs_dma);
	if (ctrl->dbbuf_eis)
		dma_free_coherent(ctrl->dev, ctrl->dbbuf_size, ctrl->dbbuf_eis,
				  ctrl->dbbuf_eis_dma);
	ctrl->dbbuf_dbs = NULL;
	ctrl->dbbuf_eis = NULL;
}

/* Tell the controller where they are; without it, MMIO doorbells only. */
static void my_nvme_dbbuf_set(struct my_nvme_ctrl *ctrl)
{
	unsigned int i;

	if (!ctrl->dbbuf_dbs)
		return;
	if (!my_nvme_dbbuf_config(ctrl, ctrl->dbbuf_dbs_dma,
				  ctrl->dbbuf_eis_dma))
		return;
	dev_warn(ctrl->dev, "Doorbell Buffer Config failed, using MMIO doorbells\n");
	my_nvme_dbbuf_free(ctrl);
	for (i = 1; i <= ctrl->nr_io_queues; i++)
		my_nvme_dbbuf_init(&ctrl->queues[i]);
}

/*
 * Re-spread the interrupt vectors: vector 0 for the admin queue, one per
 * I/O queue with managed affinity. With a single vector every queue
 * shares it.
 */
static int my_nvme_setup_irqs(struct my_nvme_ctrl *ctrl, unsigned int nr_irq)
{
	struct irq_affinity affd = { .pre_vectors = 1 };
	struct my_nvme_queue *aq = &ctrl->queues[0];
	int ret;

	my_nvme_free_irq(aq);
	pci_free_irq_vectors(ctrl->pdev);
	ctrl->nr_vecs = 0;

	ret = pci_alloc_irq_vectors_affinity(ctrl->pdev, 1, nr_irq + 1,
					     PCI_IRQ_ALL_TYPES | PCI_IRQ_AFFINITY,
					     &affd);
	if (ret < 0)
		return ret;
	ctrl->nr_vecs = ret;
	return my_nvme_request_irq(aq, 0);
}

/*
 * The I/O queues: qid 1 up with interrupts (one per CPU as far as the
 * controller and the vectors go), then poll_queues without (at least one
 * interrupt-driven queue stays). The count may differ from the last
 * reset's; queues[] has room for one per CPU plus the poll queues.
 */
static int my_nvme_setup_io_queues(struct my_nvme_ctrl *ctrl)
{
	struct my_nvme_cap_info *ci = &ctrl->cap_info;
	unsigned int nr_poll = READ_ONCE(poll_queues);
	unsigned int nr_io, nr_irq, i;
	int ret;

	ctrl->nr_io_queues = 0;
	ctrl->nr_poll_queues = 0;
	if (!ctrl->max_qid)
		return 0;
	nr_io = min(num_possible_cpus() + nr_poll, ctrl->max_qid);
	ret = my_nvme_set_queue_count(ctrl, &nr_io);
	if (ret)
		return ret;
	if (!nr_io)
		return 0;

	nr_poll = min(nr_poll, nr_io - 1);
	nr_irq = min(nr_io - nr_poll, num_possible_cpus());
	ret = my_nvme_setup_irqs(ctrl, nr_irq);
	if (ret) {
		dev_err(ctrl->dev, "cannot allocate interrupt vectors: %d\n",
			ret);
		return ret;
	}
	nr_irq = ctrl->nr_vecs > 1 ? min(nr_irq, ctrl->nr_vecs - 1) : 1;
	nr_io = nr_irq + nr_poll;

	/* Command ids carry the tag in 12 bits: at most 4096 entries. */
	ctrl->q_depth = clamp(io_queue_depth, MY_NVME_MIN_Q_DEPTH,
			      min_t(u32, ci->max_queue_entries,
				    MY_NVME_MAX_Q_DEPTH));

	my_nvme_dbbuf_alloc(ctrl);
	for (i = 1; i <= nr_io; i++) {
		ret = my_nvme_add_io_queue(ctrl, i, i > nr_irq);
		if (ret)
			break;
		ctrl->nr_io_queues = i;
	}
	ctrl->nr_poll_queues = ctrl->nr_io_queues > nr_irq ?
		ctrl->nr_io_queues - nr_irq : 0;
	/* Keep the queues that work; without any there is no I/O. */
	my_nvme_free_io_queues(ctrl, ctrl->nr_io_queues + 1);
	if (!ctrl->nr_io_queues)
		return ret;
	if (ret)
		dev_warn(ctrl->dev, "using %u I/O queue(s) after error %d\n",
			 ctrl->nr_io_queues, ret);

	my_nvme_dbbuf_set(ctrl);
	dev_info(ctrl->dev, "%u I/O queue(s) of depth %u (%u polled), CQs of %u, %u %s vector(s)%s\n",
		 ctrl->nr_io_queues, ctrl->q_depth, ctrl->nr_poll_queues,
		 ctrl->queues[1].cq_depth, ctrl->nr_vecs,
		 ctrl->pdev->msix_enabled ? "MSI-X" :
		 ctrl->pdev->msi_enabled ? "MSI" : "INTx",
		 ctrl->dbbuf_dbs ? ", shadow doorbells" : "");
	return 0;
}

/*
 * Bring a controller whose admin queue is up to LIVE: identify, queues,
 * tag set (allocated once; its queue count follows the controller's),
 * asynchronous events and a namespace scan. Probe and the reset work
 * share it; the caller has set CONNECTING.
 */
static int my_nvme_init_ctrl_finish(struct my_nvme_ctrl *ctrl)
{
	int ret;

	ret = my_nvme_identify_ctrl(ctrl);
	if (ret)
		return ret;
	ret = my_nvme_update_admin_limits(ctrl);
	if (ret)
		return ret;
	ret = my_nvme_setup_io_queues(ctrl);
	if (ret)
		return ret;

	if (!ctrl->nr_io_queues) {
		dev_warn(ctrl->dev, "no I/O queues: admin commands only, no disks\n");
		my_nvme_mark_namespaces_dead(ctrl);
		my_nvme_unquiesce_io_queues(ctrl);
		my_nvme_remove_namespaces(ctrl);
	} else if (!ctrl->tagset.tags) {
		ret = my_nvme_alloc_io_tagset(ctrl);
		if (ret)
			return ret;
	} else {
		/*
		 * The requests the reset requeued run on the new queues now.
		 * Only a changed queue count needs them to finish first (the
		 * hardware contexts are rebuilt under a freeze); otherwise
		 * the controller goes LIVE at once, so that a backend still
		 * slow to answer is handled by the LIVE timeout ladder
		 * (abort, then another reset), not taken for a controller
		 * that failed to come up.
		 */
		my_nvme_unquiesce_io_queues(ctrl);
		if (ctrl->tagset.nr_hw_queues != ctrl->nr_io_queues) {
			my_nvme_wait_freeze(ctrl);
			my_nvme_update_nr_hw_queues(ctrl);
		}
		my_nvme_unfreeze(ctrl);
	}
	return 0;
}

/* After LIVE: events on, namespaces (re)scanned. */
static void my_nvme_start_ctrl(struct my_nvme_ctrl *ctrl)
{
	set_bit(MY_NVME_EVENT_RESUBMIT, &ctrl->events);
	queue_work(system_wq, &ctrl->async_event_work);
	queue_work(system_wq, &ctrl->scan_work);
}

/* Stop what start_ctrl started; the works may run again later. */
static void my_nvme_stop_ctrl(struct my_nvme_ctrl *ctrl)
{
	flush_work(&ctrl->async_event_work);
	cancel_work_sync(&ctrl->scan_work);
}

/*
 * The reset, in the order a controller comes back: disable what is left
 * of it, enable it, identify it, recreate the I/O queues, unfreeze,
 * rescan. Requests that were in flight were cancelled by the disable and
 * are requeued by my_nvme_decide(); they run again once the queues are
 * unquiesced. A reset that fails leaves the controller DEAD and removes
 * its disks.
 */
static void my_nvme_reset_work(struct work_struct *work)
{
	struct my_nvme_ctrl *ctrl =
		container_of(work, struct my_nvme_ctrl, reset_work);
	unsigned long start = jiffies;
	int ret;

	if (my_nvme_state(ctrl) != MY_NVME_CTRL_RESETTING) {
		dev_warn(ctrl->dev, "reset work in state %s, not resetting\n",
			 my_nvme_state_name(my_nvme_state(ctrl)));
		return;
	}
	atomic_inc(&ctrl->rstats.resets);

	/* A live controller is shut down first; a disabled one is not. */
	if (ctrl->ctrl_config & NVME_CC_ENABLE)
		my_nvme_dev_disable(ctrl, false);
	my_nvme_sync_queues(ctrl);

	mutex_lock(&ctrl->shutdown_lock);
	ret = my_nvme_pci_enable(ctrl);
	if (ret) {
		mutex_unlock(&ctrl->shutdown_lock);
		goto failed;
	}
	my_nvme_unquiesce_admin_queue(ctrl);
	mutex_unlock(&ctrl->shutdown_lock);

	if (!my_nvme_change_state(ctrl, MY_NVME_CTRL_CONNECTING)) {
		ret = -EBUSY;
		goto failed;
	}
	ret = my_nvme_init_ctrl_finish(ctrl);
	if (ret)
		goto failed;
	if (!my_nvme_change_state(ctrl, MY_NVME_CTRL_LIVE)) {
		ret = -ENODEV;
		goto failed;
	}
	atomic_inc(&ctrl->rstats.resets_done);
	dev_info(ctrl->dev, "reset done in %u ms, %u I/O queue(s)\n",
		 jiffies_to_msecs(jiffies - start), ctrl->nr_io_queues);
	my_nvme_start_ctrl(ctrl);
	return;

failed:
	atomic_inc(&ctrl->rstats.resets_failed);
	dev_err(ctrl->dev, "reset failed (%d): controller dead, removing its disks\n",
		ret);
	my_nvme_change_state(ctrl, MY_NVME_CTRL_DELETING);
	my_nvme_dev_disable(ctrl, true);
	my_nvme_sync_queues(ctrl);
	my_nvme_mark_namespaces_dead(ctrl);
	my_nvme_change_state(ctrl, MY_NVME_CTRL_DEAD);
	/* Everything waiting, in the queues or to enter them, fails now. */
	my_nvme_unquiesce_io_queues(ctrl);
	my_nvme_unfreeze(ctrl);
	my_nvme_remove_namespaces(ctrl);
}

/* RESETTING was set by the caller: run the reset work once. */
int my_nvme_try_sched_reset(struct my_nvme_ctrl *ctrl)
{
	if (my_nvme_state(ctrl) != MY_NVME_CTRL_RESETTING)
		return -EBUSY;
	if (!queue_work(my_nvme_reset_wq, &ctrl->reset_work))
		return -EBUSY;
	return 0;
}

/*
 * Ask for a reset (sysfs, ioctl, a fatal status). Concurrent requests
 * collapse: only one caller gets LIVE -> RESETTING, the others -EBUSY.
 */
int my_nvme_reset_ctrl(struct my_nvme_ctrl *ctrl)
{
	if (!my_nvme_change_state(ctrl, MY_NVME_CTRL_RESETTING))
		return -EBUSY;
	if (!queue_work(my_nvme_reset_wq, &ctrl->reset_work))
		return -EBUSY;
	return 0;
}

int my_nvme_reset_ctrl_sync(struct my_nvme_ctrl *ctrl)
{
	int ret;

	ret = my_nvme_reset_ctrl(ctrl);
	if (!ret) {
		flush_work(&ctrl->reset_work);
		if (my_nvme_state(ctrl) != MY_NVME_CTRL_LIVE)
			ret = -ENETRESET;
	}
	return ret;
}

/*
 * NVM Subsystem Reset (CAP.NSSRS): the link goes down and comes back;
 * the controller needs a reset afterwards, which the timeout or the
 * fatal status it reports will start.
 */
int my_nvme_subsys_reset(struct my_nvme_ctrl *ctrl)
{
	int ret = 0;

	if (!ctrl->cap_info.subsys_reset)
		return -ENOTTY;
	/* The lock keeps the reset work from changing the BAR meanwhile. */
	mutex_lock(&ctrl->shutdown_lock);
	if (!my_nvme_change_state(ctrl, MY_NVME_CTRL_RESETTING)) {
		ret = -EBUSY;
		goto unlock;
	}
	writel(NVME_SUBSYS_RESET, ctrl->bar + NVME_REG_NSSR);
	if (!my_nvme_change_state(ctrl, MY_NVME_CTRL_CONNECTING) ||
	    !my_nvme_change_state(ctrl, MY_NVME_CTRL_LIVE))
		goto unlock;
	/*
	 * Flush the write. The controller now reports a fatal status or
	 * stops completing; the timeout handler resets it.
	 */
	readl(ctrl->bar + NVME_REG_CSTS);
unlock:
	mutex_unlock(&ctrl->shutdown_lock);
	return ret;
}

/*
 * Wait until no reset is running and make it ours: RESETTING, so that
 * the caller can disable the controller and later schedule the reset
 * work to bring it back (suspend, FLR, shutdown).
 */
static bool my_nvme_wait_reset(struct my_nvme_ctrl *ctrl)
{
	for (;;) {
		if (my_nvme_change_state(ctrl, MY_NVME_CTRL_RESETTING))
			return true;
		if (my_nvme_state_terminal(ctrl))
			return false;
		flush_work(&ctrl->reset_work);
		msleep(20);
	}
}

static int my_nvme_disable_prepare_reset(struct my_nvme_ctrl *ctrl,
					 bool shutdown)
{
	if (!my_nvme_wait_reset(ctrl))
		return -EBUSY;
	my_nvme_dev_disable(ctrl, shutdown);
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
	my_nvme_free_admin_tagset(ctrl);
	for (i = ctrl->max_qid; i > 0; i--)
		my_nvme_free_queue(&ctrl->queues[i]);
	my_nvme_free_queue(&ctrl->queues[0]);
	kfree(ctrl->effects);
	ctrl->effects = NULL;
	my_nvme_dbbuf_free(ctrl);
	dma_pool_destroy(ctrl->small_pool);
	ctrl->small_pool = NULL;
	dma_pool_destroy(ctrl->list_pool);
	ctrl->list_pool = NULL;
}

/* The class device's release: the last reference is gone. */
void my_nvme_free_ctrl(struct my_nvme_ctrl *ctrl)
{
	ida_free(&my_nvme_ida, ctrl->instance);
	cleanup_srcu_struct(&ctrl->srcu);
	kfree(ctrl->queues);
	kfree(ctrl);
}

/*
 * Take the controller apart: no new user commands (and wait for those
 * running), no more works, disks gone, controller shut down, memory
 * freed. Remove and a failed probe both come here.
 */
static void my_nvme_remove_ctrl(struct my_nvme_ctrl *ctrl)
{
	down_write(&ctrl->passthru_rwsem);
	up_write(&ctrl->passthru_rwsem);

	flush_work(&ctrl->reset_work);
	my_nvme_stop_ctrl(ctrl);
	my_nvme_cmb_remove(ctrl);
	my_nvme_remove_namespaces(ctrl);
	my_nvme_debugfs_remove(ctrl);
	my_nvme_del_ctrl_dev(ctrl);
	my_nvme_dev_disable(ctrl, true);
	my_nvme_teardown(ctrl);
	put_device(&ctrl->ctrl_dev);
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
	spin_lock_init(&ctrl->aen_lock);
	mutex_init(&ctrl->shutdown_lock);
	mutex_init(&ctrl->scan_lock);
	mutex_init(&ctrl->ns_lock);
	init_rwsem(&ctrl->passthru_rwsem);
	INIT_LIST_HEAD(&ctrl->namespaces);
	INIT_WORK(&ctrl->reset_work, my_nvme_reset_work);
	INIT_WORK(&ctrl->scan_work, my_nvme_scan_work);
	INIT_WORK(&ctrl->async_event_work, my_nvme_async_event_work);

	ret = init_srcu_struct(&ctrl->srcu);
	if (ret) {
		kfree(ctrl);
		return ret;
	}
	ret = ida_alloc(&my_nvme_ida, GFP_KERNEL);
	if (ret < 0) {
		cleanup_srcu_struct(&ctrl->srcu);
		kfree(ctrl);
		return ret;
	}
	ctrl->instance = ret;
	/* From here on put_device() frees ctrl. */
	my_nvme_init_ctrl_dev(ctrl);

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
	if (!ctrl->queues || !ctrl->list_pool || !ctrl->small_pool) {
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
	pci_set_drvdata(pdev, ctrl);
	my_nvme_debugfs_add(ctrl);
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
	goto put;
free_pool:
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

	my_nvme_reset_wq = alloc_workqueue(MY_NVME_NAME "-reset",
					   WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!my_nvme_reset_wq)
		return -ENOMEM;
	ret = my_nvme_chardev_init();
	if (ret)
		goto destroy_wq;
	my_nvme_debugfs_init();
	ret = pci_register_driver(&my_nvme_driver);
	if (ret)
		goto exit_chardev;
	return 0;

exit_chardev:
	my_nvme_debugfs_exit();
	my_nvme_chardev_exit();
destroy_wq:
	destroy_workqueue(my_nvme_reset_wq);
	return ret;
}

static void __exit my_nvme_exit(void)
{
	pci_unregister_driver(&my_nvme_driver);
	my_nvme_debugfs_exit();
	my_nvme_chardev_exit();
	destroy_workqueue(my_nvme_reset_wq);
	ida_destroy(&my_nvme_ida);
}

module_init(my_nvme_init);
module_exit(my_nvme_exit);

MODULE_AUTHOR("The my_nvme authors");
MODULE_DESCRIPTION("Compact NVM Express PCIe block driver");
MODULE_LICENSE("GPL");
