// SPDX-License-Identifier: GPL-2.0
/*
 * my_nvme cmb.c: the Controller Memory Buffer as a "hardware ramdisk",
 * /dev/my_nvme<N>cmb: reads and writes copy to and from device memory.
 *
 * A scratch disk: the CMB's contents are undefined after a Controller
 * Reset, a Function Level Reset or CMBMSC.CMSE going from 0 to 1 (NVMe
 * 2.1, 8.2.1), and nothing says they survive D3 or a power loss. Every
 * reset of the controller is reported as a media change (a new diskseq,
 * the page cache dropped); I/O is held while the controller is down.
 */

#include <linux/blkdev.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/io-64-nonatomic-hi-lo.h>
#include <kunit/visibility.h>

#include "my_nvme.h"

/* CMBSZ.SZU: 4 KiB << (4 * SZU); SZ counts those units (NVMe 2.0, 3.1.4.11). */
u64 my_nvme_cmb_unit(u32 cmbsz)
{
	u32 szu = (cmbsz >> NVME_CMBSZ_SZU_SHIFT) & NVME_CMBSZ_SZU_MASK;

	return szu > 6 ? 0 : 1ULL << (12 + 4 * szu);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_cmb_unit);

u64 my_nvme_cmb_size(u32 cmbsz)
{
	return my_nvme_cmb_unit(cmbsz) *
		((cmbsz >> NVME_CMBSZ_SZ_SHIFT) & NVME_CMBSZ_SZ_MASK);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_cmb_size);

u64 my_nvme_cmb_offset(u32 cmbloc, u32 cmbsz)
{
	return my_nvme_cmb_unit(cmbsz) * NVME_CMB_OFST(cmbloc);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_cmb_offset);

static void my_nvme_cmb_submit_bio(struct bio *bio)
{
	struct my_nvme_ctrl *ctrl = bio->bi_bdev->bd_disk->private_data;
	u64 pos = (u64)bio->bi_iter.bi_sector << SECTOR_SHIFT;
	bool write = op_is_write(bio_op(bio));
	struct bvec_iter iter;
	struct bio_vec bv;

	/*
	 * The disk's queue is frozen whenever the controller goes down
	 * (my_nvme_cmb_freeze()): a dead controller's BAR is never touched.
	 */
	if (unlikely(my_nvme_state(ctrl) == MY_NVME_CTRL_DEAD)) {
		bio_io_error(bio);
		return;
	}
	WARN_ON_ONCE(test_bit(MY_NVME_CTRL_CMB_FROZEN, &ctrl->flags));

	switch (bio_op(bio)) {
	case REQ_OP_READ:
	case REQ_OP_WRITE:
		break;
	case REQ_OP_FLUSH:
		bio_endio(bio);
		return;
	default:
		bio->bi_status = BLK_STS_NOTSUPP;
		bio_endio(bio);
		return;
	}

	if (pos + bio->bi_iter.bi_size > ctrl->cmb_size) {
		bio_io_error(bio);
		return;
	}

	bio_for_each_segment(bv, bio, iter) {
		void *buf = bvec_kmap_local(&bv);

		if (write)
			memcpy_toio(ctrl->cmb + pos, buf, bv.bv_len);
		else
			memcpy_fromio(buf, ctrl->cmb + pos, bv.bv_len);
		kunmap_local(buf);
		pos += bv.bv_len;
	}
	if (write) {
		/* Drain write-combining buffers before the write is done. */
		wmb();
	}
	bio_endio(bio);
}

static const struct block_device_operations my_nvme_cmb_ops = {
	.owner		= THIS_MODULE,
	.submit_bio	= my_nvme_cmb_submit_bio,
};

/*
 * NVMe 1.4 and later (CAP.CMBS): CMBLOC and CMBSZ read as zero until
 * CMBMSC.CRE is set, and the controller decodes CMB addresses only with
 * CMSE and its base address (CBA) programmed, as nvme_map_cmb() does.
 * CMBMSC survives a Controller Reset and an FLR but not a conventional
 * reset (NVMe 2.1, 3.1.4.16): this runs at every enable. High dword
 * first: the low one, with CMSE, is what makes CBA take effect.
 */
void my_nvme_cmb_enable(struct my_nvme_ctrl *ctrl)
{
	if (!ctrl->cap_info.cmb_supported || !ctrl->cmb_bus_addr)
		return;
	hi_lo_writeq(NVME_CMBMSC_CRE | NVME_CMBMSC_CMSE | ctrl->cmb_bus_addr,
		     ctrl->bar + NVME_REG_CMBMSC);
}

/*
 * Hold the CMB disk's I/O while the controller is down (reset, FLR,
 * D3, error recovery), as the namespaces' I/O is held; the copies in
 * flight finish first.
 */
void my_nvme_cmb_freeze(struct my_nvme_ctrl *ctrl)
{
	if (!ctrl->cmb_disk ||
	    test_and_set_bit(MY_NVME_CTRL_CMB_FROZEN, &ctrl->flags))
		return;
	blk_freeze_queue_start_non_owner(ctrl->cmb_disk->queue);
	blk_mq_freeze_queue_wait(ctrl->cmb_disk->queue);
}

/*
 * The controller is back, or dead. Either way what the CMB held is gone
 * by the specification: once I/O may flow again (a media change syncs
 * the page cache of an unheld disk), report it as a new medium: a new
 * diskseq, the page cache dropped, a holder's filesystem shut down.
 */
void my_nvme_cmb_unfreeze(struct my_nvme_ctrl *ctrl)
{
	if (!ctrl->cmb_disk ||
	    !test_and_clear_bit(MY_NVME_CTRL_CMB_FROZEN, &ctrl->flags))
		return;
	blk_mq_unfreeze_queue_non_owner(ctrl->cmb_disk->queue);
	if (my_nvme_state(ctrl) == MY_NVME_CTRL_DEAD)
		return;
	dev_info(ctrl->dev, "%s: controller reset, its contents are undefined now\n",
		 ctrl->cmb_disk->disk_name);
	disk_force_media_change(ctrl->cmb_disk);
}

/*
 * Map the CMB write-combined and register its disk. A controller without
 * a CMB, or with one we cannot map, simply gets no cmb disk.
 */
void my_nvme_cmb_setup(struct my_nvme_ctrl *ctrl)
{
	struct queue_limits lim = {
		.logical_block_size	= SECTOR_SIZE,
		.physical_block_size	= PAGE_SIZE,
	};
	struct pci_dev *pdev = ctrl->pdev;
	u32 cmbsz, cmbloc;
	u64 size, offset;
	resource_size_t bar_len;
	struct gendisk *disk;
	int bir, ret;

	/* NVMe 1.4 hides CMBLOC/CMBSZ until CMBMSC.CRE is set. */
	if (ctrl->cap_info.cmb_supported)
		writel(NVME_CMBMSC_CRE, ctrl->bar + NVME_REG_CMBMSC);
	cmbsz = readl(ctrl->bar + NVME_REG_CMBSZ);
	if (!cmbsz)
		return;
	cmbloc = readl(ctrl->bar + NVME_REG_CMBLOC);

	size = my_nvme_cmb_size(cmbsz);
	offset = my_nvme_cmb_offset(cmbloc, cmbsz);
	bir = NVME_CMB_BIR(cmbloc);
	bar_len = pci_resource_len(pdev, bir);
	if (bir == 1 || bir > 5 || !size || offset >= bar_len ||
	    !(pci_resource_flags(pdev, bir) & IORESOURCE_MEM)) {
		dev_warn(ctrl->dev, "CMB: unusable location (BIR %d, offset %llu, size %llu)\n",
			 bir, offset, size);
		return;
	}
	size = min_t(u64, size, bar_len - offset);
	size = round_down(size, PAGE_SIZE);
	if (!size)
		return;

	if (bir) {
		ret = pcim_request_region(pdev, bir, MY_NVME_NAME " cmb");
		if (ret) {
			dev_warn(ctrl->dev, "CMB: cannot claim BAR%d: %d\n",
				 bir, ret);
			return;
		}
	}
	ctrl->cmb = devm_ioremap_wc(ctrl->dev,
				    pci_resource_start(pdev, bir) + offset,
				    size);
	if (!ctrl->cmb) {
		dev_warn(ctrl->dev, "CMB: cannot map %llu bytes\n", size);
		return;
	}
	ctrl->cmb_size = size;
	ctrl->cmb_bus_addr = pci_bus_address(pdev, bir) + offset;
	my_nvme_cmb_enable(ctrl);

	disk = blk_alloc_disk(&lim, dev_to_node(ctrl->dev));
	if (IS_ERR(disk)) {
		dev_warn(ctrl->dev, "CMB: cannot allocate disk: %ld\n",
			 PTR_ERR(disk));
		return;
	}
	disk->fops = &my_nvme_cmb_ops;
	disk->private_data = ctrl;
	snprintf(disk->disk_name, DISK_NAME_LEN, MY_NVME_NAME "%dcmb",
		 ctrl->instance);
	set_capacity(disk, size >> SECTOR_SHIFT);

	ret = device_add_disk(&ctrl->ctrl_dev, disk, NULL);
	if (ret) {
		dev_warn(ctrl->dev, "CMB: add_disk failed: %d\n", ret);
		put_disk(disk);
		return;
	}
	ctrl->cmb_disk = disk;
	dev_info(ctrl->dev, "%s: %llu KiB of controller memory (BAR%d + %llu)\n",
		 disk->disk_name, size >> 10, bir, offset);
}

void my_nvme_cmb_remove(struct my_nvme_ctrl *ctrl)
{
	if (!ctrl->cmb_disk)
		return;
	my_nvme_cmb_unfreeze(ctrl);
	del_gendisk(ctrl->cmb_disk);
	put_disk(ctrl->cmb_disk);
	ctrl->cmb_disk = NULL;
}
