// SPDX-License-Identifier: GPL-2.0
/*
 * my_nvme blk.c: the block layer side: tag sets, one gendisk per
 * namespace, request to command translation, data mapping and completion.
 */

#include <linux/blk-mq-pci.h>
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "my_nvme.h"

static unsigned int sgl_threshold = SZ_32K;
module_param(sgl_threshold, uint, 0644);
MODULE_PARM_DESC(sgl_threshold,
		 "Use SGLs when the average segment size of a multi-segment request is at least this many bytes and the controller supports SGLs (0 = always PRPs)");

/* ---- Command encoders (pure, tested by KUnit) ---- */

void my_nvme_cmd_rw(struct nvme_command *cmd, bool write, u32 nsid,
		    u8 lba_shift, sector_t sector, u32 bytes, u16 control)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->rw.opcode = write ? nvme_cmd_write : nvme_cmd_read;
	cmd->rw.nsid = cpu_to_le32(nsid);
	cmd->rw.slba = cpu_to_le64(sector >> (lba_shift - SECTOR_SHIFT));
	cmd->rw.length = cpu_to_le16((bytes >> lba_shift) - 1);
	cmd->rw.control = cpu_to_le16(control);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_cmd_rw);

void my_nvme_cmd_flush(struct nvme_command *cmd, u32 nsid)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->common.opcode = nvme_cmd_flush;
	cmd->common.nsid = cpu_to_le32(nsid);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_cmd_flush);

void my_nvme_cmd_write_zeroes(struct nvme_command *cmd, u32 nsid,
			      u8 lba_shift, sector_t sector, u32 bytes,
			      bool deallocate)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->write_zeroes.opcode = nvme_cmd_write_zeroes;
	cmd->write_zeroes.nsid = cpu_to_le32(nsid);
	cmd->write_zeroes.slba =
		cpu_to_le64(sector >> (lba_shift - SECTOR_SHIFT));
	cmd->write_zeroes.length = cpu_to_le16((bytes >> lba_shift) - 1);
	if (deallocate)
		cmd->write_zeroes.control = cpu_to_le16(NVME_WZ_DEAC);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_cmd_write_zeroes);

void my_nvme_cmd_dsm(struct nvme_command *cmd, u32 nsid,
		     unsigned int nr_ranges)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->dsm.opcode = nvme_cmd_dsm;
	cmd->dsm.nsid = cpu_to_le32(nsid);
	cmd->dsm.nr = cpu_to_le32(nr_ranges - 1);
	cmd->dsm.attributes = cpu_to_le32(NVME_DSMGMT_AD);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_cmd_dsm);

void my_nvme_dsm_range(struct nvme_dsm_range *range, u8 lba_shift,
		       sector_t sector, u32 bytes)
{
	range->cattr = 0;
	range->nlb = cpu_to_le32(bytes >> lba_shift);
	range->slba = cpu_to_le64(sector >> (lba_shift - SECTOR_SHIFT));
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_dsm_range);

/* ---- Data pointers (pure, tested by KUnit) ---- */

static void *my_nvme_add_list(const struct my_nvme_list_alloc *la,
			      void **lists, dma_addr_t *list_dma,
			      int *nr_lists, int max_lists)
{
	void *list;

	if (*nr_lists >= max_lists)
		return NULL;
	list = la->alloc(la->priv, &list_dma[*nr_lists]);
	if (list)
		lists[(*nr_lists)++] = list;
	return list;
}

/*
 * Describe a DMA-mapped scatterlist with PRPs (NVMe 2.0, 4.1.1): PRP1
 * points at the first byte, PRP2 at the second page or, beyond two pages,
 * at a list of page addresses. A full list page gives its last slot to a
 * pointer to the next list page. The block layer's virt boundary
 * guarantees every segment but the first starts, and every one but the
 * last ends, on a page boundary.
 */
int my_nvme_build_prps(struct scatterlist *sg, u32 length, u32 page_size,
		       const struct my_nvme_list_alloc *la,
		       void **lists, dma_addr_t *list_dma, int *nr_lists,
		       int max_lists, __le64 *prp1, __le64 *prp2)
{
	const u32 per_page = page_size / sizeof(__le64);
	u64 dma_addr = sg_dma_address(sg);
	int dma_len = sg_dma_len(sg);
	int remaining = length;
	u32 first = page_size - (dma_addr & (page_size - 1));
	__le64 *list;
	u32 i;

	*prp1 = cpu_to_le64(dma_addr);
	*prp2 = 0;
	remaining -= first;
	if (remaining <= 0)
		return dma_len >= length ? 0 : -EINVAL;

	dma_len -= first;
	if (dma_len > 0) {
		dma_addr += first;
	} else {
		sg = sg_next(sg);
		if (dma_len < 0 || !sg)
			return -EINVAL;
		dma_addr = sg_dma_address(sg);
		dma_len = sg_dma_len(sg);
	}

	if (remaining <= page_size) {
		*prp2 = cpu_to_le64(dma_addr);
		return dma_len >= remaining ? 0 : -EINVAL;
	}

	list = my_nvme_add_list(la, lists, list_dma, nr_lists, max_lists);
	if (!list)
		return -ENOMEM;
	*prp2 = cpu_to_le64(list_dma[*nr_lists - 1]);

	for (i = 0;;) {
		if (i == per_page) {
			__le64 *prev = list;

			list = my_nvme_add_list(la, lists, list_dma, nr_lists,
						max_lists);
			if (!list)
				return -ENOMEM;
			list[0] = prev[i - 1];
			prev[i - 1] = cpu_to_le64(list_dma[*nr_lists - 1]);
			i = 1;
		}
		list[i++] = cpu_to_le64(dma_addr);
		dma_len -= page_size;
		dma_addr += page_size;
		remaining -= page_size;
		if (remaining <= 0)
			return 0;
		if (dma_len > 0)
			continue;
		sg = sg_next(sg);
		if (dma_len < 0 || !sg)
			return -EINVAL;
		dma_addr = sg_dma_address(sg);
		dma_len = sg_dma_len(sg);
	}
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_build_prps);

static void my_nvme_sgl_data(struct nvme_sgl_desc *desc, u64 addr, u32 len)
{
	desc->addr = cpu_to_le64(addr);
	desc->length = cpu_to_le32(len);
	desc->type = NVME_SGL_FMT_DATA_DESC << 4;
}

/*
 * Describe a DMA-mapped scatterlist with an SGL: one data block
 * descriptor in the command, or a single last-segment list of them.
 */
int my_nvme_build_sgl(struct scatterlist *sgl, int nents, u32 page_size,
		      const struct my_nvme_list_alloc *la,
		      void **lists, dma_addr_t *list_dma, int *nr_lists,
		      struct nvme_sgl_desc *dptr)
{
	struct nvme_sgl_desc *list;
	struct scatterlist *sg;
	int i;

	if (nents == 1) {
		my_nvme_sgl_data(dptr, sg_dma_address(sgl), sg_dma_len(sgl));
		return 0;
	}
	if (nents < 1 || nents > page_size / sizeof(*list))
		return -EINVAL;

	list = my_nvme_add_list(la, lists, list_dma, nr_lists, *nr_lists + 1);
	if (!list)
		return -ENOMEM;

	dptr->addr = cpu_to_le64(list_dma[*nr_lists - 1]);
	dptr->length = cpu_to_le32(nents * sizeof(*list));
	dptr->type = NVME_SGL_FMT_LAST_SEG_DESC << 4;
	for_each_sg(sgl, sg, nents, i)
		my_nvme_sgl_data(&list[i], sg_dma_address(sg), sg_dma_len(sg));
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_build_sgl);

/* ---- Status (pure, tested by KUnit) ---- */

/* Mirrors nvme_error_status() in drivers/nvme/host/core.c. */
blk_status_t my_nvme_status_to_blk(u16 status)
{
	switch (status & NVME_SCT_SC_MASK) {
	case NVME_SC_SUCCESS:
		return BLK_STS_OK;
	case NVME_SC_CAP_EXCEEDED:
		return BLK_STS_NOSPC;
	case NVME_SC_LBA_RANGE:
	case NVME_SC_CMD_INTERRUPTED:
	case NVME_SC_NS_NOT_READY:
		return BLK_STS_TARGET;
	case NVME_SC_BAD_ATTRIBUTES:
	case NVME_SC_INVALID_OPCODE:
	case NVME_SC_INVALID_FIELD:
	case NVME_SC_INVALID_NS:
		return BLK_STS_NOTSUPP;
	case NVME_SC_WRITE_FAULT:
	case NVME_SC_READ_ERROR:
	case NVME_SC_UNWRITTEN_BLOCK:
	case NVME_SC_ACCESS_DENIED:
	case NVME_SC_READ_ONLY:
	case NVME_SC_COMPARE_FAILED:
		return BLK_STS_MEDIUM;
	case NVME_SC_GUARD_CHECK:
	case NVME_SC_APPTAG_CHECK:
	case NVME_SC_REFTAG_CHECK:
	case NVME_SC_INVALID_PI:
		return BLK_STS_PROTECTION;
	case NVME_SC_RESERVATION_CONFLICT:
		return BLK_STS_RESV_CONFLICT;
	case NVME_SC_HOST_PATH_ERROR:
		return BLK_STS_TRANSPORT;
	default:
		return BLK_STS_IOERR;
	}
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_status_to_blk);

static const char * const my_nvme_status_names[] = {
	[NVME_SC_SUCCESS]		= "Success",
	[NVME_SC_INVALID_OPCODE]	= "Invalid Command Opcode",
	[NVME_SC_INVALID_FIELD]		= "Invalid Field in Command",
	[NVME_SC_CMDID_CONFLICT]	= "Command ID Conflict",
	[NVME_SC_DATA_XFER_ERROR]	= "Data Transfer Error",
	[NVME_SC_POWER_LOSS]		= "Commands Aborted due to Power Loss Notification",
	[NVME_SC_INTERNAL]		= "Internal Error",
	[NVME_SC_ABORT_REQ]		= "Command Abort Requested",
	[NVME_SC_ABORT_QUEUE]		= "Command Aborted due to SQ Deletion",
	[NVME_SC_INVALID_NS]		= "Invalid Namespace or Format",
	[NVME_SC_CMD_SEQ_ERROR]		= "Command Sequence Error",
	[NVME_SC_SGL_INVALID_LAST]	= "Invalid SGL Segment Descriptor",
	[NVME_SC_SGL_INVALID_COUNT]	= "Invalid Number of SGL Descriptors",
	[NVME_SC_SGL_INVALID_DATA]	= "Data SGL Length Invalid",
	[NVME_SC_SGL_INVALID_TYPE]	= "SGL Descriptor Type Invalid",
	[NVME_SC_PRP_INVALID_OFFSET]	= "PRP Offset Invalid",
	[NVME_SC_NS_WRITE_PROTECTED]	= "Namespace is Write Protected",
	[NVME_SC_CMD_INTERRUPTED]	= "Command Interrupted",
	[NVME_SC_LBA_RANGE]		= "LBA Out of Range",
	[NVME_SC_CAP_EXCEEDED]		= "Capacity Exceeded",
	[NVME_SC_NS_NOT_READY]		= "Namespace Not Ready",
	[NVME_SC_RESERVATION_CONFLICT]	= "Reservation Conflict",
	[NVME_SC_CQ_INVALID]		= "Completion Queue Invalid",
	[NVME_SC_QID_INVALID]		= "Invalid Queue Identifier",
	[NVME_SC_QUEUE_SIZE]		= "Invalid Queue Size",
	[NVME_SC_ABORT_LIMIT]		= "Abort Command Limit Exceeded",
	[NVME_SC_ASYNC_LIMIT]		= "Asynchronous Event Request Limit Exceeded",
	[NVME_SC_INVALID_VECTOR]	= "Invalid Interrupt Vector",
	[NVME_SC_INVALID_LOG_PAGE]	= "Invalid Log Page",
	[NVME_SC_INVALID_FORMAT]	= "Invalid Format",
	[NVME_SC_INVALID_QUEUE]		= "Invalid Queue Deletion",
	[NVME_SC_BAD_ATTRIBUTES]	= "Conflicting Attributes",
	[NVME_SC_INVALID_PI]		= "Invalid Protection Information",
	[NVME_SC_READ_ONLY]		= "Attempted Write to Read Only Range",
	[NVME_SC_WRITE_FAULT]		= "Write Fault",
	[NVME_SC_READ_ERROR]		= "Unrecovered Read Error",
	[NVME_SC_GUARD_CHECK]		= "End-to-end Guard Check Error",
	[NVME_SC_APPTAG_CHECK]		= "End-to-end Application Tag Check Error",
	[NVME_SC_REFTAG_CHECK]		= "End-to-end Reference Tag Check Error",
	[NVME_SC_COMPARE_FAILED]	= "Compare Failure",
	[NVME_SC_ACCESS_DENIED]		= "Access Denied",
	[NVME_SC_UNWRITTEN_BLOCK]	= "Deallocated or Unwritten Logical Block",
	[NVME_SC_INTERNAL_PATH_ERROR]	= "Internal Pathing Error",
	[NVME_SC_HOST_PATH_ERROR]	= "Host Pathing Error",
	[NVME_SC_HOST_ABORTED_CMD]	= "Command Aborted By Host",
};

/* Name a status for the log; DNR and More do not change the name. */
const char *my_nvme_status_str(u16 status)
{
	u16 code = status & NVME_SCT_SC_MASK;

	if (code < ARRAY_SIZE(my_nvme_status_names) &&
	    my_nvme_status_names[code])
		return my_nvme_status_names[code];
	return "Unknown Status";
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_status_str);

/*
 * Descriptor type of the data pointer: SGL, or PRPs. Set on every
 * attempt, so that a request requeued after it was mapped one way (a
 * passthrough command keeps its PDU) never carries the other's flag.
 */
void my_nvme_set_dptr_type(struct nvme_command *cmd, bool use_sgl)
{
	cmd->common.flags &= ~NVME_CMD_SGL_ALL;
	if (use_sgl)
		cmd->common.flags |= NVME_CMD_SGL_METABUF;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_set_dptr_type);

/* ---- Completion disposition and command ids (pure, tested by KUnit) ---- */

/*
 * Retry a failed command unless the controller said Do Not Retry, the
 * retries are used up, or the request (REQ_FAILFAST_*, a passthrough
 * command, a dying queue) must not be retried. As nvme_decide_disposition().
 */
enum my_nvme_disposition my_nvme_decide(u16 status, unsigned int retries,
					unsigned int max_retries, bool noretry)
{
	if (likely(!status))
		return MY_NVME_COMPLETE;
	if (noretry || (status & NVME_STATUS_DNR) || retries >= max_retries)
		return MY_NVME_COMPLETE;
	return MY_NVME_RETRY;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_decide);

/* Command Retry Delay: CRD picks CRDT1-3 (100 ms units), 0 = at once. */
unsigned long my_nvme_retry_delay_ms(u16 status, const u16 *crdt)
{
	u16 crd = (status & NVME_STATUS_CRD) >> 11;

	return crd ? crdt[crd - 1] * 100UL : 0;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_retry_delay_ms);

u16 my_nvme_cid_tag(u16 cid)
{
	return cid & MY_NVME_CID_TAG_MASK;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_cid_tag);

/* Does @cid carry the generation the request was last started with? */
bool my_nvme_cid_current(u16 cid, u8 genctr)
{
	return (cid >> MY_NVME_CID_TAG_BITS) == (genctr & MY_NVME_CID_GEN_MASK);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_cid_current);

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

/* Undo the mapping; safe to call twice (a retried request is remapped). */
static void my_nvme_unmap_data(struct my_nvme_ctrl *ctrl, struct request *rq)
{
	struct my_nvme_iod *iod = blk_mq_rq_to_pdu(rq);

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

static blk_status_t my_nvme_setup_cmd(struct my_nvme_ns *ns,
				      struct request *rq,
				      struct my_nvme_iod *iod)
{
	u16 control = (rq->cmd_flags & REQ_FUA) ? NVME_RW_FUA : 0;
	u32 lba_mask = (1U << (ns->lba_shift - SECTOR_SHIFT)) - 1;

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
		my_nvme_cmd_rw(&iod->cmd, req_op(rq) == REQ_OP_WRITE, ns->nsid,
			       ns->lba_shift, blk_rq_pos(rq), blk_rq_bytes(rq),
			       control);
		return BLK_STS_OK;
	case REQ_OP_WRITE_ZEROES:
		my_nvme_cmd_write_zeroes(&iod->cmd, ns->nsid, ns->lba_shift,
					 blk_rq_pos(rq), blk_rq_bytes(rq),
					 false);
		return BLK_STS_OK;
	case REQ_OP_DISCARD:
		return my_nvme_setup_discard(ns, rq, iod);
	default:
		return BLK_STS_NOTSUPP;
	}
}

static bool my_nvme_has_data(struct request *rq)
{
	switch (req_op(rq)) {
	case REQ_OP_READ:
	case REQ_OP_WRITE:
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
	if (unlikely(!test_bit(MY_NVME_Q_LIVE, &q->flags)))
		return BLK_STS_IOERR;
	sts = my_nvme_check_ready(q->ctrl, rq, iod);
	if (unlikely(sts))
		return sts;

	iod->use_sgl = false;
	iod->small_list = false;
	iod->dma_len = 0;
	iod->nr_lists = 0;
	iod->map_nents = 0;

	/*
	 * A namespace that is gone, or whose format is unknown. Acquire:
	 * the new lba_shift is visible once MY_NVME_NS_STALE is seen clear.
	 */
	if (unlikely(ns && smp_load_acquire(&ns->flags))) {
		if (test_bit(MY_NVME_NS_DEAD, &ns->flags))
			return BLK_STS_IOERR;
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
	}

	iod->genctr++;
	iod->cmd.common.command_id = my_nvme_cid(rq);
	blk_mq_start_request(rq);
	return BLK_STS_OK;
}

static blk_status_t my_nvme_queue_rq(struct blk_mq_hw_ctx *hctx,
				     const struct blk_mq_queue_data *bd)
{
	struct my_nvme_iod *iod = blk_mq_rq_to_pdu(bd->rq);
	struct my_nvme_queue *q = hctx->driver_data;
	blk_status_t sts;

	sts = my_nvme_prep_rq(q, bd->rq);
	if (sts)
		return sts;
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

static void my_nvme_complete_rq(struct request *rq)
{
	struct my_nvme_queue *q = rq->mq_hctx->driver_data;
	struct my_nvme_iod *iod = blk_mq_rq_to_pdu(rq);
	bool noretry = blk_noretry_request(rq) || blk_queue_dying(rq->q);

	my_nvme_unmap_data(q->ctrl, rq);
	if (my_nvme_decide(iod->status, iod->retries, my_nvme_max_retries,
			   noretry) == MY_NVME_RETRY) {
		my_nvme_retry_rq(q->ctrl, rq);
		return;
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
 * Called by queue.c for each new CQ entry. The command id names the tag
 * and the generation it was started with; anything else (an id the
 * controller made up, a late completion for a tag that has been reused)
 * is counted and dropped, never completed.
 */
void my_nvme_complete_cqe(struct my_nvme_queue *q,
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

/*
 * The errno of a driver or passthrough command that ended: -EINTR when
 * the host cancelled it (a reset or removal disabled the controller
 * under it; as nvme_execute_rq()), else the controller's status as a
 * positive value, else the block layer's error.
 */
int my_nvme_rq_errno(struct request *rq, blk_status_t sts)
{
	struct my_nvme_iod *iod = blk_mq_rq_to_pdu(rq);

	if (iod->flags & MY_NVME_IOD_CANCELLED)
		return -EINTR;
	if (iod->status)
		return iod->status;
	return blk_status_to_errno(sts);
}

/* ---- Timeouts and cancellation ---- */

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
static enum blk_eh_timer_return my_nvme_timeout(struct request *rq)
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
	.timeout	= my_nvme_timeout,
};

static const struct blk_mq_ops my_nvme_admin_mq_ops = {
	.queue_rq	= my_nvme_queue_rq,
	.commit_rqs	= my_nvme_commit_rqs,
	.complete	= my_nvme_complete_rq,
	.init_hctx	= my_nvme_admin_init_hctx,
	.timeout	= my_nvme_timeout,
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

	int idx;

	if (test_and_set_bit(MY_NVME_CTRL_FROZEN, &ctrl->flags))
		return;
	idx = srcu_read_lock(&ctrl->srcu);
	list_for_each_entry_srcu(ns, &ctrl->namespaces, list,
				 srcu_read_lock_held(&ctrl->srcu))
		blk_freeze_queue_start_non_owner(ns->disk->queue);
	srcu_read_unlock(&ctrl->srcu, idx);
}

void my_nvme_wait_freeze(struct my_nvme_ctrl *ctrl)
{
	struct my_nvme_ns *ns;

	int idx;

	if (!test_bit(MY_NVME_CTRL_FROZEN, &ctrl->flags))
		return;
	idx = srcu_read_lock(&ctrl->srcu);
	list_for_each_entry_srcu(ns, &ctrl->namespaces, list,
				 srcu_read_lock_held(&ctrl->srcu))
		blk_mq_freeze_queue_wait(ns->disk->queue);
	srcu_read_unlock(&ctrl->srcu, idx);
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
	int idx;

	idx = srcu_read_lock(&ctrl->srcu);
	list_for_each_entry_srcu(ns, &ctrl->namespaces, list,
				 srcu_read_lock_held(&ctrl->srcu)) {
		if (!test_bit(MY_NVME_NS_STALE, &ns->flags) ||
		    test_and_set_bit(MY_NVME_NS_DEAD, &ns->flags))
			continue;
		dev_warn(ctrl->dev, "%s: format unknown across a queue layout change, failing its I/O\n",
			 ns->disk->disk_name);
		blk_mq_run_hw_queues(ns->disk->queue, true);
	}
	srcu_read_unlock(&ctrl->srcu, idx);
}

/* Returns the time left, 0 when it ran out. */
int my_nvme_wait_freeze_timeout(struct my_nvme_ctrl *ctrl, long timeout)
{
	struct my_nvme_ns *ns;
	int idx;

	if (!test_bit(MY_NVME_CTRL_FROZEN, &ctrl->flags))
		return timeout;
	idx = srcu_read_lock(&ctrl->srcu);
	list_for_each_entry_srcu(ns, &ctrl->namespaces, list,
				 srcu_read_lock_held(&ctrl->srcu)) {
		timeout = blk_mq_freeze_queue_wait_timeout(ns->disk->queue,
							   timeout);
		if (timeout <= 0)
			break;
	}
	srcu_read_unlock(&ctrl->srcu, idx);
	return max(timeout, 0L);
}

void my_nvme_unfreeze(struct my_nvme_ctrl *ctrl)
{
	struct my_nvme_ns *ns;

	int idx;

	if (!test_and_clear_bit(MY_NVME_CTRL_FROZEN, &ctrl->flags))
		return;
	idx = srcu_read_lock(&ctrl->srcu);
	list_for_each_entry_srcu(ns, &ctrl->namespaces, list,
				 srcu_read_lock_held(&ctrl->srcu))
		blk_mq_unfreeze_queue_non_owner(ns->disk->queue);
	srcu_read_unlock(&ctrl->srcu, idx);
}

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

/* Wait for running timeout handlers; none starts before the next I/O. */
void my_nvme_sync_queues(struct my_nvme_ctrl *ctrl)
{
	struct my_nvme_ns *ns;
	int idx;

	idx = srcu_read_lock(&ctrl->srcu);
	list_for_each_entry_srcu(ns, &ctrl->namespaces, list,
				 srcu_read_lock_held(&ctrl->srcu))
		blk_sync_queue(ns->disk->queue);
	srcu_read_unlock(&ctrl->srcu, idx);
	if (ctrl->admin_q)
		blk_sync_queue(ctrl->admin_q);
}

/* ---- Namespaces ---- */

static void my_nvme_free_disk(struct gendisk *disk)
{
	struct my_nvme_ns *ns = disk->private_data;

	put_device(&ns->ctrl->ctrl_dev);
	kfree(ns);
}

static const struct block_device_operations my_nvme_bdev_ops = {
	.owner		= THIS_MODULE,
	.ioctl		= my_nvme_ns_ioctl,
	.compat_ioctl	= blkdev_compat_ptr_ioctl,
	.free_disk	= my_nvme_free_disk,
};

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
		       u8 lba_shift, struct queue_limits *lim)
{
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
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_ns_limits);

static void my_nvme_log_ns(struct my_nvme_ns *ns, u64 nsze)
{
	dev_info(ns->ctrl->dev, "%s: %llu blocks of %u bytes (%llu MiB)%s\n",
		 ns->disk->disk_name, nsze, 1U << ns->lba_shift,
		 (nsze << ns->lba_shift) >> 20,
		 (ns->ctrl->vwc & NVME_CTRL_VWC_PRESENT) ?
		 ", volatile write cache" : "");
}

/*
 * Register a gendisk for namespace @nsid. Namespaces we cannot drive are
 * skipped with a log line: the controller may still have others.
 */
int my_nvme_add_ns(struct my_nvme_ctrl *ctrl, u32 nsid,
		   const struct nvme_id_ns *id)
{
	struct queue_limits lim = {};
	struct my_nvme_ns_info info;
	struct gendisk *disk;
	struct my_nvme_ns *ns;
	int ret;

	my_nvme_ns_info(id, &info);
	if (info.unsupported) {
		dev_warn(ctrl->dev, "namespace %u: %s, skipped\n", nsid,
			 info.unsupported);
		return -ENODEV;
	}

	ns = kzalloc(sizeof(*ns), GFP_KERNEL);
	if (!ns)
		return -ENOMEM;
	INIT_LIST_HEAD(&ns->list);
	ns->ctrl = ctrl;
	ns->nsid = nsid;
	ns->lba_shift = info.lba_shift;

	my_nvme_ns_limits(ctrl, id, info.lba_shift, &lim);
	disk = blk_mq_alloc_disk(&ctrl->tagset, &lim, ns);
	if (IS_ERR(disk)) {
		kfree(ns);
		return PTR_ERR(disk);
	}
	disk->fops = &my_nvme_bdev_ops;
	disk->private_data = ns;
	snprintf(disk->disk_name, DISK_NAME_LEN, MY_NVME_NAME "%dn%u",
		 ctrl->instance, nsid);
	set_capacity(disk, info.nsze << (info.lba_shift - SECTOR_SHIFT));
	ns->disk = disk;

	ret = device_add_disk(&ctrl->ctrl_dev, disk, NULL);
	if (ret) {
		/*
		 * ->free_disk only runs for a disk that was added: free the
		 * namespace here.
		 */
		dev_err(ctrl->dev, "namespace %u: add_disk failed: %d\n",
			nsid, ret);
		put_disk(disk);
		kfree(ns);
		return ret;
	}
	/* Dropped by ->free_disk: ioctls may outlive the PCI device. */
	get_device(&ctrl->ctrl_dev);

	mutex_lock(&ctrl->ns_lock);
	list_add_tail_rcu(&ns->list, &ctrl->namespaces);
	mutex_unlock(&ctrl->ns_lock);
	my_nvme_log_ns(ns, info.nsze);
	return 0;
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
	int ret;

	my_nvme_ns_info(id, &info);
	if (info.unsupported) {
		dev_warn(ctrl->dev, "%s: namespace %u: %s now, removing the disk\n",
			 ns->disk->disk_name, ns->nsid, info.unsupported);
		return -ENODEV;
	}

	if (!stale)
		blk_mq_freeze_queue(q);
	lim = queue_limits_start_update(q);
	my_nvme_ns_limits(ctrl, id, info.lba_shift, &lim);
	ret = queue_limits_commit_update(q, &lim);
	if (!ret && info.lba_shift != ns->lba_shift) {
		dev_info(ctrl->dev, "%s: logical block size %u -> %u\n",
			 ns->disk->disk_name, 1U << ns->lba_shift,
			 1U << info.lba_shift);
		WRITE_ONCE(ns->lba_shift, info.lba_shift);
	}
	if (!ret && set_capacity_and_notify(ns->disk, info.nsze <<
					    (info.lba_shift - SECTOR_SHIFT)))
		my_nvme_log_ns(ns, info.nsze);
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
	int idx;

	idx = srcu_read_lock(&ctrl->srcu);
	list_for_each_entry_srcu(ns, &ctrl->namespaces, list,
				 srcu_read_lock_held(&ctrl->srcu)) {
		if (ns->nsid == nsid) {
			get_device(disk_to_dev(ns->disk));
			found = ns;
			break;
		}
	}
	srcu_read_unlock(&ctrl->srcu, idx);
	return found;
}

void my_nvme_put_ns(struct my_nvme_ns *ns)
{
	put_device(disk_to_dev(ns->disk));
}

/*
 * Take one namespace's disk away: off the list, I/O to a dead
 * controller fails at once, the disk is deleted (its open users get
 * errors from now on) and our reference dropped.
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

	/* Held requests of a namespace whose format is unknown fail too. */
	if (my_nvme_state(ctrl) == MY_NVME_CTRL_DEAD ||
	    test_bit(MY_NVME_NS_STALE, &ns->flags))
		set_bit(MY_NVME_NS_DEAD, &ns->flags);
	del_gendisk(ns->disk);
	put_disk(ns->disk);
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
		if (my_nvme_state(ctrl) == MY_NVME_CTRL_DEAD ||
		    test_bit(MY_NVME_NS_STALE, &ns->flags))
			set_bit(MY_NVME_NS_DEAD, &ns->flags);
		del_gendisk(ns->disk);
		put_disk(ns->disk);
	}
	mutex_unlock(&ctrl->scan_lock);
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
	int idx;

	idx = srcu_read_lock(&ctrl->srcu);
	list_for_each_entry_srcu(ns, &ctrl->namespaces, list,
				 srcu_read_lock_held(&ctrl->srcu))
		set_bit(MY_NVME_NS_DEAD, &ns->flags);
	srcu_read_unlock(&ctrl->srcu, idx);
}
