// SPDX-License-Identifier: GPL-2.0
/*
 * my_nvme queue.c: the bottom of the stack: submission and completion
 * queue rings, doorbells (spaced by CAP.DSTRD) and shadow doorbells,
 * copying commands into the SQ, and the phase bit that says a CQ entry
 * is new. It calls nothing else in the driver: blk.c consumes the CQ.
 */

#include <linux/dma-mapping.h>
#include <linux/io.h>
#include <kunit/visibility.h>

#include "my_nvme.h"

/*
 * NVMe 2.0, 3.1.4.x: doorbells start at 1000h; SQ y tail is at
 * 1000h + (2y) * stride, CQ y head at 1000h + (2y + 1) * stride, where
 * stride = 4 << CAP.DSTRD bytes.
 */
u32 my_nvme_sq_db_offset(u16 qid, u32 stride)
{
	return NVME_REG_DBS + 2 * qid * stride;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_sq_db_offset);

u32 my_nvme_cq_db_offset(u16 qid, u32 stride)
{
	return NVME_REG_DBS + (2 * qid + 1) * stride;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_cq_db_offset);

/* A CQ entry is new when its phase tag matches the phase we expect. */
bool my_nvme_cqe_pending(const struct nvme_completion *cqe, u8 phase)
{
	return (le16_to_cpu(READ_ONCE(cqe->status)) & 1) == phase;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_cqe_pending);

/*
 * Shadow doorbells (NVMe 2.0, 3.8.3, Doorbell Buffer Config): the host
 * writes the new tail/head to memory, and the MMIO doorbell only when
 * the controller's EventIdx lies in [old, new), counted with
 * wrap-around: (new - event_idx - 1) < (new - old), in u16 arithmetic.
 */
bool my_nvme_dbbuf_need_event(u16 event_idx, u16 new_idx, u16 old)
{
	return (u16)(new_idx - event_idx - 1) < (u16)(new_idx - old);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_dbbuf_need_event);

/*
 * Update a shadow doorbell; true when the MMIO doorbell must be written
 * too (always, without shadow doorbells).
 */
static bool my_nvme_dbbuf_update(u16 value, __le32 *dbbuf_db,
				 __le32 *dbbuf_ei)
{
	u16 old, event_idx;

	if (!dbbuf_db)
		return true;
	/* The queue entries are written before the shadow doorbell. */
	wmb();
	old = le32_to_cpu(*dbbuf_db);
	*dbbuf_db = cpu_to_le32(value);
	/*
	 * The shadow doorbell is written before EventIdx is read; the
	 * controller orders its EventIdx update before reading it.
	 */
	mb();
	event_idx = le32_to_cpu(READ_ONCE(*dbbuf_ei));
	return my_nvme_dbbuf_need_event(event_idx, value, old);
}

/* The controller inverts the phase tag each time it wraps the ring. */
void my_nvme_cq_advance(u16 *head, u8 *phase, u32 depth)
{
	u32 next = *head + 1;

	/* u32: a 65536-entry ring must still wrap and flip the phase. */
	if (next == depth) {
		next = 0;
		*phase ^= 1;
	}
	*head = next;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_cq_advance);

/*
 * The rings are allocated once, at the queue's first creation, and kept
 * until the controller goes: a reset recreates the queue on the same
 * memory (the depth is fixed at probe), so nothing that may still hold
 * a pointer into them (a poller, a late completion) ever sees it freed.
 */
int my_nvme_alloc_queue(struct my_nvme_ctrl *ctrl, u16 qid, u32 depth)
{
	struct my_nvme_queue *q = &ctrl->queues[qid];

	q->cqes = dma_alloc_coherent(ctrl->dev, depth * sizeof(*q->cqes),
				     &q->cq_dma_addr, GFP_KERNEL);
	if (!q->cqes)
		return -ENOMEM;

	q->sq_cmds = dma_alloc_coherent(ctrl->dev, depth * sizeof(*q->sq_cmds),
					&q->sq_dma_addr, GFP_KERNEL);
	if (!q->sq_cmds) {
		dma_free_coherent(ctrl->dev, depth * sizeof(*q->cqes),
				  q->cqes, q->cq_dma_addr);
		q->cqes = NULL;
		return -ENOMEM;
	}

	q->ctrl = ctrl;
	q->qid = qid;
	q->q_depth = depth;
	q->cq_vector = -1;
	spin_lock_init(&q->sq_lock);
	spin_lock_init(&q->cq_poll_lock);
	init_completion(&q->delete_done);
	q->sq_db = (void __iomem *)ctrl->bar +
		my_nvme_sq_db_offset(qid, ctrl->cap_info.doorbell_stride);
	q->cq_db = (void __iomem *)ctrl->bar +
		my_nvme_cq_db_offset(qid, ctrl->cap_info.doorbell_stride);
	return 0;
}

/*
 * After the queue was (re)created on the controller and before its
 * first command: empty rings, and a CQ without stale entries from
 * before a reset, whose phase tags could otherwise look new. Under
 * cq_poll_lock, so that a poller never reads a half-cleared ring.
 */
void my_nvme_init_queue(struct my_nvme_queue *q)
{
	spin_lock(&q->cq_poll_lock);
	q->sq_tail = 0;
	q->last_sq_tail = 0;
	q->cq_head = 0;
	q->cq_phase = 1;
	q->cq_db_mmio = false;	/* my_nvme_request_irq() decides */
	memset(q->cqes, 0, q->q_depth * sizeof(*q->cqes));
	my_nvme_dbbuf_init(q);
	spin_unlock(&q->cq_poll_lock);
}

/*
 * Point an I/O queue at its slots in the shadow doorbell and EventIdx
 * buffers, laid out like the doorbell registers (the admin queue keeps
 * MMIO doorbells, as in the in-tree driver).
 */
void my_nvme_dbbuf_init(struct my_nvme_queue *q)
{
	struct my_nvme_ctrl *ctrl = q->ctrl;
	u32 stride = ctrl->cap_info.doorbell_stride / sizeof(u32);

	if (!ctrl->dbbuf_dbs || !q->qid) {
		q->dbbuf_sq_db = NULL;
		q->dbbuf_cq_db = NULL;
		q->dbbuf_sq_ei = NULL;
		q->dbbuf_cq_ei = NULL;
		return;
	}
	q->dbbuf_sq_db = &ctrl->dbbuf_dbs[2 * q->qid * stride];
	q->dbbuf_cq_db = &ctrl->dbbuf_dbs[(2 * q->qid + 1) * stride];
	q->dbbuf_sq_ei = &ctrl->dbbuf_eis[2 * q->qid * stride];
	q->dbbuf_cq_ei = &ctrl->dbbuf_eis[(2 * q->qid + 1) * stride];
}

void my_nvme_free_queue(struct my_nvme_queue *q)
{
	if (!q->cqes)
		return;
	dma_free_coherent(q->ctrl->dev, q->q_depth * sizeof(*q->cqes),
			  q->cqes, q->cq_dma_addr);
	dma_free_coherent(q->ctrl->dev, q->q_depth * sizeof(*q->sq_cmds),
			  q->sq_cmds, q->sq_dma_addr);
	q->cqes = NULL;
	q->sq_cmds = NULL;
}

static void my_nvme_write_sq_db(struct my_nvme_queue *q)
{
	if (my_nvme_dbbuf_update(q->sq_tail, q->dbbuf_sq_db, q->dbbuf_sq_ei)) {
		writel(q->sq_tail, q->sq_db);
		q->sq_stats.db_writes++;
	} else {
		q->sq_stats.db_skipped++;
	}
	q->last_sq_tail = q->sq_tail;
}

/*
 * Tell the controller how far the CQ has been consumed: the CQ head
 * doorbell, or its shadow when EventIdx says the MMIO write is not
 * wanted (my_nvme_process_cq() says when). Without MSI-X the MMIO write
 * is never skipped: pin-based and MSI interrupts keep a per-vector
 * interrupt status that the controller clears only once the host has
 * acknowledged the entries through the CQ head doorbell (NVMe over PCIe
 * Transport 1.0, 3.5.1). A shadow write is nothing the controller
 * observes, so a level-triggered INTx line would stay asserted and
 * interrupt again and again with an empty CQ (QEMU's does, until the
 * kernel disables the line as "nobody cared"), and an MSI would not be
 * sent again for the next entries.
 */
void my_nvme_write_cq_db(struct my_nvme_queue *q)
{
	if (my_nvme_dbbuf_update(q->cq_head, q->dbbuf_cq_db, q->dbbuf_cq_ei) ||
	    q->cq_db_mmio) {
		writel(q->cq_head, q->cq_db);
		q->stats.cq_db_writes++;
	} else {
		q->stats.cq_db_skipped++;
	}
}

/*
 * Copy a command into the next SQ slot, with sq_lock held. The doorbell
 * is rung only when @ring is set (the last request of a blk-mq batch),
 * so a batch costs one MMIO write.
 */
void __my_nvme_submit_cmd(struct my_nvme_queue *q, struct nvme_command *cmd,
			  bool ring)
{
	lockdep_assert_held(&q->sq_lock);
	memcpy(&q->sq_cmds[q->sq_tail], cmd, sizeof(*cmd));
	q->sq_tail = (q->sq_tail + 1U == q->q_depth) ? 0 : q->sq_tail + 1;
	q->sq_stats.submitted++;
	if (ring)
		my_nvme_write_sq_db(q);
}

void my_nvme_submit_cmd(struct my_nvme_queue *q, struct nvme_command *cmd,
			bool ring)
{
	spin_lock(&q->sq_lock);
	__my_nvme_submit_cmd(q, cmd, ring);
	spin_unlock(&q->sq_lock);
}

/* Submit a list of prepared requests with one lock and one doorbell. */
void my_nvme_submit_rqs(struct my_nvme_queue *q, struct rq_list *rqlist)
{
	struct request *rq;

	if (rq_list_empty(rqlist))
		return;

	spin_lock(&q->sq_lock);
	while ((rq = rq_list_pop(rqlist))) {
		struct my_nvme_iod *iod = blk_mq_rq_to_pdu(rq);

		__my_nvme_submit_cmd(q, &iod->cmd, false);
	}
	my_nvme_write_sq_db(q);
	spin_unlock(&q->sq_lock);
}

/* Ring the doorbell for commands queued without one (blk-mq commit_rqs). */
void my_nvme_commit_sq(struct my_nvme_queue *q)
{
	spin_lock(&q->sq_lock);
	if (q->sq_tail != q->last_sq_tail)
		my_nvme_write_sq_db(q);
	spin_unlock(&q->sq_lock);
}

