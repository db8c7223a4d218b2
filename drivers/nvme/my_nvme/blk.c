// SPDX-License-Identifier: GPL-2.0
/*
 * my_nvme blk.c: the data path: tag sets and blk-mq operations, request
 * to command translation, data mapping, completion (interrupts, polling,
 * reaping a CQ), retries, cancellation and quiescing. Admin commands and
 * namespace I/O share it; a request that times out goes up to ctrl.c
 * through my_nvme_ctrl_ops.
 */

#include <linux/blk-integrity.h>
#include <linux/blk-mq-pci.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/t10-pi.h>
#include <kunit/visibility.h>

#include "my_nvme.h"

unsigned int my_nvme_io_timeout = 30;
module_param_named(io_timeout, my_nvme_io_timeout, uint, 0644);
MODULE_PARM_DESC(io_timeout, "Timeout of an I/O command in seconds (default 30)");

static unsigned int my_nvme_max_retries = 5;
module_param_named(max_retries, my_nvme_max_retries, uint, 0644);
MODULE_PARM_DESC(max_retries,
		 "How often a failed command that may be retried is sent again (default 5)");

static unsigned int sgl_threshold = SZ_32K;
module_param(sgl_threshold, uint, 0644);
MODULE_PARM_DESC(sgl_threshold,
		 "Use SGLs when the average segment size of a multi-segment request is at least this many bytes and the controller supports SGLs (0 = always PRPs)");

/* ---- Request mapping ---- */

static void *my_nvme_pool_alloc(void *pool, dma_addr_t *dma)
{
	return dma_pool_alloc(pool, GFP_ATOMIC, dma);
}

/*
 * A descriptor list for a user command. The driver builds it from the
 * buffer the user gave (data_len); the controller reads it according to
 * the command's own transfer length, which the driver does not know for
 * every command. A command that moves two pages at most takes PRP2 as a
 * data page and writes into the list; one that moves more reads entries
 * beyond those written. So the list gets a page of its own (never a
 * block of the shared 256-byte pool, whose neighbours are other
 * requests' lists and the pool's free list), and every entry past the
 * written ones leads to the sink (my_nvme_sink_init()): whatever the
 * command does, it cannot reach memory that is not its own or the
 * sink's.
 */
static void *my_nvme_user_list_alloc(void *priv, dma_addr_t *dma)
{
	struct my_nvme_ctrl *ctrl = priv;
	__le64 *list = dma_pool_alloc(ctrl->list_pool, GFP_ATOMIC, dma);

	if (list)
		memcpy(list, ctrl->sink_list, MY_NVME_CTRL_PAGE_SIZE);
	return list;
}

static void my_nvme_free_lists(struct my_nvme_ctrl *ctrl,
			       struct my_nvme_iod *iod)
{
	struct dma_pool *pool = iod->small_list ? ctrl->small_pool :
		ctrl->list_pool;

	while (iod->nr_lists > 0) {
		iod->nr_lists--;
		dma_pool_free(pool, iod->lists[iod->nr_lists],
			      iod->list_dma[iod->nr_lists]);
	}
	iod->small_list = false;
}

/*
 * A descriptor list of up to 256 bytes (32 PRP entries, transfers up to
 * 128 KiB; 16 SGL descriptors) comes from the small pool, as upstream
 * does: a 4 KiB list page for a handful of entries wastes memory and
 * cache.
 */
static bool my_nvme_list_is_small(struct request *rq, struct scatterlist *sg,
				  int nents, bool use_sgl)
{
	u32 offset = sg_dma_address(sg) & (MY_NVME_CTRL_PAGE_SIZE - 1);
	u32 pages;

	if (use_sgl)
		return nents * sizeof(struct nvme_sgl_desc) <= MY_NVME_SMALL_LIST;
	pages = DIV_ROUND_UP(blk_rq_payload_bytes(rq) + offset,
			     MY_NVME_CTRL_PAGE_SIZE);
	return (pages - 1) * sizeof(__le64) <= MY_NVME_SMALL_LIST;
}

static bool my_nvme_use_sgl(struct my_nvme_queue *q, struct request *rq,
			    int nents)
{
	/* PCIe admin commands must use PRPs (NVMe 2.0, 4.1.2). */
	if (!q->qid || nents < 2 || !sgl_threshold ||
	    nents > MY_NVME_CTRL_PAGE_SIZE / sizeof(struct nvme_sgl_desc) ||
	    !(q->ctrl->sgls & MY_NVME_SGLS_SUPPORTED))
		return false;
	return DIV_ROUND_UP(blk_rq_payload_bytes(rq), nents) >= sgl_threshold;
}

/* One bvec within two controller pages needs no list: map it directly. */
static blk_status_t my_nvme_map_simple(struct my_nvme_ctrl *ctrl,
				       struct request *rq,
				       struct nvme_command *cmd,
				       struct bio_vec *bv)
{
	struct my_nvme_iod *iod = blk_mq_rq_to_pdu(rq);
	u32 first = MY_NVME_CTRL_PAGE_SIZE -
		(bv->bv_offset & (MY_NVME_CTRL_PAGE_SIZE - 1));

	iod->first_dma = dma_map_bvec(ctrl->dev, bv, rq_dma_dir(rq), 0);
	if (dma_mapping_error(ctrl->dev, iod->first_dma))
		return BLK_STS_RESOURCE;
	iod->dma_len = bv->bv_len;

	cmd->common.dptr.prp1 = cpu_to_le64(iod->first_dma);
	cmd->common.dptr.prp2 = bv->bv_len > first ?
		cpu_to_le64(iod->first_dma + first) : 0;
	return BLK_STS_OK;
}

static blk_status_t my_nvme_map_data(struct my_nvme_queue *q,
				     struct request *rq,
				     struct nvme_command *cmd)
{
	struct my_nvme_iod *iod = blk_mq_rq_to_pdu(rq);
	struct my_nvme_ctrl *ctrl = q->ctrl;
	struct my_nvme_list_alloc la = {
		.alloc = my_nvme_pool_alloc,
		.priv = ctrl->list_pool,
	};
	blk_status_t sts = BLK_STS_RESOURCE;
	int nents, ret;

	/* Fault injection: as if the DMA mapping (or the descriptors) failed. */
	sts = my_nvme_fault_map(ctrl);
	if (unlikely(sts))
		return sts;
	sts = BLK_STS_RESOURCE;

	if (blk_rq_nr_phys_segments(rq) == 1) {
		struct bio_vec bv = req_bvec(rq);

		if ((bv.bv_offset & (MY_NVME_CTRL_PAGE_SIZE - 1)) + bv.bv_len <=
		    MY_NVME_CTRL_PAGE_SIZE * 2) {
			my_nvme_set_dptr_type(cmd, false);
			return my_nvme_map_simple(ctrl, rq, cmd, &bv);
		}
	}

	/*
	 * orig_nents must stay what was allocated: sg_free_table_chained()
	 * picks the pools to free to from it. The mapped count goes to
	 * map_nents, the DMA segment count to sgt.nents.
	 */
	iod->sgt.sgl = iod->inline_sg;
	if (sg_alloc_table_chained(&iod->sgt, blk_rq_nr_phys_segments(rq),
				   iod->inline_sg, MY_NVME_INLINE_SG))
		return BLK_STS_RESOURCE;

	nents = blk_rq_map_sg(rq->q, rq, iod->sgt.sgl);
	if (!nents) {
		sts = BLK_STS_IOERR;
		goto out_free_sg;
	}
	iod->sgt.nents = dma_map_sg_attrs(ctrl->dev, iod->sgt.sgl, nents,
					  rq_dma_dir(rq), DMA_ATTR_NO_WARN);
	if (!iod->sgt.nents)
		goto out_free_sg;
	iod->map_nents = nents;

	iod->use_sgl = my_nvme_use_sgl(q, rq, iod->sgt.nents);
	my_nvme_set_dptr_type(cmd, iod->use_sgl);
	if (unlikely(iod->flags & MY_NVME_IOD_USER)) {
		la.alloc = my_nvme_user_list_alloc;
		la.priv = ctrl;
	} else if (my_nvme_list_is_small(rq, iod->sgt.sgl, iod->sgt.nents,
					 iod->use_sgl)) {
		iod->small_list = true;
		la.priv = ctrl->small_pool;
	}
	if (iod->use_sgl) {
		ret = my_nvme_build_sgl(iod->sgt.sgl, iod->sgt.nents,
					MY_NVME_CTRL_PAGE_SIZE, &la, iod->lists,
					iod->list_dma, &iod->nr_lists,
					&cmd->common.dptr.sgl);
	} else {
		ret = my_nvme_build_prps(iod->sgt.sgl, blk_rq_payload_bytes(rq),
					 MY_NVME_CTRL_PAGE_SIZE, &la, iod->lists,
					 iod->list_dma, &iod->nr_lists,
					 MY_NVME_MAX_LIST_PAGES,
					 &cmd->common.dptr.prp1,
					 &cmd->common.dptr.prp2);
	}
	if (!ret)
		return BLK_STS_OK;

	if (ret == -EINVAL) {
		dev_err_ratelimited(ctrl->dev,
				    "cannot describe %u bytes in %u segments\n",
				    blk_rq_payload_bytes(rq), iod->sgt.nents);
		sts = BLK_STS_IOERR;
	}
	my_nvme_free_lists(ctrl, iod);
	dma_unmap_sg(ctrl->dev, iod->sgt.sgl, iod->map_nents, rq_dma_dir(rq));
	iod->map_nents = 0;
out_free_sg:
	sg_free_table_chained(&iod->sgt, MY_NVME_INLINE_SG);
	return sts;
}

/*
 * The sink of user commands' lists (my_nvme_user_list_alloc()): a page
 * the controller may write anything into, and a list page whose every
 * entry is the sink and whose last (the chain pointer) is the list
 * itself, so that no count of entries read leads anywhere else. The
 * controller never writes the list page: it is only ever read as a list.
 */
int my_nvme_sink_init(struct my_nvme_ctrl *ctrl)
{
	unsigned int i, n = MY_NVME_CTRL_PAGE_SIZE / sizeof(__le64);

	ctrl->sink = dma_alloc_coherent(ctrl->dev, MY_NVME_CTRL_PAGE_SIZE,
					&ctrl->sink_dma, GFP_KERNEL);
	ctrl->sink_list = dma_alloc_coherent(ctrl->dev, MY_NVME_CTRL_PAGE_SIZE,
					     &ctrl->sink_list_dma, GFP_KERNEL);
	if (!ctrl->sink || !ctrl->sink_list) {
		my_nvme_sink_free(ctrl);
		return -ENOMEM;
	}
	for (i = 0; i < n - 1; i++)
		ctrl->sink_list[i] = cpu_to_le64(ctrl->sink_dma);
	ctrl->sink_list[n - 1] = cpu_to_le64(ctrl->sink_list_dma);
	return 0;
}

void my_nvme_sink_free(struct my_nvme_ctrl *ctrl)
{
	if (ctrl->sink)
		dma_free_coherent(ctrl->dev, MY_NVME_CTRL_PAGE_SIZE, ctrl->sink,
				  ctrl->sink_dma);
	if (ctrl->sink_list)
		dma_free_coherent(ctrl->dev, MY_NVME_CTRL_PAGE_SIZE,
				  ctrl->sink_list, ctrl->sink_list_dma);
	ctrl->sink = NULL;
	ctrl->sink_list = NULL;
}

/*
 * The request's separate metadata (MPTR): one buffer, as the queue's
 * max_integrity_segments asks of the block layer (a user's buffer
 * spanning pages is copied into one, blk_rq_integrity_map_user()).
 */
static blk_status_t my_nvme_map_metadata(struct my_nvme_ctrl *ctrl,
					 struct request *rq,
					 struct nvme_command *cmd)
{
	struct my_nvme_iod *iod = blk_mq_rq_to_pdu(rq);
	struct bio_vec bv = rq_integrity_vec(rq);

	iod->meta_dma = dma_map_bvec(ctrl->dev, &bv, rq_dma_dir(rq), 0);
	if (dma_mapping_error(ctrl->dev, iod->meta_dma))
		return BLK_STS_RESOURCE;
	iod->meta_len = bv.bv_len;
	cmd->rw.metadata = cpu_to_le64(iod->meta_dma);
	return BLK_STS_OK;
}

/* Undo the mapping; safe to call twice (a retried request is remapped). */
static void my_nvme_unmap_data(struct my_nvme_ctrl *ctrl, struct request *rq)
{
	struct my_nvme_iod *iod = blk_mq_rq_to_pdu(rq);

	if (unlikely(iod->meta_len)) {
		dma_unmap_page(ctrl->dev, iod->meta_dma, iod->meta_len,
			       rq_dma_dir(rq));
		iod->meta_len = 0;
	}
	if (iod->dma_len) {
		dma_unmap_page(ctrl->dev, iod->first_dma, iod->dma_len,
			       rq_dma_dir(rq));
		iod->dma_len = 0;
		return;
	}
	my_nvme_free_lists(ctrl, iod);
	if (iod->map_nents) {
		dma_unmap_sg(ctrl->dev, iod->sgt.sgl, iod->map_nents,
			     rq_dma_dir(rq));
		sg_free_table_chained(&iod->sgt, MY_NVME_INLINE_SG);
		iod->map_nents = 0;
	}
}

/* ---- Commands and submission ---- */

/* Deallocate: one range per bio the block layer merged into @rq. */
static blk_status_t my_nvme_setup_discard(struct my_nvme_ns *ns,
					  struct request *rq,
					  struct my_nvme_iod *iod)
{
	unsigned short segments = blk_rq_nr_discard_segments(rq);
	struct my_nvme_ctrl *ctrl = ns->ctrl;
	struct nvme_dsm_range *range;
	unsigned int n = 0;
	struct bio *bio;

	iod->small_list = segments * sizeof(*range) <= MY_NVME_SMALL_LIST;
	range = dma_pool_alloc(iod->small_list ? ctrl->small_pool :
			       ctrl->list_pool, GFP_ATOMIC, &iod->list_dma[0]);
	if (!range) {
		iod->small_list = false;
		return BLK_STS_RESOURCE;
	}
	iod->lists[0] = range;
	iod->nr_lists = 1;

	if (segments == 1) {
		my_nvme_dsm_range(range, ns->lba_shift, blk_rq_pos(rq),
				  blk_rq_bytes(rq));
		n = 1;
	} else {
		__rq_for_each_bio(bio, rq) {
			if (n < segments)
				my_nvme_dsm_range(&range[n], ns->lba_shift,
						  bio->bi_iter.bi_sector,
						  bio->bi_iter.bi_size);
			n++;
		}
	}
	if (WARN_ON_ONCE(n != segments)) {
		my_nvme_free_lists(ctrl, iod);
		return BLK_STS_IOERR;
	}

	my_nvme_cmd_dsm(&iod->cmd, ns->nsid, segments);
	iod->cmd.dsm.dptr.prp1 = cpu_to_le64(iod->list_dma[0]);
	return BLK_STS_OK;
}

/*
 * Protection information and metadata of a read or write (upstream's
 * nvme_setup_rw()): the block layer's buffer where the queue has an
 * integrity profile, checked by the controller as the PI type says;
 * without one, a PI format has the controller insert and strip it
 * (PRACT). A request built for another format than the namespace has
 * now (it waited across a Format NVM) cannot be sent.
 */
static blk_status_t my_nvme_setup_meta(struct my_nvme_ns *ns,
				       struct request *rq,
				       struct my_nvme_iod *iod)
{
	bool buf = blk_integrity_rq(rq);
	u64 ref = 0;

	if (ns->pi_type == NVME_NS_DPS_PI_TYPE1 ||
	    ns->pi_type == NVME_NS_DPS_PI_TYPE2)
		ref = ns->guard_type == NVME_NVM_NS_64B_GUARD ?
			ext_pi_ref_tag(rq) : t10_pi_ref_tag(rq);
	if ((buf && ns->ms && !ns->ext_lbas) || (!buf && ns->pi_type)) {
		my_nvme_cmd_pi(&iod->cmd, ns->pi_type, ns->guard_type, !buf,
			       ref);
		return BLK_STS_OK;
	}
	dev_err_ratelimited(ns->ctrl->dev,
			    "%s: %s %s a metadata buffer, the format (%u bytes of metadata%s) %s\n",
			    ns->disk->disk_name, blk_op_str(req_op(rq)),
			    buf ? "with" : "without", ns->ms,
			    ns->ext_lbas ? ", interleaved" : "",
			    buf ? "has no room for one" : "needs one");
	return BLK_STS_IOERR;
}

/* Zone Management Send for one zone, or for all of them (RESET_ALL). */
static blk_status_t my_nvme_setup_zone_mgmt(struct my_nvme_ns *ns,
					    struct request *rq,
					    struct my_nvme_iod *iod, u8 action)
{
	my_nvme_cmd_zone_mgmt_send(&iod->cmd, ns->nsid, ns->lba_shift,
				   blk_rq_pos(rq), action,
				   req_op(rq) == REQ_OP_ZONE_RESET_ALL);
	return BLK_STS_OK;
}

static blk_status_t my_nvme_setup_cmd(struct my_nvme_ns *ns,
				      struct request *rq,
				      struct my_nvme_iod *iod)
{
	u16 control = (rq->cmd_flags & REQ_FUA) ? NVME_RW_FUA : 0;
	u32 lba_mask = (1U << (ns->lba_shift - SECTOR_SHIFT)) - 1;
	bool deac;

	/*
	 * A request built for an earlier, smaller LBA format (one that
	 * waited while the namespace was reformatted) cannot be encoded.
	 */
	if (unlikely(((u32)blk_rq_pos(rq) | blk_rq_sectors(rq)) & lba_mask)) {
		dev_err_ratelimited(ns->ctrl->dev,
				    "%s: %s of %u bytes at sector %llu not aligned to the %u-byte format\n",
				    ns->disk->disk_name, blk_op_str(req_op(rq)),
				    blk_rq_bytes(rq),
				    (unsigned long long)blk_rq_pos(rq),
				    1U << ns->lba_shift);
		return BLK_STS_IOERR;
	}

	switch (req_op(rq)) {
	case REQ_OP_FLUSH:
		my_nvme_cmd_flush(&iod->cmd, ns->nsid);
		return BLK_STS_OK;
	case REQ_OP_READ:
	case REQ_OP_WRITE:
		if (unlikely(rq->cmd_flags & REQ_ATOMIC) &&
		    !my_nvme_atomic_write_ok(blk_rq_pos(rq) << SECTOR_SHIFT,
					     blk_rq_bytes(rq),
					     queue_atomic_write_unit_max_bytes(rq->q),
					     queue_atomic_write_boundary_bytes(rq->q)))
			return BLK_STS_INVAL;
		my_nvme_cmd_rw(&iod->cmd, req_op(rq) == REQ_OP_WRITE, ns->nsid,
			       ns->lba_shift, blk_rq_pos(rq), blk_rq_bytes(rq),
			       control);
		if (unlikely(ns->ms || blk_integrity_rq(rq)))
			return my_nvme_setup_meta(ns, rq, iod);
		return BLK_STS_OK;
	case REQ_OP_WRITE_ZEROES:
		/* Deallocate where the blocks then read as zeros (DLFEAT). */
		deac = ns->deac && !(rq->cmd_flags & REQ_NOUNMAP);
		my_nvme_cmd_write_zeroes(&iod->cmd, ns->nsid, ns->lba_shift,
					 blk_rq_pos(rq), blk_rq_bytes(rq), deac);
		/* The controller writes the PI of the zeroed blocks. */
		if (ns->pi_type)
			my_nvme_cmd_pi(&iod->cmd, ns->pi_type, ns->guard_type,
				       true, ns->guard_type ==
				       NVME_NVM_NS_64B_GUARD ?
				       ext_pi_ref_tag(rq) : t10_pi_ref_tag(rq));
		return BLK_STS_OK;
	case REQ_OP_DISCARD:
		return my_nvme_setup_discard(ns, rq, iod);
	case REQ_OP_ZONE_APPEND:
		/* To the zone's start; the controller says where it went. */
		my_nvme_cmd_rw(&iod->cmd, true, ns->nsid, ns->lba_shift,
			       blk_rq_pos(rq), blk_rq_bytes(rq), control);
		iod->cmd.rw.opcode = nvme_cmd_zone_append;
		if (unlikely(ns->ms || blk_integrity_rq(rq)))
			return my_nvme_setup_meta(ns, rq, iod);
		return BLK_STS_OK;
	case REQ_OP_ZONE_RESET_ALL:
	case REQ_OP_ZONE_RESET:
		return my_nvme_setup_zone_mgmt(ns, rq, iod, NVME_ZONE_RESET);
	case REQ_OP_ZONE_OPEN:
		return my_nvme_setup_zone_mgmt(ns, rq, iod, NVME_ZONE_OPEN);
	case REQ_OP_ZONE_CLOSE:
		return my_nvme_setup_zone_mgmt(ns, rq, iod, NVME_ZONE_CLOSE);
	case REQ_OP_ZONE_FINISH:
		return my_nvme_setup_zone_mgmt(ns, rq, iod, NVME_ZONE_FINISH);
	default:
		return BLK_STS_NOTSUPP;
	}
}

static bool my_nvme_has_data(struct request *rq)
{
	switch (req_op(rq)) {
	case REQ_OP_READ:
	case REQ_OP_WRITE:
	case REQ_OP_ZONE_APPEND:
	case REQ_OP_DRV_IN:
	case REQ_OP_DRV_OUT:
		return blk_rq_nr_phys_segments(rq);
	default:
		return false;
	}
}

/*
 * Not LIVE: I/O still goes to queues that are up (a reset's CONNECTING
 * phase runs the requeued requests), but user admin commands wait until
 * the controller is LIVE, as upstream's __nvme_check_ready(). Requests
 * that may not wait end with a host path error.
 */
static blk_status_t my_nvme_check_ready(struct my_nvme_ctrl *ctrl,
					struct request *rq,
					struct my_nvme_iod *iod)
{
	enum my_nvme_ctrl_state state = my_nvme_state(ctrl);

	if (likely(state == MY_NVME_CTRL_LIVE))
		return BLK_STS_OK;
	if (!(rq->q == ctrl->admin_q && (iod->flags & MY_NVME_IOD_USER)) &&
	    state != MY_NVME_CTRL_DEAD)
		return BLK_STS_OK;
	if (state != MY_NVME_CTRL_DELETING && state != MY_NVME_CTRL_DEAD &&
	    !blk_noretry_request(rq))
		return BLK_STS_RESOURCE;
	iod->status = NVME_SC_HOST_PATH_ERROR;
	return BLK_STS_TRANSPORT;
}

/*
 * This path cannot take the request (its queue or namespace is gone):
 * an I/O error, or for a request of a multipath disk a path error,
 * which my_nvme_queue_rq() completes so that it fails over, as
 * nvme_fail_nonready_command().
 */
static blk_status_t my_nvme_path_down(struct request *rq,
				      struct my_nvme_iod *iod,
				      blk_status_t sts)
{
	if (!(rq->cmd_flags & MY_NVME_REQ_MPATH))
		return sts;
	iod->status = NVME_SC_HOST_PATH_ERROR;
	return BLK_STS_TRANSPORT;
}

/* Build the command for @rq in its PDU, map its data and start it. */
static blk_status_t my_nvme_prep_rq(struct my_nvme_queue *q,
				    struct request *rq)
{
	struct my_nvme_iod *iod = blk_mq_rq_to_pdu(rq);
	struct my_nvme_ns *ns = rq->q->queuedata;
	blk_status_t sts;

	/* First attempt: no retries yet. RQF_DONTPREP survives a requeue. */
	if (!(rq->rq_flags & RQF_DONTPREP)) {
		iod->retries = 0;
		rq->rq_flags |= RQF_DONTPREP;
	}
	/*
	 * The PDU outlives the request: only a passthrough command (whose
	 * submitter set it) keeps MY_NVME_IOD_USER.
	 */
	iod->flags &= blk_rq_is_passthrough(rq) ? MY_NVME_IOD_USER : 0;
	iod->status = 0;
	iod->use_sgl = false;
	iod->small_list = false;
	iod->dma_len = 0;
	iod->meta_len = 0;
	iod->nr_lists = 0;
	iod->map_nents = 0;
	if (unlikely(!test_bit(MY_NVME_Q_LIVE, &q->flags)))
		return my_nvme_path_down(rq, iod, BLK_STS_IOERR);
	sts = my_nvme_check_ready(q->ctrl, rq, iod);
	if (unlikely(sts))
		return sts;

	/*
	 * A namespace that is gone, or whose format is unknown. Acquire:
	 * the new lba_shift is visible once MY_NVME_NS_STALE is seen clear.
	 */
	if (unlikely(ns && smp_load_acquire(&ns->flags))) {
		if (test_bit(MY_NVME_NS_DEAD, &ns->flags))
			return my_nvme_path_down(rq, iod, BLK_STS_IOERR);
		/* Its format is being identified again: wait for it. */
		if (test_bit(MY_NVME_NS_STALE, &ns->flags) &&
		    !blk_rq_is_passthrough(rq))
			return BLK_STS_RESOURCE;
	}

	if (!blk_rq_is_passthrough(rq)) {
		sts = my_nvme_setup_cmd(ns, rq, iod);
		if (sts)
			return sts;
	} else if (!q->qid) {
		my_nvme_fault_admin_sent(q->ctrl, iod->cmd.common.opcode);
	}

	if (my_nvme_has_data(rq)) {
		sts = my_nvme_map_data(q, rq, &iod->cmd);
		if (sts) {
			my_nvme_free_lists(q->ctrl, iod);
			return sts;
		}
		if (unlikely(blk_integrity_rq(rq))) {
			sts = my_nvme_map_metadata(q->ctrl, rq, &iod->cmd);
			if (sts) {
				my_nvme_unmap_data(q->ctrl, rq);
				return sts;
			}
		}
	}

	iod->genctr++;
	iod->cmd.common.command_id = my_nvme_cid(rq);
	blk_mq_start_request(rq);
	return BLK_STS_OK;
}

static void my_nvme_complete_rq(struct request *rq);

static blk_status_t my_nvme_queue_rq(struct blk_mq_hw_ctx *hctx,
				     const struct blk_mq_queue_data *bd)
{
	struct my_nvme_iod *iod = blk_mq_rq_to_pdu(bd->rq);
	struct my_nvme_queue *q = hctx->driver_data;
	blk_status_t sts;

	sts = my_nvme_prep_rq(q, bd->rq);
	if (unlikely(sts)) {
		/* Another path may take it: completed, it fails over. */
		if (sts == BLK_STS_TRANSPORT &&
		    (bd->rq->cmd_flags & MY_NVME_REQ_MPATH)) {
			blk_mq_set_request_complete(bd->rq);
			my_nvme_complete_rq(bd->rq);
			return BLK_STS_OK;
		}
		return sts;
	}
	my_nvme_submit_cmd(q, &iod->cmd, bd->last);
	return BLK_STS_OK;
}

/*
 * A plugged batch: prepare each request and submit each queue's share
 * with one doorbell write. Requests that cannot be prepared go back to
 * blk-mq, which retries them one by one through ->queue_rq.
 */
static void my_nvme_queue_rqs(struct rq_list *rqlist)
{
	struct rq_list submit_list = { };
	struct rq_list requeue_list = { };
	struct my_nvme_queue *q = NULL;
	struct request *rq;

	while ((rq = rq_list_pop(rqlist))) {
		if (q && q != rq->mq_hctx->driver_data)
			my_nvme_submit_rqs(q, &submit_list);
		q = rq->mq_hctx->driver_data;

		if (my_nvme_prep_rq(q, rq) == BLK_STS_OK)
			rq_list_add_tail(&submit_list, rq);
		else
			rq_list_add_tail(&requeue_list, rq);
	}
	if (q)
		my_nvme_submit_rqs(q, &submit_list);
	*rqlist = requeue_list;
}

/*
 * blk-mq stopped a dispatch list early (a later request could not be
 * started): ring the doorbell for the ones already copied with
 * bd->last false. Needed on the admin queue as much as on I/O queues.
 */
static void my_nvme_commit_rqs(struct blk_mq_hw_ctx *hctx)
{
	my_nvme_commit_sq(hctx->driver_data);
}

/* ---- Completion ---- */

static void my_nvme_log_error(struct my_nvme_ctrl *ctrl, struct request *rq,
			      u16 status)
{
	dev_err_ratelimited(ctrl->dev,
			    "%s: %s error: %s (sct 0x%x sc 0x%x%s), sector %llu, %u bytes\n",
			    rq->q->disk ? rq->q->disk->disk_name : "admin",
			    blk_op_str(req_op(rq)), my_nvme_status_str(status),
			    (status & NVME_SCT_MASK) >> 8, status & NVME_SC_MASK,
			    (status & NVME_STATUS_DNR) ? ", DNR" : "",
			    (unsigned long long)blk_rq_pos(rq), blk_rq_bytes(rq));
}

/* Successful requests completed together from the interrupt handler. */
static void my_nvme_complete_batch(struct io_comp_batch *iob)
{
	struct request *rq;

	rq_list_for_each(&iob->req_list, rq) {
		struct my_nvme_queue *q = rq->mq_hctx->driver_data;

		my_nvme_unmap_data(q->ctrl, rq);
	}
	blk_mq_end_request_batch(iob);
}

/* Run it again, after the delay the controller asked for (CRD). */
static void my_nvme_retry_rq(struct my_nvme_ctrl *ctrl, struct request *rq)
{
	struct my_nvme_iod *iod = blk_mq_rq_to_pdu(rq);
	unsigned long delay = my_nvme_retry_delay_ms(iod->status, ctrl->crdt);

	iod->retries++;
	atomic_inc(&ctrl->rstats.retries);
	blk_mq_requeue_request(rq, false);
	blk_mq_delay_kick_requeue_list(rq->q, msecs_to_jiffies(delay));
}

/*
 * A request of a multipath disk whose path failed: its bios go back to
 * the disk (multipath.c's head), which sends them down another path, and
 * the request ends without them, as nvme_failover_req(). The path is
 * no head's current one any more.
 */
static void my_nvme_failover_rq(struct request *rq)
{
	struct my_nvme_ns *ns = rq->q->queuedata;
	struct my_nvme_ns_head *head = ns->head;
	unsigned long flags;
	struct bio *bio;

	my_nvme_mpath_clear_current(ns);
	atomic_inc(&ns->failovers);
	dev_warn_ratelimited(ns->ctrl->dev, "%s: %s of %u bytes fails over (status 0x%x)\n",
			     ns->disk->disk_name, blk_op_str(req_op(rq)),
			     blk_rq_bytes(rq),
			     ((struct my_nvme_iod *)blk_mq_rq_to_pdu(rq))->status);
	spin_lock_irqsave(&head->requeue_lock, flags);
	for (bio = rq->bio; bio; bio = bio->bi_next) {
		bio_set_dev(bio, head->disk->part0);
		if (bio->bi_opf & REQ_POLLED) {
			bio->bi_opf &= ~REQ_POLLED;
			bio->bi_cookie = BLK_QC_T_NONE;
		}
		/* Another path's queue may be frozen: wait, not EAGAIN. */
		bio->bi_opf &= ~REQ_NOWAIT;
	}
	blk_steal_bios(&head->requeue_list, rq);
	spin_unlock_irqrestore(&head->requeue_lock, flags);
	blk_mq_end_request(rq, BLK_STS_OK);
	kblockd_schedule_work(&head->requeue_work);
}

static void my_nvme_complete_rq(struct request *rq)
{
	struct my_nvme_queue *q = rq->mq_hctx->driver_data;
	struct my_nvme_iod *iod = blk_mq_rq_to_pdu(rq);

	my_nvme_unmap_data(q->ctrl, rq);
	switch (my_nvme_decide(iod->status, iod->retries, my_nvme_max_retries,
			       blk_noretry_request(rq), blk_queue_dying(rq->q),
			       rq->cmd_flags & MY_NVME_REQ_MPATH)) {
	case MY_NVME_RETRY:
		my_nvme_retry_rq(q->ctrl, rq);
		return;
	case MY_NVME_FAILOVER:
		my_nvme_failover_rq(rq);
		return;
	case MY_NVME_COMPLETE:
		break;
	}
	if (unlikely(iod->status) && !blk_rq_is_passthrough(rq) &&
	    !(rq->rq_flags & RQF_QUIET))
		my_nvme_log_error(q->ctrl, rq, iod->status);
	blk_mq_end_request(rq, my_nvme_status_to_blk(iod->status));
}

static struct blk_mq_tags *my_nvme_queue_tags(struct my_nvme_queue *q)
{
	struct my_nvme_ctrl *ctrl = q->ctrl;

	if (!q->qid)
		return ctrl->admin_tagset.tags ? ctrl->admin_tagset.tags[0] : NULL;
	if (!ctrl->tagset.tags || q->qid > ctrl->tagset.nr_hw_queues)
		return NULL;
	return ctrl->tagset.tags[q->qid - 1];
}

/*
 * Called for each new CQ entry (my_nvme_process_cq()). The command id names the tag
 * and the generation it was started with; anything else (an id the
 * controller made up, a late completion for a tag that has been reused)
 * is counted and dropped, never completed.
 */
static void my_nvme_complete_cqe(struct my_nvme_queue *q,
				 const struct nvme_completion *cqe,
				 struct io_comp_batch *iob)
{
	u16 cid = READ_ONCE(cqe->command_id);
	struct blk_mq_tags *tags;
	struct my_nvme_iod *iod;
	struct request *rq = NULL;

	if (unlikely(!q->qid && my_nvme_cid_tag(cid) >= MY_NVME_AQ_TAGS)) {
		if (!my_nvme_fault_drop_cqe(q, nvme_admin_async_event))
			my_nvme_complete_aer(q, cqe);
		return;
	}
	tags = my_nvme_queue_tags(q);
	if (likely(tags))
		rq = blk_mq_tag_to_rq(tags, my_nvme_cid_tag(cid));
	if (unlikely(!rq || blk_mq_rq_state(rq) != MQ_RQ_IN_FLIGHT ||
		     !my_nvme_cid_current(cid, ((struct my_nvme_iod *)
						blk_mq_rq_to_pdu(rq))->genctr))) {
		q->stats.stale++;
		dev_warn_ratelimited(q->ctrl->dev,
				     "queue %u: completion for unknown or stale command id 0x%x\n",
				     q->qid, cid);
		return;
	}

	iod = blk_mq_rq_to_pdu(rq);
	if (my_nvme_fault_drop_cqe(q, iod->cmd.common.opcode))
		return;
	iod->status = le16_to_cpu(cqe->status) >> 1;
	iod->result = cqe->result;
	my_nvme_fault_status(q->ctrl, rq, iod);
	if (unlikely(iod->status))
		q->stats.errors++;
	if (req_op(rq) == REQ_OP_FLUSH)
		q->stats.flushes++;
	if (unlikely(iod->meta_len))
		q->stats.meta++;
	if (unlikely(req_op(rq) == REQ_OP_WRITE_ZEROES) &&
	    (iod->cmd.write_zeroes.control & cpu_to_le16(NVME_WZ_DEAC)))
		q->stats.deac++;
	/* Where the controller appended the data: the LBA in the result. */
	if (unlikely(req_op(rq) == REQ_OP_ZONE_APPEND) && !iod->status)
		rq->__sector = le64_to_cpu(iod->result.u64) <<
			(((struct my_nvme_ns *)rq->q->queuedata)->lba_shift -
			 SECTOR_SHIFT);
	if (iod->use_sgl) {
		q->stats.sgl++;
	} else if (iod->nr_lists && req_op(rq) != REQ_OP_DISCARD) {
		q->stats.prp_list++;
		if (iod->nr_lists > 1)
			q->stats.prp_chain++;
	}
	if (!blk_mq_add_to_batch(rq, iob, iod->status != 0,
				 my_nvme_complete_batch))
		blk_mq_complete_request(rq);
}

/* ---- Completion queues: interrupts, polling, reaping ---- */

/*
 * Consume every new completion, then tell the controller once how far we
 * got: the CQ head doorbell after each batch, as the in-tree driver. The
 * specification ties a vector's interrupt state to CQ entries the host
 * has not acknowledged through this doorbell (NVMe 1.4, 7.5.1; NVMe over
 * PCIe Transport 1.0, 3.5.1) and leaves MSI-X aggregation to the
 * controller (3.5.2): one may signal only on "no unacknowledged entries
 * -> some", so the head must not be withheld; with shadow doorbells
 * EventIdx says when the controller wants it (NVMe 2.0a, B.5.1).
 * Poll queues have no interrupt to lose, but the EventIdx argument holds
 * for them as well, and without shadow doorbells a deferred head saves
 * one posted MMIO write per batch: a gain only where that write is a VM
 * exit (QEMU under TCG), so they follow the same rule.
 * Callers serialise per queue: the queue's interrupt handler, or a
 * caller that has disabled that interrupt and holds cq_poll_lock.
 */
static bool my_nvme_process_cq(struct my_nvme_queue *q,
			       struct io_comp_batch *iob)
{
	u32 found = 0;

	while (my_nvme_cqe_pending(&q->cqes[q->cq_head], q->cq_phase)) {
		/* Read the entry only after its phase bit says it is new. */
		dma_rmb();
		my_nvme_complete_cqe(q, &q->cqes[q->cq_head], iob);
		my_nvme_cq_advance(&q->cq_head, &q->cq_phase, q->q_depth);
		found++;
	}
	if (!found)
		return false;
	q->stats.completed += found;
	my_nvme_write_cq_db(q);
	return true;
}

static irqreturn_t my_nvme_irq(int irq, void *data)
{
	struct my_nvme_queue *q = data;
	DEFINE_IO_COMP_BATCH(iob);

	if (my_nvme_process_cq(q, &iob)) {
		/* End the successful requests of this pass in one batch. */
		if (!rq_list_empty(&iob.req_list))
			iob.complete(&iob);
		q->stats.interrupts++;
		return IRQ_HANDLED;
	}
	q->stats.spurious++;
	return IRQ_NONE;
}

/*
 * blk-mq ->poll for a queue without interrupt (io_uring IOPOLL,
 * RWF_HIPRI): reap what is there, in a batch. bio_poll() may call it
 * at any time, on a frozen queue too: MY_NVME_Q_POLLED, tested again
 * under cq_poll_lock, says the queue is live and polled; the disable
 * path clears it under the same lock before it touches the rings.
 */
static int my_nvme_poll_cq(struct my_nvme_queue *q, struct io_comp_batch *iob)
{
	u64 before;
	bool found = false;

	if (!test_bit(MY_NVME_Q_POLLED, &q->flags) ||
	    !my_nvme_cqe_pending(&q->cqes[q->cq_head], q->cq_phase))
		return 0;
	spin_lock(&q->cq_poll_lock);
	if (test_bit(MY_NVME_Q_POLLED, &q->flags)) {
		before = q->stats.completed;
		found = my_nvme_process_cq(q, iob);
		q->stats.polled += q->stats.completed - before;
	}
	spin_unlock(&q->cq_poll_lock);
	return found;
}

int my_nvme_request_irq(struct my_nvme_queue *q, int vector)
{
	struct pci_dev *pdev = q->ctrl->pdev;
	int ret;

	ret = pci_request_irq(pdev, vector, my_nvme_irq, NULL, q,
			      MY_NVME_NAME "%dq%d", q->ctrl->instance, q->qid);
	if (ret)
		return ret;
	q->cq_db_mmio = !pdev->msix_enabled;
	WRITE_ONCE(q->cq_vector, vector);
	return 0;
}

void my_nvme_free_irq(struct my_nvme_queue *q)
{
	if (q->cq_vector < 0)
		return;
	pci_free_irq(q->ctrl->pdev, q->cq_vector, q);
	WRITE_ONCE(q->cq_vector, -1);
}

/*
 * Reap completions outside the interrupt handler (timeouts, teardown).
 * Masking the vector keeps the handler out; cq_poll_lock keeps out the
 * other reapers: two namespaces' timeout handlers on one hardware queue,
 * or a timeout racing the teardown's final sweep.
 */
void my_nvme_reap_cq(struct my_nvme_queue *q)
{
	int vector = READ_ONCE(q->cq_vector);
	int irq = -1;

	if (!q->cqes)
		return;
	if (vector >= 0) {
		irq = pci_irq_vector(q->ctrl->pdev, vector);
		if (irq > 0)
			disable_irq(irq);
	}
	spin_lock(&q->cq_poll_lock);
	my_nvme_process_cq(q, NULL);
	spin_unlock(&q->cq_poll_lock);
	if (irq > 0)
		enable_irq(irq);
}

/* ---- Cancellation ---- */

/*
 * End a request the disabled controller will never complete, with a
 * status my_nvme_decide() retries (unless the request forbids it).
 */
static bool my_nvme_cancel_rq(struct request *rq, void *data)
{
	struct my_nvme_ctrl *ctrl = data;
	struct my_nvme_iod *iod = blk_mq_rq_to_pdu(rq);

	if (blk_mq_rq_state(rq) != MQ_RQ_IN_FLIGHT)
		return true;
	iod->status = NVME_SC_HOST_ABORTED_CMD;
	iod->flags |= MY_NVME_IOD_CANCELLED;
	atomic_inc(&ctrl->rstats.cancelled);
	blk_mq_complete_request(rq);
	return true;
}

static bool my_nvme_count_inflight(struct request *rq, void *data)
{
	unsigned int *n = data;

	if (blk_mq_rq_state(rq) == MQ_RQ_IN_FLIGHT)
		(*n)++;
	return true;
}

/* I/O requests the controller has now (for the log). */
unsigned int my_nvme_inflight(struct my_nvme_ctrl *ctrl)
{
	unsigned int n = 0;

	if (ctrl->tagset.tags)
		blk_mq_tagset_busy_iter(&ctrl->tagset, my_nvme_count_inflight,
					&n);
	return n;
}

void my_nvme_cancel_tagset(struct my_nvme_ctrl *ctrl)
{
	if (!ctrl->tagset.tags)
		return;
	blk_mq_tagset_busy_iter(&ctrl->tagset, my_nvme_cancel_rq, ctrl);
	blk_mq_tagset_wait_completed_request(&ctrl->tagset);
}

void my_nvme_cancel_admin_tagset(struct my_nvme_ctrl *ctrl)
{
	unsigned long flags;

	if (ctrl->admin_q) {
		blk_mq_tagset_busy_iter(&ctrl->admin_tagset, my_nvme_cancel_rq,
					ctrl);
		blk_mq_tagset_wait_completed_request(&ctrl->admin_tagset);
	}
	/* The AERs died with the controller's queues. */
	spin_lock_irqsave(&ctrl->aen_lock, flags);
	ctrl->aen_busy = 0;
	spin_unlock_irqrestore(&ctrl->aen_lock, flags);
}

static int my_nvme_init_hctx(struct blk_mq_hw_ctx *hctx, void *data,
			     unsigned int hctx_idx)
{
	struct my_nvme_ctrl *ctrl = data;

	hctx->driver_data = &ctrl->queues[hctx_idx + 1];
	return 0;
}

static int my_nvme_admin_init_hctx(struct blk_mq_hw_ctx *hctx, void *data,
				   unsigned int hctx_idx)
{
	struct my_nvme_ctrl *ctrl = data;

	hctx->driver_data = &ctrl->queues[0];
	return 0;
}

/*
 * Three maps, as the in-tree driver: the interrupt-driven queues (each
 * has its own vector, whose affinity decides the CPUs), no separate read
 * queues, then the poll queues spread over the CPUs.
 */
static void my_nvme_map_queues(struct blk_mq_tag_set *set)
{
	struct my_nvme_ctrl *ctrl = set->driver_data;
	unsigned int nr_poll = min(ctrl->nr_poll_queues, set->nr_hw_queues - 1);
	struct blk_mq_queue_map *map;

	ctrl->mapped_poll = nr_poll;
	ctrl->mapped_vecs = ctrl->nr_vecs;

	map = &set->map[HCTX_TYPE_DEFAULT];
	map->nr_queues = set->nr_hw_queues - nr_poll;
	map->queue_offset = 0;
	if (ctrl->nr_vecs > 1)
		blk_mq_pci_map_queues(map, ctrl->pdev, 1);
	else
		blk_mq_map_queues(map);

	set->map[HCTX_TYPE_READ].nr_queues = 0;
	set->map[HCTX_TYPE_READ].queue_offset = 0;

	map = &set->map[HCTX_TYPE_POLL];
	map->nr_queues = nr_poll;
	map->queue_offset = set->nr_hw_queues - nr_poll;
	if (nr_poll)
		blk_mq_map_queues(map);
}

/* The recovery ladder is the controller's (ctrl.c): up through the ops. */
static enum blk_eh_timer_return my_nvme_rq_timeout(struct request *rq)
{
	struct my_nvme_queue *q = rq->mq_hctx->driver_data;

	return q->ctrl->ops->timeout(rq);
}

static int my_nvme_poll(struct blk_mq_hw_ctx *hctx, struct io_comp_batch *iob)
{
	return my_nvme_poll_cq(hctx->driver_data, iob);
}

static const struct blk_mq_ops my_nvme_mq_ops = {
	.queue_rq	= my_nvme_queue_rq,
	.queue_rqs	= my_nvme_queue_rqs,
	.commit_rqs	= my_nvme_commit_rqs,
	.complete	= my_nvme_complete_rq,
	.init_hctx	= my_nvme_init_hctx,
	.map_queues	= my_nvme_map_queues,
	.poll		= my_nvme_poll,
	.timeout	= my_nvme_rq_timeout,
};

static const struct blk_mq_ops my_nvme_admin_mq_ops = {
	.queue_rq	= my_nvme_queue_rq,
	.commit_rqs	= my_nvme_commit_rqs,
	.complete	= my_nvme_complete_rq,
	.init_hctx	= my_nvme_admin_init_hctx,
	.timeout	= my_nvme_rq_timeout,
};

/* ---- Tag sets ---- */

int my_nvme_alloc_admin_tagset(struct my_nvme_ctrl *ctrl)
{
	struct blk_mq_tag_set *set = &ctrl->admin_tagset;
	struct queue_limits lim = {
		.max_hw_sectors		= MY_NVME_CTRL_PAGE_SIZE >> SECTOR_SHIFT,
		.max_segments		= MY_NVME_MAX_SEGS,
		.virt_boundary_mask	= MY_NVME_CTRL_PAGE_SIZE - 1,
		.dma_alignment		= 3,
	};
	int ret;

	set->ops = &my_nvme_admin_mq_ops;
	set->nr_hw_queues = 1;
	set->queue_depth = MY_NVME_AQ_TAGS;
	set->timeout = my_nvme_admin_timeout * HZ;
	set->numa_node = dev_to_node(ctrl->dev);
	set->cmd_size = sizeof(struct my_nvme_iod);
	set->flags = BLK_MQ_F_NO_SCHED;
	set->driver_data = ctrl;

	ret = blk_mq_alloc_tag_set(set);
	if (ret)
		return ret;

	ctrl->admin_q = blk_mq_alloc_queue(set, &lim, NULL);
	if (IS_ERR(ctrl->admin_q)) {
		ret = PTR_ERR(ctrl->admin_q);
		ctrl->admin_q = NULL;
		blk_mq_free_tag_set(set);
		return ret;
	}
	return 0;
}

/* Admin transfers may grow to MDTS once Identify Controller told it. */
int my_nvme_update_admin_limits(struct my_nvme_ctrl *ctrl)
{
	struct queue_limits lim = queue_limits_start_update(ctrl->admin_q);

	lim.max_hw_sectors = ctrl->max_hw_sectors;
	return queue_limits_commit_update(ctrl->admin_q, &lim);
}

/*
 * Removal: no request enters the admin queue from now on. The queue
 * itself and its tag set stay until the controller is freed (the last
 * reference, e.g. a user still holding /dev/my_nvme<N> open, is gone),
 * so that a passthrough racing the removal fails to allocate a request
 * rather than touch freed memory.
 */
void my_nvme_remove_admin_queue(struct my_nvme_ctrl *ctrl)
{
	if (!ctrl->admin_q || blk_queue_dying(ctrl->admin_q))
		return;
	/* Unquiesced, so that destroying it does not wait on a stopped queue. */
	my_nvme_unquiesce_admin_queue(ctrl);
	blk_mq_destroy_queue(ctrl->admin_q);
}

void my_nvme_free_admin_tagset(struct my_nvme_ctrl *ctrl)
{
	if (!ctrl->admin_q)
		return;
	my_nvme_remove_admin_queue(ctrl);
	blk_put_queue(ctrl->admin_q);
	ctrl->admin_q = NULL;
	blk_mq_free_tag_set(&ctrl->admin_tagset);
}

int my_nvme_alloc_io_tagset(struct my_nvme_ctrl *ctrl)
{
	struct blk_mq_tag_set *set = &ctrl->tagset;

	set->ops = &my_nvme_mq_ops;
	set->nr_hw_queues = ctrl->nr_io_queues;
	set->nr_maps = HCTX_MAX_TYPES;
	set->queue_depth = ctrl->q_depth - 1;
	set->timeout = my_nvme_io_timeout * HZ;
	set->numa_node = dev_to_node(ctrl->dev);
	set->cmd_size = sizeof(struct my_nvme_iod);
	set->flags = BLK_MQ_F_SHOULD_MERGE;
	set->driver_data = ctrl;

	return blk_mq_alloc_tag_set(set);
}

void my_nvme_free_io_tagset(struct my_nvme_ctrl *ctrl)
{
	if (!ctrl->tagset.tags)
		return;
	blk_mq_free_tag_set(&ctrl->tagset);
	ctrl->tagset.tags = NULL;
}

/*
 * Do the hardware contexts still match the queues the reset made: their
 * number, the split between interrupt-driven and polled queues, and the
 * vectors whose affinity spreads the CPUs?
 */
bool my_nvme_layout_changed(struct my_nvme_ctrl *ctrl)
{
	return ctrl->tagset.nr_hw_queues != ctrl->nr_io_queues ||
		ctrl->mapped_poll != ctrl->nr_poll_queues ||
		ctrl->mapped_vecs != ctrl->nr_vecs;
}

/*
 * Rebuild the hardware contexts and their CPU maps for the new layout
 * (blk-mq freezes the queues meanwhile); with several maps it remaps even
 * when the count stays.
 */
void my_nvme_update_nr_hw_queues(struct my_nvme_ctrl *ctrl)
{
	dev_info(ctrl->dev, "I/O queues: %u (%u polled, %u vectors) -> %u (%u polled, %u vectors)\n",
		 ctrl->tagset.nr_hw_queues, ctrl->mapped_poll,
		 ctrl->mapped_vecs, ctrl->nr_io_queues, ctrl->nr_poll_queues,
		 ctrl->nr_vecs);
	blk_mq_update_nr_hw_queues(&ctrl->tagset, ctrl->nr_io_queues);
}

/* ---- Quiesce ---- */

void my_nvme_quiesce_io_queues(struct my_nvme_ctrl *ctrl)
{
	if (!ctrl->tagset.tags)
		return;
	if (!test_and_set_bit(MY_NVME_CTRL_STOPPED, &ctrl->flags))
		blk_mq_quiesce_tagset(&ctrl->tagset);
	else
		blk_mq_wait_quiesce_done(&ctrl->tagset);
}

void my_nvme_unquiesce_io_queues(struct my_nvme_ctrl *ctrl)
{
	if (!ctrl->tagset.tags)
		return;
	if (test_and_clear_bit(MY_NVME_CTRL_STOPPED, &ctrl->flags))
		blk_mq_unquiesce_tagset(&ctrl->tagset);
}

void my_nvme_quiesce_admin_queue(struct my_nvme_ctrl *ctrl)
{
	if (!ctrl->admin_q)
		return;
	if (!test_and_set_bit(MY_NVME_CTRL_ADMIN_STOPPED, &ctrl->flags))
		blk_mq_quiesce_queue(ctrl->admin_q);
	else
		blk_mq_wait_quiesce_done(&ctrl->admin_tagset);
}

void my_nvme_unquiesce_admin_queue(struct my_nvme_ctrl *ctrl)
{
	if (!ctrl->admin_q)
		return;
	if (test_and_clear_bit(MY_NVME_CTRL_ADMIN_STOPPED, &ctrl->flags))
		blk_mq_unquiesce_queue(ctrl->admin_q);
}
