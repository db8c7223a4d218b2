// SPDX-License-Identifier: GPL-2.0
/*
 * my_nvme zns.c: zoned namespaces (the Zoned Namespace command set, NVMe
 * ZNS 1.1) as zoned block devices: the command set's Identify data and
 * the zone reports the block layer asks for. The zone commands
 * themselves are cmd.c's encoders, sent by blk.c.
 */

#include <linux/blkdev.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "my_nvme.h"

/*
 * The command set, asked once, at the first zoned namespace (as
 * nvme_set_max_append() and nvme_query_zone_info()): the Zone Append
 * size limit (ZASL, a power of two in CAP.MPSMIN units, 0: MDTS), and
 * whether the command set's Commands Supported and Effects log (CSI
 * 02h) has Zone Append. Without it the block layer cannot write a
 * zoned disk the way it must: such disks are read-only, as upstream's.
 */
static int my_nvme_zns_init(struct my_nvme_ctrl *ctrl)
{
	struct nvme_effects_log *log;
	struct nvme_id_ctrl_zns *id;
	struct nvme_command cmd;
	int ret = -ENOMEM;

	if (ctrl->zns_known)
		return 0;
	id = kzalloc(sizeof(*id), GFP_KERNEL);
	log = kzalloc(sizeof(*log), GFP_KERNEL);
	if (!id || !log)
		goto out;
	my_nvme_cmd_identify(&cmd, NVME_ID_CNS_CS_CTRL, 0);
	cmd.identify.csi = NVME_CSI_ZNS;
	ret = my_nvme_submit_sync_cmd(ctrl, &cmd, id, sizeof(*id), NULL);
	if (ret) {
		ret = my_nvme_admin_error(ctrl, "Identify Controller (ZNS)", ret);
		goto out;
	}
	my_nvme_cmd_get_log(&cmd, NVME_LOG_CMD_EFFECTS, 0, sizeof(*log));
	cmd.get_log_page.csi = NVME_CSI_ZNS;
	ret = my_nvme_submit_sync_cmd(ctrl, &cmd, log, sizeof(*log), NULL);
	if (ret) {
		ret = my_nvme_admin_error(ctrl, "Commands Supported and Effects log (ZNS)",
					  ret);
		goto out;
	}
	ctrl->max_zone_append = min(ctrl->max_hw_sectors,
				    my_nvme_mdts_sectors(id->zasl,
							 ctrl->cap_info.page_size_min,
							 MY_NVME_MAX_KB));
	ctrl->zone_append = le32_to_cpu(log->iocs[nvme_cmd_zone_append]) &
		NVME_CMD_EFFECTS_CSUPP;
	ctrl->zns_known = true;
	dev_info(ctrl->dev, "zoned namespaces: ZASL %u, Zone Append up to %u KiB%s\n",
		 id->zasl, ctrl->max_zone_append >> 1,
		 ctrl->zone_append ? "" : " not supported: zoned disks read-only");
out:
	kfree(log);
	kfree(id);
	return ret;
}

/*
 * The zone geometry of namespace @nsid, into @info, which has its
 * format: the Zoned Namespace command set's Identify Namespace. Zone
 * Append is what writes a zoned disk: without it, read-only.
 */
int my_nvme_ns_zone_info(struct my_nvme_ctrl *ctrl, u32 nsid,
			 struct my_nvme_ns_info *info)
{
	struct nvme_id_ns_zns *id;
	struct nvme_command cmd;
	int ret;

	ret = my_nvme_zns_init(ctrl);
	if (ret)
		return ret;
	id = kzalloc(sizeof(*id), GFP_KERNEL);
	if (!id)
		return -ENOMEM;
	my_nvme_cmd_identify(&cmd, NVME_ID_CNS_CS_NS, nsid);
	cmd.identify.csi = NVME_CSI_ZNS;
	ret = my_nvme_submit_sync_cmd(ctrl, &cmd, id, sizeof(*id), NULL);
	if (ret) {
		my_nvme_admin_error(ctrl, "Identify Namespace (ZNS)", ret);
		goto out;
	}
	my_nvme_zone_info(id, info);
	if (!ctrl->zone_append)
		info->readonly = true;
out:
	kfree(id);
	return ret;
}

/*
 * A buffer for a report of up to @nr_zones zones, as large as one
 * command can move (MDTS, and the segments a kernel buffer needs),
 * smaller when memory is short (nvme_zns_alloc_report_buffer()).
 */
static void *my_nvme_zone_report_buf(struct my_nvme_ns *ns,
				     unsigned int nr_zones, size_t *len)
{
	struct request_queue *q = ns->disk->queue;
	const size_t min_len = sizeof(struct nvme_zone_report) +
		sizeof(struct nvme_zone_descriptor);
	size_t size;
	void *buf;

	nr_zones = min_t(unsigned int, nr_zones,
			 get_capacity(ns->disk) / ns->zone_sectors);
	size = sizeof(struct nvme_zone_report) +
		nr_zones * sizeof(struct nvme_zone_descriptor);
	size = min_t(size_t, size, queue_max_hw_sectors(q) << SECTOR_SHIFT);
	size = min_t(size_t, size, queue_max_segments(q) << PAGE_SHIFT);
	for (; size >= min_len; size >>= 1) {
		buf = __vmalloc(size, GFP_KERNEL | __GFP_NORETRY);
		if (buf) {
			*len = size;
			return buf;
		}
	}
	return NULL;
}

/*
 * The block layer's ->report_zones: Zone Management Receive on the
 * namespace's own queue, from the zone holding @sector on, until
 * @nr_zones zones or the end of the disk. Returns the zones reported,
 * or an errno (a controller status is -EIO).
 */
int my_nvme_ns_report_zones(struct my_nvme_ns *ns, sector_t sector,
			    unsigned int nr_zones, report_zones_cb cb,
			    void *data)
{
	struct my_nvme_ctrl *ctrl = ns->ctrl;
	struct nvme_zone_report *report;
	unsigned int done = 0, max, nz, i;
	struct nvme_command cmd;
	struct blk_zone zone;
	size_t len;
	int ret = 0;

	if (!ns->zone_sectors)
		return -EINVAL;
	report = my_nvme_zone_report_buf(ns, nr_zones, &len);
	if (!report)
		return -ENOMEM;
	max = (len - sizeof(*report)) / sizeof(report->entries[0]);
	sector = round_down(sector, ns->zone_sectors);
	while (done < nr_zones && sector < get_capacity(ns->disk)) {
		memset(report, 0, len);
		my_nvme_cmd_zone_mgmt_recv(&cmd, ns->nsid, ns->lba_shift,
					   sector, len);
		ret = my_nvme_submit_sync_cmd_q(ctrl, ns->disk->queue, &cmd,
						report, len, NULL);
		if (ret) {
			dev_err_ratelimited(ctrl->dev, "%s: zone report at sector %llu failed: %d\n",
					    ns->disk->disk_name,
					    (unsigned long long)sector, ret);
			if (ret > 0)
				ret = -EIO;
			goto out;
		}
		nz = min3((unsigned int)le64_to_cpu(report->nr_zones),
			  nr_zones - done, max);
		if (!nz)
			break;
		for (i = 0; i < nz; i++) {
			ret = my_nvme_zone_from_desc(&report->entries[i],
						     ns->lba_shift,
						     ns->zone_sectors, &zone);
			if (ret) {
				dev_err(ctrl->dev, "%s: zone type %#x is not sequential write required\n",
					ns->disk->disk_name,
					report->entries[i].zt);
				goto out;
			}
			ret = cb(&zone, done, data);
			if (ret)
				goto out;
			done++;
		}
		sector += (sector_t)ns->zone_sectors * nz;
	}
	ret = done ? done : -EINVAL;
out:
	kvfree(report);
	return ret;
}
