// SPDX-License-Identifier: GPL-2.0
/*
 * my_nvme cmb.c: the Controller Memory Buffer as a "hardware ramdisk",
 * /dev/my_nvme<N>cmb: reads and writes copy to and from device memory.
 */

#include <linux/blkdev.h>
#include <linux/highmem.h>
#include <linux/io.h>
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
	del_gendisk(ctrl->cmb_disk);
	put_disk(ctrl->cmb_disk);
	ctrl->cmb_disk = NULL;
}
