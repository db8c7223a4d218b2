// SPDX-License-Identifier: GPL-2.0
/*
 * my_nvme ctrl.c: the controller: its state machine, enable and disable
 * (CC, CSTS), the timeout ladder, the disable path, queue setup and the
 * reset work, which brings a controller back the way probe first did.
 * Read top to bottom, it is the life of a reset; the block and char
 * device side below reach it only through struct my_nvme_ctrl_ops.
 */

#include <linux/blk-mq.h>
#include <linux/interrupt.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/iopoll.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "my_nvme.h"

static unsigned int poll_queues;
module_param(poll_queues, uint, 0644);
MODULE_PARM_DESC(poll_queues,
		 "I/O queues without interrupts, completed by polling (io_uring IOPOLL, RWF_HIPRI); read at each reset (default 0)");

static bool use_dbbuf = true;
module_param(use_dbbuf, bool, 0644);
MODULE_PARM_DESC(use_dbbuf,
		 "Use shadow doorbells when the controller has Doorbell Buffer Config; read at each reset (default Y)");

/* ---- State ---- */

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

	if (ok) {
		dev_dbg(ctrl->dev, "state %s -> %s\n", my_nvme_state_name(old),
			my_nvme_state_name(new));
		wake_up_all(&ctrl->state_wq);
		/* Multipath disks' bios that waited for a path may go. */
		if (new == MY_NVME_CTRL_LIVE)
			my_nvme_mpath_kick(ctrl);
	}
	return ok;
}

static bool my_nvme_state_terminal(struct my_nvme_ctrl *ctrl)
{
	enum my_nvme_ctrl_state state = my_nvme_state(ctrl);

	return state == MY_NVME_CTRL_DELETING || state == MY_NVME_CTRL_DEAD;
}

/* ---- Enable and disable (CC, CSTS) ---- */

/*
 * Wait until (CSTS & mask) == val. A controller that vanished (all ones)
 * or, when @fatal_cfs, reports Controller Fatal Status ends the wait early.
 */
static int my_nvme_wait_csts(struct my_nvme_ctrl *ctrl, u32 mask, u32 val,
			     u32 timeout_ms, bool fatal_cfs, const char *what)
{
	u32 csts;
	int ret;

	ret = read_poll_timeout(my_nvme_read_csts, csts,
				csts == ~0U ||
				(fatal_cfs && (csts & NVME_CSTS_CFS)) ||
				(csts & mask) == val,
				1000, (u64)timeout_ms * USEC_PER_MSEC, false, ctrl);
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
	/*
	 * Fault injection (debugfs fail_shutdown): a controller that never
	 * completes a shutdown. The notification is not written, so
	 * CSTS.SHST never reports it done and the wait runs out.
	 */
	if (!shutdown || !my_nvme_fault_shutdown(ctrl))
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

/*
 * Program CC and set CC.EN: every I/O command set the controller has
 * where CAP.CSS says it can be told so (110b: the namespaces' own, such
 * as zoned ones; NVMe 2.0, 3.1.3.5), else NVM only. CAP may change once
 * CC is written (as nvme_enable_ctrl() reads it again); so may the time
 * the controller takes to become ready: CAP.TO, or CRTO.CRWMT where
 * CAP.CRMS.CRWMS says there is one (CC.CRIME stays clear: ready means
 * ready with its media, as upstream).
 */
static int my_nvme_enable_ctrl(struct my_nvme_ctrl *ctrl)
{
	u32 crto = 0;
	bool bad_crto;

	ctrl->ctrl_config = (NVME_CAP_CSS(ctrl->cap) & NVME_CAP_CSS_CSI) ?
		NVME_CC_CSS_CSI : NVME_CC_CSS_NVM;
	ctrl->ctrl_config |=
		((MY_NVME_CTRL_PAGE_SHIFT - 12) << NVME_CC_MPS_SHIFT) |
		NVME_CC_AMS_RR | NVME_CC_SHN_NONE |
		NVME_CC_IOSQES | NVME_CC_IOCQES;
	writel(ctrl->ctrl_config, ctrl->bar + NVME_REG_CC);
	ctrl->cap = lo_hi_readq(ctrl->bar + NVME_REG_CAP);
	if (ctrl->cap & NVME_CAP_CRMS_CRWMS)
		crto = readl(ctrl->bar + NVME_REG_CRTO);
	ctrl->cap_info.ready_timeout_ms =
		my_nvme_ready_timeout_ms(ctrl->cap, crto, &bad_crto);
	if (bad_crto)
		dev_warn_once(ctrl->dev, "CRTO 0x%x below CAP.TO %llu: using CAP.TO\n",
			      crto, NVME_CAP_TIMEOUT(ctrl->cap));

	ctrl->ctrl_config |= NVME_CC_ENABLE;
	/*
	 * Fault injection (debugfs fail_enable): a controller that never
	 * becomes ready. CC.EN stays clear, so CSTS.RDY never comes.
	 */
	if (my_nvme_fault_enable(ctrl))
		writel(ctrl->ctrl_config & ~NVME_CC_ENABLE, ctrl->bar + NVME_REG_CC);
	else
		writel(ctrl->ctrl_config, ctrl->bar + NVME_REG_CC);
	return my_nvme_wait_csts(ctrl, NVME_CSTS_RDY, NVME_CSTS_RDY,
				 my_nvme_ready_timeout(ctrl), true, "enable");
}

/* ---- The timeout ladder ---- */

/* MTFA is in 100 ms units; without one, an admin timeout (as upstream). */
static unsigned long my_nvme_fw_act_timeout(struct my_nvme_ctrl *ctrl)
{
	if (ctrl->mtfa)
		return msecs_to_jiffies(ctrl->mtfa * 100);
	return my_nvme_admin_timeout * HZ;
}

/*
 * Has CSTS.PP been set for longer than MTFA? The pause is timed from
 * when it was first seen (here or by the firmware activation work).
 */
bool my_nvme_fw_act_expired(struct my_nvme_ctrl *ctrl, u32 csts)
{
	unsigned long since;

	if (csts == ~0U || !(csts & NVME_CSTS_PP)) {
		WRITE_ONCE(ctrl->pp_since, 0);
		return false;
	}
	since = READ_ONCE(ctrl->pp_since);
	if (!since) {
		since = jiffies | 1;
		since = cmpxchg(&ctrl->pp_since, 0, since) ?: since;
	}
	return time_after(jiffies, since + my_nvme_fw_act_timeout(ctrl));
}

static enum rq_end_io_ret my_nvme_abort_endio(struct request *rq,
					      blk_status_t error)
{
	struct my_nvme_iod *iod = blk_mq_rq_to_pdu(rq);
	struct my_nvme_ctrl *ctrl = rq->end_io_data;

	/*
	 * Result bit 0 set: the command was not aborted. Either way its
	 * second timeout resets the controller if it is still stuck. A
	 * failed Abort (Abort Command Limit Exceeded, Invalid Field) says
	 * nothing about the controller's health: no reset for it, as
	 * upstream's abort_endio().
	 */
	if (iod->status || error)
		dev_warn(ctrl->dev, "Abort failed: status 0x%x (%s), error %d\n",
			 iod->status, my_nvme_status_str(iod->status),
			 blk_status_to_errno(error));
	else
		dev_info(ctrl->dev, "Abort done, result 0x%x\n",
			 le32_to_cpu(iod->result.u32));
	atomic_inc(&ctrl->abort_limit);
	blk_mq_free_request(rq);
	return RQ_END_IO_NONE;
}

/* Ask the controller to abort @rq; the timer runs again meanwhile. */
static enum blk_eh_timer_return my_nvme_send_abort(struct my_nvme_queue *q,
						   struct request *rq)
{
	struct my_nvme_iod *iod = blk_mq_rq_to_pdu(rq);
	struct my_nvme_ctrl *ctrl = q->ctrl;
	struct my_nvme_iod *abort_iod;
	struct request *abort_rq;

	if (atomic_dec_return(&ctrl->abort_limit) < 0) {
		atomic_inc(&ctrl->abort_limit);
		return BLK_EH_RESET_TIMER;
	}
	abort_rq = blk_mq_alloc_request(ctrl->admin_q, REQ_OP_DRV_IN,
					BLK_MQ_REQ_NOWAIT);
	if (IS_ERR(abort_rq)) {
		atomic_inc(&ctrl->abort_limit);
		return BLK_EH_RESET_TIMER;
	}
	iod->flags |= MY_NVME_IOD_ABORTED;
	atomic_inc(&ctrl->rstats.aborts);
	dev_warn(ctrl->dev,
		 "queue %u tag %d (cid 0x%x) opcode 0x%02x timed out, aborting %s of %u bytes\n",
		 q->qid, rq->tag, my_nvme_cid(rq), iod->cmd.common.opcode,
		 blk_op_str(req_op(rq)), blk_rq_bytes(rq));

	abort_rq->cmd_flags |= REQ_FAILFAST_DRIVER;
	abort_rq->timeout = my_nvme_admin_timeout * HZ;
	abort_iod = blk_mq_rq_to_pdu(abort_rq);
	abort_iod->flags = 0;
	my_nvme_cmd_abort(&abort_iod->cmd, q->qid, my_nvme_cid(rq));
	abort_rq->end_io = my_nvme_abort_endio;
	abort_rq->end_io_data = ctrl;
	blk_execute_rq_nowait(abort_rq, false);
	return BLK_EH_RESET_TIMER;
}

/*
 * The controller is being set up or taken away and a command timed
 * out: give up on it for good. Disabling ends every request, this one
 * included; a setup in progress then fails and leaves it dead.
 */
static enum blk_eh_timer_return my_nvme_timeout_disable(struct my_nvme_queue *q,
							struct request *rq)
{
	struct my_nvme_iod *iod = blk_mq_rq_to_pdu(rq);
	struct my_nvme_ctrl *ctrl = q->ctrl;
	enum my_nvme_ctrl_state state = my_nvme_state(ctrl);

	dev_warn_ratelimited(ctrl->dev,
			     "queue %u tag %d opcode 0x%02x timed out while %s, disabling the controller\n",
			     q->qid, rq->tag, iod->cmd.common.opcode,
			     my_nvme_state_name(state));
	if (state == MY_NVME_CTRL_CONNECTING)
		my_nvme_change_state(ctrl, MY_NVME_CTRL_DELETING);
	my_nvme_dev_disable(ctrl, true);
	return BLK_EH_DONE;
}

/*
 * The recovery ladder, as nvme_timeout(); my_nvme_timeout_action()
 * decides from the state, CSTS, the queue and whether an Abort went out
 * already. A live controller that failed is reset at once; otherwise the
 * CQ is reaped first (a lost interrupt); then a reset in progress ends
 * the request itself, a setup or removal disables the controller, the
 * first timeout of an I/O command sends an Abort, and an admin command
 * or a second timeout resets the controller. A controller pausing for a
 * firmware activation (CSTS.PP) is given MTFA first. A request is only
 * ever ended after the controller was disabled and bus mastering
 * switched off.
 */
enum blk_eh_timer_return my_nvme_timeout(struct request *rq)
{
	struct my_nvme_queue *q = rq->mq_hctx->driver_data;
	struct my_nvme_iod *iod = blk_mq_rq_to_pdu(rq);
	struct my_nvme_ctrl *ctrl = q->ctrl;
	struct pci_dev *pdev = ctrl->pdev;
	enum my_nvme_timeout_action act;
	u32 csts = my_nvme_read_csts(ctrl);

	atomic_inc(&ctrl->rstats.timeouts);
	/* Surprise removal: nothing will answer any more. */
	if (pci_dev_is_disconnected(pdev))
		my_nvme_change_state(ctrl, MY_NVME_CTRL_DELETING);
	/* PCI error recovery owns the device: do not reset under it. */
	else if (pci_channel_offline(pdev))
		return BLK_EH_RESET_TIMER;
	/* NSSRO is only defined where NVM subsystem resets are (CAP.NSSRS). */
	if (csts != ~0U && !ctrl->cap_info.subsys_reset)
		csts &= ~NVME_CSTS_NSSRO;

	act = my_nvme_timeout_action(my_nvme_state(ctrl), csts, !q->qid,
				     iod->flags & MY_NVME_IOD_ABORTED,
				     my_nvme_fw_act_expired(ctrl, csts));
	if (act == MY_NVME_TIMEOUT_FATAL) {
		dev_warn(ctrl->dev, "controller is down (CSTS 0x%x), reset\n",
			 csts);
	} else {
		my_nvme_reap_cq(q);
		if (blk_mq_rq_state(rq) != MQ_RQ_IN_FLIGHT) {
			if (atomic_inc_return(&ctrl->rstats.polled) == 1)
				dev_warn(ctrl->dev,
					 "queue %u tag %d completed by polling after a timeout: lost interrupt?\n",
					 q->qid, rq->tag);
			return BLK_EH_DONE;
		}
	}

	switch (act) {
	case MY_NVME_TIMEOUT_REARM:
		return BLK_EH_RESET_TIMER;
	case MY_NVME_TIMEOUT_ABORT:
		return my_nvme_send_abort(q, rq);
	case MY_NVME_TIMEOUT_DISABLE:
		return my_nvme_timeout_disable(q, rq);
	case MY_NVME_TIMEOUT_RESET:
		dev_warn(ctrl->dev,
			 "queue %u tag %d (cid 0x%x) opcode 0x%02x timed out%s, resetting the controller\n",
			 q->qid, rq->tag, my_nvme_cid(rq), iod->cmd.common.opcode,
			 q->qid ? " again after an Abort" : "");
		break;
	case MY_NVME_TIMEOUT_FATAL:
		break;
	}

	if (!my_nvme_change_state(ctrl, MY_NVME_CTRL_RESETTING)) {
		/*
		 * The state moved on meanwhile: whoever moved it ends the
		 * request (a reset), or it is ours to end (a removal).
		 */
		if (my_nvme_timeout_fallback(my_nvme_state(ctrl)) ==
		    MY_NVME_TIMEOUT_REARM)
			return BLK_EH_RESET_TIMER;
		return my_nvme_timeout_disable(q, rq);
	}
	my_nvme_dev_disable(ctrl, false);
	if (my_nvme_try_sched_reset(ctrl))
		my_nvme_unquiesce_io_queues(ctrl);
	return BLK_EH_DONE;
}

/* ---- The disable path ---- */

static bool my_nvme_pci_ctrl_is_dead(struct my_nvme_ctrl *ctrl)
{
	struct pci_dev *pdev = ctrl->pdev;
	u32 csts;

	if (!pci_is_enabled(pdev) || !pci_device_is_present(pdev))
		return true;
	if (pdev->error_state != pci_channel_io_normal)
		return true;
	csts = my_nvme_read_csts(ctrl);
	return (csts & NVME_CSTS_CFS) || !(csts & NVME_CSTS_RDY);
}

/*
 * Stop a queue: no new commands, no interrupts, no polling. LIVE is
 * cleared under sq_lock, so that a submitter that saw it set (the AERs,
 * my_nvme_submit_aers()) is done before the disable forgets what was
 * outstanding; POLLED under cq_poll_lock, so that a poller inside is
 * done before the rings are touched. The admin queue is quiesced here,
 * which also waits for a queue_rq that saw the queue live to finish;
 * the I/O queues are quiesced already.
 */
static void my_nvme_suspend_queue(struct my_nvme_ctrl *ctrl,
				  struct my_nvme_queue *q)
{
	if (!q->cqes)
		return;
	spin_lock(&q->sq_lock);
	clear_bit(MY_NVME_Q_LIVE, &q->flags);
	spin_unlock(&q->sq_lock);
	spin_lock(&q->cq_poll_lock);
	clear_bit(MY_NVME_Q_POLLED, &q->flags);
	spin_unlock(&q->cq_poll_lock);
	if (!q->qid)
		my_nvme_quiesce_admin_queue(ctrl);
	my_nvme_free_irq(q);
}

static unsigned int my_nvme_nr_queues(struct my_nvme_ctrl *ctrl)
{
	return ctrl->nr_io_queues + 1;
}

/*
 * Send Delete I/O SQ (or CQ) for every live I/O queue and wait for the
 * answers, for at most one admin timeout in all: this runs under
 * shutdown_lock, from a timeout handler too, and a controller that
 * stopped answering must not hold the disable (the deletes' own timeout
 * handler waits for shutdown_lock). False when the controller did not
 * answer in time; it is disabled right after either way, and the
 * disable ends the deletes still outstanding. As upstream's
 * __nvme_delete_io_queues().
 */
static bool my_nvme_delete_queues(struct my_nvme_ctrl *ctrl, u8 opcode)
{
	unsigned long timeout = my_nvme_admin_timeout * HZ;
	bool sent_all = true, answered = true;
	unsigned int i;

	for (i = ctrl->nr_io_queues; i > 0; i--) {
		struct my_nvme_queue *q = &ctrl->queues[i];

		if (!test_bit(MY_NVME_Q_LIVE, &q->flags))
			continue;
		if (my_nvme_send_delete_queue(q, opcode)) {
			sent_all = false;
			break;
		}
		set_bit(MY_NVME_Q_DELETING, &q->flags);
	}
	for (i = ctrl->nr_io_queues; i > 0; i--) {
		struct my_nvme_queue *q = &ctrl->queues[i];

		if (!test_and_clear_bit(MY_NVME_Q_DELETING, &q->flags) ||
		    !answered)
			continue;
		timeout = wait_for_completion_io_timeout(&q->delete_done,
							 timeout);
		answered = timeout;
	}
	if (!answered)
		dev_warn(ctrl->dev, "%s: no answer within %u s, disabling the controller anyway\n",
			 opcode == nvme_admin_delete_sq ? "Delete I/O SQ" :
			 "Delete I/O CQ", my_nvme_admin_timeout);
	return sent_all && answered;
}

/*
 * Orderly stop before a shutdown (NVMe 2.1, 3.6.1; 1.4, 7.6.2: delete the
 * I/O SQs, then the I/O CQs, then set CC.SHN): the SQ deletion aborts
 * what is still outstanding.
 */
static void my_nvme_delete_io_queues(struct my_nvme_ctrl *ctrl)
{
	if (my_nvme_delete_queues(ctrl, nvme_admin_delete_sq))
		my_nvme_delete_queues(ctrl, nvme_admin_delete_cq);
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
	/* The CMB disk's copies touch the BAR: none while it goes down. */
	my_nvme_cmb_freeze(ctrl);

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

/* ---- Bringing it up ---- */

/*
 * Bring the PCI function and the admin queue up: enable the device and
 * bus mastering, one interrupt vector, then disable, program and enable
 * the controller. The same path serves probe, reset and resume.
 */
int my_nvme_pci_enable(struct my_nvme_ctrl *ctrl)
{
	struct pci_dev *pdev = ctrl->pdev;
	struct my_nvme_queue *aq = &ctrl->queues[0];
	u32 aqa = (MY_NVME_AQ_DEPTH - 1) | ((MY_NVME_AQ_DEPTH - 1) << 16);
	u32 csts;
	int ret;

	ret = pci_enable_device_mem(pdev);
	if (ret)
		return ret;
	pci_set_master(pdev);

	csts = my_nvme_read_csts(ctrl);
	if (csts == ~0U) {
		dev_err(ctrl->dev, "controller not responding (registers read all ones)\n");
		ret = -ENODEV;
		goto disable;
	}
	/* An NVM subsystem reset was seen: acknowledge it (write 1 to clear). */
	if (ctrl->cap_info.subsys_reset && (csts & NVME_CSTS_NSSRO))
		writel(NVME_CSTS_NSSRO, ctrl->bar + NVME_REG_CSTS);

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
		ret = my_nvme_alloc_queue(ctrl, 0, MY_NVME_AQ_DEPTH);
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
	/* Conventional resets clear CMBMSC; Controller Reset and FLR do not. */
	my_nvme_cmb_enable(ctrl);
	return 0;

free_vecs:
	pci_free_irq_vectors(pdev);
	ctrl->nr_vecs = 0;
disable:
	pci_disable_device(pdev);
	return ret;
}

static void my_nvme_free_io_queues(struct my_nvme_ctrl *ctrl,
				   unsigned int lowest)
{
	unsigned int i;

	for (i = ctrl->max_qid; i >= lowest && i > 0; i--)
		my_nvme_free_queue(&ctrl->queues[i]);
}

/*
 * Queue and interrupt setup runs in the reset work (or probe) while a
 * timeout may disable the controller under it: give up when the
 * disable holds shutdown_lock, or when it already ran (the state is
 * no longer CONNECTING), as nvme_setup_io_queues_trylock().
 */
static int my_nvme_setup_io_queues_trylock(struct my_nvme_ctrl *ctrl)
{
	if (!mutex_trylock(&ctrl->shutdown_lock))
		return -ENODEV;
	if (my_nvme_state(ctrl) != MY_NVME_CTRL_CONNECTING) {
		mutex_unlock(&ctrl->shutdown_lock);
		return -ENODEV;
	}
	return 0;
}

/*
 * Create I/O queue @qid on the controller (rings allocated once), with
 * its vector or, when @polled, with no interrupt at all. Only once the
 * controller has both queues is the handler requested and the queue
 * counted, under shutdown_lock: a disable sees it whole or not at all.
 */
static int my_nvme_add_io_queue(struct my_nvme_ctrl *ctrl, u16 qid,
				bool polled)
{
	struct my_nvme_queue *q = &ctrl->queues[qid];
	s16 vector = polled ? -1 : (ctrl->nr_vecs > 1 ? qid : 0);
	int ret;

	if (!q->cqes) {
		ret = my_nvme_alloc_queue(ctrl, qid, ctrl->q_depth);
		if (ret)
			return ret;
	}
	ret = my_nvme_create_io_queue(q, vector);
	if (ret)
		return ret;

	ret = my_nvme_setup_io_queues_trylock(ctrl);
	if (ret)
		return ret;	/* the disable resets the controller */
	my_nvme_init_queue(q);
	if (!polled) {
		ret = my_nvme_request_irq(q, vector);
		if (ret) {
			mutex_unlock(&ctrl->shutdown_lock);
			my_nvme_delete_io_queue(q);
			return ret;
		}
	}
	set_bit(MY_NVME_Q_LIVE, &q->flags);
	if (polled)
		set_bit(MY_NVME_Q_POLLED, &q->flags);
	ctrl->nr_io_queues = qid;
	mutex_unlock(&ctrl->shutdown_lock);
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

	ret = my_nvme_setup_io_queues_trylock(ctrl);
	if (ret)
		return ret;
	my_nvme_free_irq(aq);
	pci_free_irq_vectors(ctrl->pdev);
	ctrl->nr_vecs = 0;

	ret = pci_alloc_irq_vectors_affinity(ctrl->pdev, 1, nr_irq + 1,
					     PCI_IRQ_ALL_TYPES | PCI_IRQ_AFFINITY,
					     &affd);
	if (ret > 0) {
		ctrl->nr_vecs = ret;
		ret = my_nvme_request_irq(aq, 0);
	}
	mutex_unlock(&ctrl->shutdown_lock);
	return ret;
}

/*
 * The I/O queues: qid 1 up with interrupts (one per CPU as far as the
 * controller and the vectors go), then poll_queues without (at least one
 * interrupt-driven queue stays). The count and the split may differ from
 * the last reset's; queues[] has room for one per CPU plus the poll
 * queues. The disable before the reset suspended every queue.
 */
static int my_nvme_setup_io_queues(struct my_nvme_ctrl *ctrl)
{
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

	nr_poll = min(nr_poll, nr_io - 1);
	nr_irq = min(nr_io - nr_poll, num_possible_cpus());
	ret = my_nvme_setup_irqs(ctrl, nr_irq);
	if (ret) {
		dev_err(ctrl->dev, "cannot set up interrupt vectors: %d\n",
			ret);
		return ret;
	}
	nr_irq = ctrl->nr_vecs > 1 ? min(nr_irq, ctrl->nr_vecs - 1) : 1;
	nr_io = nr_irq + nr_poll;

	my_nvme_dbbuf_alloc(ctrl);
	for (i = 1; i <= nr_io; i++) {
		ret = my_nvme_add_io_queue(ctrl, i, i > nr_irq);
		if (ret)
			break;
	}
	/* A disable took over (a timeout): the setup fails as a whole. */
	if (my_nvme_state(ctrl) != MY_NVME_CTRL_CONNECTING)
		return -ENODEV;
	ctrl->nr_poll_queues = ctrl->nr_io_queues > nr_irq ?
		ctrl->nr_io_queues - nr_irq : 0;
	/* Keep the queues that work; without any there is no I/O. */
	if (!ctrl->nr_io_queues)
		return ret;
	if (ret)
		dev_warn(ctrl->dev, "using %u I/O queue(s) after error %d\n",
			 ctrl->nr_io_queues, ret);

	my_nvme_dbbuf_set(ctrl);
	dev_info(ctrl->dev, "%u I/O queue(s) of depth %u (%u polled), %u %s vector(s)%s\n",
		 ctrl->nr_io_queues, ctrl->q_depth, ctrl->nr_poll_queues,
		 ctrl->nr_vecs,
		 ctrl->pdev->msix_enabled ? "MSI-X" :
		 ctrl->pdev->msi_enabled ? "MSI" : "INTx",
		 ctrl->dbbuf_dbs ? ", shadow doorbells" : "");
	return 0;
}

/*
 * Wait until the requests the reset requeued have finished. One that
 * lands on a queue the new layout polls was not submitted for polling
 * (no REQ_POLLED): nobody reaps it but us. One that a namespace of
 * unknown format holds would never finish: it fails. The rest are
 * bounded by their timeouts (a timeout while CONNECTING gives up).
 */
static void my_nvme_wait_requeued(struct my_nvme_ctrl *ctrl)
{
	unsigned int i;

	while (!my_nvme_wait_freeze_timeout(ctrl, HZ / 10)) {
		my_nvme_fail_stale_namespaces(ctrl);
		for (i = 1; i <= ctrl->nr_io_queues; i++)
			if (test_bit(MY_NVME_Q_POLLED, &ctrl->queues[i].flags))
				my_nvme_reap_cq(&ctrl->queues[i]);
	}
}

/*
 * The hardware contexts follow the new layout: every request that
 * entered under the old one has finished (the queues are frozen since
 * the disable), then blk-mq rebuilds the contexts and their maps, then
 * the queues the new layout no longer uses are freed, which nothing can
 * reach any more. Under shutdown_lock, so that no disable suspends the
 * queues meanwhile (as nvme_pci_update_nr_queues()).
 */
static int my_nvme_update_layout(struct my_nvme_ctrl *ctrl)
{
	int ret;

	my_nvme_unquiesce_io_queues(ctrl);
	my_nvme_wait_requeued(ctrl);
	ret = my_nvme_setup_io_queues_trylock(ctrl);
	if (ret)
		return ret;
	my_nvme_update_nr_hw_queues(ctrl);
	my_nvme_free_io_queues(ctrl, ctrl->nr_io_queues + 1);
	mutex_unlock(&ctrl->shutdown_lock);
	return 0;
}

/*
 * Bring a controller whose admin queue is up to LIVE: identify, queues,
 * tag set (allocated once; its queue count follows the controller's),
 * asynchronous events and a namespace scan. Probe and the reset work
 * share it; the caller has set CONNECTING.
 */
int my_nvme_init_ctrl_finish(struct my_nvme_ctrl *ctrl)
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

	/*
	 * Only a BAR without room for I/O doorbells leaves none (the count
	 * is fixed at probe, my_nvme_map_bar()): admin commands only, no
	 * tag set and never a disk.
	 */
	if (!ctrl->nr_io_queues)
		return 0;
	if (!ctrl->tagset.tags) {
		ret = my_nvme_alloc_io_tagset(ctrl);
		if (ret)
			return ret;
		my_nvme_free_io_queues(ctrl, ctrl->nr_io_queues + 1);
	} else if (my_nvme_layout_changed(ctrl)) {
		ret = my_nvme_update_layout(ctrl);
		if (ret)
			return ret;
		my_nvme_unfreeze(ctrl);
	} else {
		/*
		 * Same layout: the requests the reset requeued run on the
		 * new queues, and the controller goes LIVE at once, so that
		 * a backend still slow to answer is handled by the LIVE
		 * timeout ladder (abort, then another reset), not taken for
		 * a controller that failed to come up. (Upstream waits for
		 * them in every reset; a timeout while CONNECTING then
		 * removes the controller.)
		 */
		my_nvme_unquiesce_io_queues(ctrl);
		my_nvme_unfreeze(ctrl);
	}
	return 0;
}

/* After LIVE: events on, namespaces (re)scanned. */
void my_nvme_start_ctrl(struct my_nvme_ctrl *ctrl)
{
	set_bit(MY_NVME_EVENT_RESUBMIT, &ctrl->events);
	my_nvme_queue_aen(ctrl);
	my_nvme_queue_scan(ctrl);
}

/*
 * Stop what start_ctrl started, on a controller that is no longer LIVE.
 * The firmware activation work first: it may queue the event work as it
 * ends, while the event work, not LIVE, queues nothing.
 */
void my_nvme_stop_ctrl(struct my_nvme_ctrl *ctrl)
{
	cancel_work_sync(&ctrl->fw_act_work);
	flush_work(&ctrl->async_event_work);
	cancel_work_sync(&ctrl->scan_work);
}

/* ---- Reset ---- */

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
	/* A Controller Reset leaves the CMB's contents undefined. */
	my_nvme_cmb_unfreeze(ctrl);
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
	my_nvme_cmb_unfreeze(ctrl);
	my_nvme_remove_namespaces(ctrl);
}

/* RESETTING was set by the caller: run the reset work once. */
int my_nvme_try_sched_reset(struct my_nvme_ctrl *ctrl)
{
	if (my_nvme_state(ctrl) != MY_NVME_CTRL_RESETTING)
		return -EBUSY;
	if (!queue_work(ctrl->reset_wq, &ctrl->reset_work))
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
	if (!queue_work(ctrl->reset_wq, &ctrl->reset_work))
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
 * work to bring it back (suspend, FLR, shutdown). A reset in progress
 * ends, LIVE or DEAD, within its bounded waits.
 */
static bool my_nvme_wait_reset(struct my_nvme_ctrl *ctrl)
{
	wait_event(ctrl->state_wq,
		   my_nvme_change_state(ctrl, MY_NVME_CTRL_RESETTING) ||
		   my_nvme_state_terminal(ctrl));
	return my_nvme_state(ctrl) == MY_NVME_CTRL_RESETTING;
}

int my_nvme_disable_prepare_reset(struct my_nvme_ctrl *ctrl, bool shutdown)
{
	if (!my_nvme_wait_reset(ctrl))
		return -EBUSY;
	my_nvme_dev_disable(ctrl, shutdown);
	return 0;
}

/* ---- Firmware activation ---- */

/*
 * Firmware Activation Starting (an asynchronous event notice): the
 * controller pauses processing (CSTS.PP) for up to MTFA. Hold the I/O
 * queues meanwhile, then read the Firmware Slot log, which clears the
 * event and tells the new revision; if the pause outlasts MTFA, reset
 * the controller, as nvme_fw_act_work(). Upstream keeps the controller
 * RESETTING meanwhile to keep recovery out; here the timeout handler
 * itself waits while CSTS.PP is set (my_nvme_timeout_action()), and the
 * queues are started again under shutdown_lock, only if no reset began:
 * a reset's disable owns the quiesce from then on.
 */
static void my_nvme_fw_act_work(struct work_struct *work)
{
	struct my_nvme_ctrl *ctrl =
		container_of(work, struct my_nvme_ctrl, fw_act_work);
	unsigned long start = jiffies;
	bool live;
	u32 csts;

	if (my_nvme_state(ctrl) != MY_NVME_CTRL_LIVE)
		return;
	my_nvme_quiesce_io_queues(ctrl);
	for (;;) {
		csts = my_nvme_read_csts(ctrl);
		if (!(ctrl->ctrl_config & NVME_CC_ENABLE) || csts == ~0U ||
		    !(csts & NVME_CSTS_PP))
			break;
		if (my_nvme_fw_act_expired(ctrl, csts)) {
			dev_warn(ctrl->dev, "firmware activation still paused after %u ms, resetting the controller\n",
				 jiffies_to_msecs(jiffies - start));
			/* The reset starts the queues again, or the removal. */
			my_nvme_reset_ctrl(ctrl);
			return;
		}
		if (my_nvme_state(ctrl) != MY_NVME_CTRL_LIVE)
			break;
		msleep(100);
	}
	WRITE_ONCE(ctrl->pp_since, 0);
	atomic_inc(&ctrl->rstats.fw_activations);
	mutex_lock(&ctrl->shutdown_lock);
	live = my_nvme_state(ctrl) == MY_NVME_CTRL_LIVE;
	if (live)
		my_nvme_unquiesce_io_queues(ctrl);
	mutex_unlock(&ctrl->shutdown_lock);
	/*
	 * A reset identifies the controller and sends the AERs again; a
	 * removal must not find the event work queued after it stopped it
	 * (as nvme_fw_act_work() returns when the state is not LIVE).
	 */
	if (!live)
		return;
	dev_info(ctrl->dev, "firmware activation: processing resumed after %u ms\n",
		 jiffies_to_msecs(jiffies - start));
	my_nvme_update_firmware_rev(ctrl);
	set_bit(MY_NVME_EVENT_RESUBMIT, &ctrl->events);
	my_nvme_queue_aen(ctrl);
}

/* ---- The controller structure ---- */

/*
 * The controller structure, before probe does anything with it: locks,
 * works and the calls up (@ops). my_nvme_free_ctrl() undoes it once the
 * class device exists (my_nvme_init_ctrl_dev()).
 */
int my_nvme_init_ctrl(struct my_nvme_ctrl *ctrl, struct pci_dev *pdev,
		      const struct my_nvme_ctrl_ops *ops,
		      struct workqueue_struct *wq,
		      struct workqueue_struct *reset_wq)
{
	ctrl->pdev = pdev;
	ctrl->dev = &pdev->dev;
	ctrl->ops = ops;
	ctrl->wq = wq;
	ctrl->reset_wq = reset_wq;
	ctrl->state = MY_NVME_CTRL_NEW;
	ctrl->shutdown_timeout_ms = 5000;
	spin_lock_init(&ctrl->state_lock);
	spin_lock_init(&ctrl->aen_lock);
	init_waitqueue_head(&ctrl->state_wq);
	init_waitqueue_head(&ctrl->user_wq);
	atomic_set(&ctrl->user_cmds, 0);
	mutex_init(&ctrl->shutdown_lock);
	mutex_init(&ctrl->scan_lock);
	mutex_init(&ctrl->ns_lock);
	INIT_LIST_HEAD(&ctrl->namespaces);
	INIT_WORK(&ctrl->reset_work, my_nvme_reset_work);
	INIT_WORK(&ctrl->scan_work, my_nvme_scan_work);
	INIT_WORK(&ctrl->async_event_work, my_nvme_async_event_work);
	INIT_WORK(&ctrl->fw_act_work, my_nvme_fw_act_work);
	return init_srcu_struct(&ctrl->srcu);
}

/* The class device's release: the last reference is gone. */
void my_nvme_free_ctrl(struct my_nvme_ctrl *ctrl)
{
	my_nvme_free_admin_tagset(ctrl);
	cleanup_srcu_struct(&ctrl->srcu);
	kfree(ctrl->queues);
	kfree(ctrl);
}
