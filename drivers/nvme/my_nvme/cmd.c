// SPDX-License-Identifier: GPL-2.0
/*
 * my_nvme cmd.c: the commands and the specification's rules, as pure
 * functions: command encoders, PRP and SGL building, command ids, status
 * names and errnos, the retry and timeout decisions, the controller
 * state table, CAP and Identify decoding, passthrough vetting. Nothing
 * here touches a register or a queue: KUnit calls all of it.
 */

#include <linux/blk-integrity.h>
#include <linux/blk-mq.h>
#include <linux/log2.h>
#include <linux/overflow.h>
#include <linux/string.h>
#include <linux/t10-pi.h>
#include <linux/units.h>
#include <kunit/visibility.h>

#include "my_nvme.h"

/* ---- Controller states ---- */

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
		return old == MY_NVME_CTRL_LIVE;
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

/* ---- Registers and Identify ---- */

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
 * How long CSTS.RDY may take to follow CC.EN, in milliseconds: CAP.TO,
 * or where CAP.CRMS.CRWMS says the controller has the Controller Ready
 * Timeouts register, its CRWMT (NVMe 2.0, 3.1.3.21; both in 500 ms
 * units), whichever is larger, as nvme_enable_ctrl(): a CRTO below
 * CAP.TO is a controller's mistake (*@bad_crto), not a shorter wait.
 * At least 500 ms.
 */
u32 my_nvme_ready_timeout_ms(u64 cap, u32 crto, bool *bad_crto)
{
	u32 units = NVME_CAP_TIMEOUT(cap);

	*bad_crto = false;
	if (cap & NVME_CAP_CRMS_CRWMS) {
		if (NVME_CRTO_CRWMT(crto) < units)
			*bad_crto = true;
		else
			units = NVME_CRTO_CRWMT(crto);
	}
	return max(units, 1U) * 500;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_ready_timeout_ms);

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

/* Number of Queues (FID 07h): both counts are 0's based. */
u32 my_nvme_num_queues_dword(unsigned int nr_io_queues)
{
	u32 n = nr_io_queues - 1;

	return n | (n << 16);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_num_queues_dword);

unsigned int my_nvme_num_queues_granted(u32 result)
{
	return min(result & 0xffff, result >> 16) + 1;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_num_queues_granted);

/*
 * MDTS is a power of two in units of CAP.MPSMIN, 0 meaning no limit.
 * Returns the limit in 512-byte sectors, at most @max_kb KiB; a shift
 * that overflows is "no limit" as well, never undefined behaviour.
 */
u32 my_nvme_mdts_sectors(u8 mdts, u32 page_size_min, u32 max_kb)
{
	u64 max_sectors = (u64)max_kb << 1;
	u64 sectors;

	if (!mdts || !page_size_min ||
	    check_shl_overflow((u64)page_size_min >> SECTOR_SHIFT, mdts,
			       &sectors))
		return max_sectors;
	return min(sectors, max_sectors);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_mdts_sectors);

/*
 * Effects of a passthrough command: from the Commands Supported and
 * Effects log. An I/O command never freezes the I/O queues (it runs on
 * one of them); an admin command whose log entry relaxes execution
 * restrictions does not either.
 */
u32 my_nvme_cmd_effects(const struct nvme_effects_log *log, bool admin,
			u8 opcode)
{
	u32 effects;

	if (!log)
		return 0;
	if (!admin)
		return le32_to_cpu(log->iocs[opcode]) &
			~NVME_CMD_EFFECTS_CSE_MASK;
	effects = le32_to_cpu(log->acs[opcode]);
	if (effects & NVME_CMD_EFFECTS_CSER_MASK)
		effects &= ~NVME_CMD_EFFECTS_CSE_MASK;
	return effects;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_cmd_effects);

/*
 * Temperature Threshold (Features 04h) dword 11: the sensor (TMPSEL: 0
 * the composite temperature, 1-8 the sensors of the SMART log), the
 * over or under threshold (THSEL), and for Set Features the threshold
 * (TMPTH) in kelvin from hwmon's millidegrees Celsius, rounded and
 * clamped to the field.
 */
u32 my_nvme_temp_thresh_dw11(unsigned int sensor, bool under,
			     long millicelsius)
{
	u32 dw11 = sensor << NVME_TEMP_THRESH_SELECT_SHIFT;
	long mc = clamp_val(millicelsius, ABSOLUTE_ZERO_MILLICELSIUS,
			    NVME_TEMP_THRESH_MASK * 1000L +
			    ABSOLUTE_ZERO_MILLICELSIUS);

	if (under)
		dw11 |= NVME_TEMP_THRESH_TYPE_UNDER;
	return dw11 | clamp_val(millicelsius_to_kelvin(mc), 0,
				NVME_TEMP_THRESH_MASK);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_temp_thresh_dw11);

/*
 * Asynchronous Event Configuration (Set Features 0Bh): SMART critical
 * warnings, and the notices the driver acts on (Namespace Attribute
 * Changed, Firmware Activation Starting) as far as OAES says the
 * controller sends them.
 */
u32 my_nvme_aen_config(u32 oaes)
{
	return (oaes & (NVME_AEN_CFG_NS_ATTR | NVME_AEN_CFG_FW_ACT)) |
		NVME_SMART_CRIT_SPARE | NVME_SMART_CRIT_TEMPERATURE |
		NVME_SMART_CRIT_RELIABILITY | NVME_SMART_CRIT_MEDIA |
		NVME_SMART_CRIT_VOLATILE_MEMORY;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_aen_config);

/*
 * The protection information of the LBA format in use, as
 * nvme_configure_metadata(): the tuple's size from its guard (the NVM
 * command set's Identify Namespace, @nvm, where the controller has
 * extended LBA formats, CTRATT.ELBAS; else the 16-bit guard of NVMe
 * 1.x), its type from DPS when the metadata holds it, and where in the
 * metadata it lies (NVMe NVM Command Set 1.0, 5.3.1; DPS bit 3: the
 * first bytes, else the last). Storage tag formats are not supported:
 * their metadata is driven as metadata without PI.
 */
static void my_nvme_ns_pi(const struct nvme_id_ns *id,
			  const struct nvme_id_ns_nvm *nvm,
			  struct my_nvme_ns_info *info)
{
	u32 elbaf;
	u8 guard;

	info->guard_type = NVME_NVM_NS_16B_GUARD;
	info->pi_size = sizeof(struct t10_pi_tuple);
	if (nvm) {
		elbaf = le32_to_cpu(nvm->elbaf[info->lbaf]);
		info->pi_size = 0;
		if (nvme_elbaf_sts(elbaf))
			return;
		guard = nvme_elbaf_guard_type(elbaf);
		if ((nvm->pic & NVME_ID_NS_NVM_QPIFS) &&
		    guard == NVME_NVM_NS_QTYPE_GUARD)
			guard = nvme_elbaf_qualified_guard_type(elbaf);
		info->guard_type = guard;
		if (guard == NVME_NVM_NS_64B_GUARD)
			info->pi_size = sizeof(struct crc64_pi_tuple);
		else if (guard == NVME_NVM_NS_16B_GUARD)
			info->pi_size = sizeof(struct t10_pi_tuple);
	}
	if (info->pi_size && info->ms >= info->pi_size)
		info->pi_type = id->dps & NVME_NS_DPS_PI_MASK;
	if (info->pi_type && !(id->dps & NVME_NS_DPS_PI_FIRST))
		info->pi_offset = info->ms - info->pi_size;
}

/*
 * What Identify Namespace (and, with @nvm, the NVM command set's) says
 * about driving the namespace as a disk. One it cannot drive at all
 * gets a reason in @unsupported; the controller may still have others.
 * Metadata goes through the block layer's integrity support as a
 * separate buffer (MPTR) when the kernel has it (@integrity) and the
 * format keeps metadata apart from the data; metadata interleaved with
 * the data (extended LBAs) cannot, as upstream's PCIe transport: such a
 * namespace gets a disk of no capacity (@no_block_io says why), usable
 * through passthrough and its generic char device, unless the
 * controller can insert and strip protection information itself
 * (PRACT), which it can for every PI format.
 */
void my_nvme_ns_info(const struct nvme_id_ns *id,
		     const struct nvme_id_ns_nvm *nvm, bool integrity,
		     struct my_nvme_ns_info *info)
{
	u8 lbaf = nvme_lbaf_index(id->flbas);

	memset(info, 0, sizeof(*info));
	info->nsze = le64_to_cpu(id->nsze);
	info->lbaf = lbaf;
	info->lba_shift = id->lbaf[lbaf & 0x3f].ds;
	info->readonly = id->nsattr & NVME_NS_ATTR_RO;
	info->shared = id->nmic & NVME_NS_NMIC_SHARED;
	/* Deallocated blocks read as zeros, and Write Zeroes may deallocate. */
	info->deac = (id->dlfeat & 0x7) == 0x1 && (id->dlfeat & BIT(3));
	if (!info->nsze) {
		info->unsupported = "size 0";
		return;
	}
	if (lbaf > id->nlbaf) {
		info->unsupported = "LBA format out of range";
		return;
	}
	if (info->lba_shift < SECTOR_SHIFT || info->lba_shift > PAGE_SHIFT) {
		info->unsupported = "logical block size not supported";
		return;
	}
	info->ms = le16_to_cpu(id->lbaf[lbaf].ms);
	if (!info->ms)
		return;
	info->ext_lbas = id->flbas & NVME_NS_FLBAS_META_EXT;
	my_nvme_ns_pi(id, nvm, info);
	if (info->pi_type)
		return;
	if (info->ext_lbas)
		info->no_block_io = "metadata interleaved with the data (extended LBAs)";
	else if (!integrity)
		info->no_block_io = "metadata, but no block layer integrity support";
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_ns_info);

/*
 * The block layer's integrity profile for the namespace's metadata, as
 * nvme_init_integrity(): protection information of type 1 or 2 (guard
 * and reference tag) or type 3 (guard; the reference tag is an
 * application tag), with the CRC16 guard of T10 DIF or NVMe's CRC64;
 * metadata without PI as a profile without a checksum, so that every
 * request still carries a buffer for it. None where the metadata is
 * interleaved with the data or the kernel has no integrity support
 * (@integrity): there the controller inserts and strips PI (PRACT).
 */
void my_nvme_integrity_limits(const struct my_nvme_ns_info *info,
			      bool integrity, struct blk_integrity *bi)
{
	bool crc64 = info->guard_type == NVME_NVM_NS_64B_GUARD;

	memset(bi, 0, sizeof(*bi));
	if (!info->ms || info->ext_lbas || !integrity)
		return;
	switch (info->pi_type) {
	case NVME_NS_DPS_PI_TYPE3:
		bi->csum_type = crc64 ? BLK_INTEGRITY_CSUM_CRC64 :
			BLK_INTEGRITY_CSUM_CRC;
		/* The application tag and the (unchecked) reference tag. */
		bi->tag_size = crc64 ? sizeof(u16) + 6 : sizeof(u16) + sizeof(u32);
		bi->flags |= BLK_INTEGRITY_DEVICE_CAPABLE;
		break;
	case NVME_NS_DPS_PI_TYPE1:
	case NVME_NS_DPS_PI_TYPE2:
		bi->csum_type = crc64 ? BLK_INTEGRITY_CSUM_CRC64 :
			BLK_INTEGRITY_CSUM_CRC;
		bi->tag_size = sizeof(u16);
		bi->flags |= BLK_INTEGRITY_DEVICE_CAPABLE |
			     BLK_INTEGRITY_REF_TAG;
		break;
	}
	bi->tuple_size = info->ms;
	bi->pi_offset = info->pi_offset;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_integrity_limits);

/*
 * A zoned namespace's geometry, from the Zoned Namespace command set's
 * Identify Namespace (NVMe ZNS 1.1, 3.1.1; nvme_query_zone_info()):
 * the zone size of the LBA format in use (ZSZE, in blocks: a power of
 * two, which the block layer needs, and one its chunk_sectors can
 * hold), the open and active zone limits (MOR and MAR, 0's based;
 * FFFFFFFFh, no limit, becomes 0). Zone operation characteristics
 * (ZOC: variable zone capacity, zone active excursions) are not
 * handled: such a namespace is not driven. @info has the format.
 */
void my_nvme_zone_info(const struct nvme_id_ns_zns *id,
		       struct my_nvme_ns_info *info)
{
	u64 zsze = le64_to_cpu(id->lbafe[info->lbaf & 0x3f].zsze);

	if (id->zoc) {
		info->unsupported = "zone operation characteristics (ZOC) not supported";
		return;
	}
	if (!is_power_of_2(zsze) ||
	    zsze > (U32_MAX >> (info->lba_shift - SECTOR_SHIFT))) {
		info->unsupported = "zone size not a power of two the block layer can take";
		return;
	}
	info->zoned = true;
	info->zone_sectors = zsze << (info->lba_shift - SECTOR_SHIFT);
	info->max_open = le32_to_cpu(id->mor) + 1;
	info->max_active = le32_to_cpu(id->mar) + 1;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_zone_info);

/*
 * One Zone Descriptor of a Zone Management Receive report (ZNS 1.1,
 * Figure 37) as the block layer's zone: only sequential write required
 * zones exist in ZNS; a full zone's write pointer is its end, whatever
 * the descriptor says (nvme_zone_parse_entry()).
 */
int my_nvme_zone_from_desc(const struct nvme_zone_descriptor *desc,
			   u8 lba_shift, u32 zone_sectors,
			   struct blk_zone *zone)
{
	u8 shift = lba_shift - SECTOR_SHIFT;

	if ((desc->zt & 0xf) != NVME_ZONE_TYPE_SEQWRITE_REQ)
		return -EINVAL;
	memset(zone, 0, sizeof(*zone));
	zone->type = BLK_ZONE_TYPE_SEQWRITE_REQ;
	zone->cond = desc->zs >> 4;
	zone->len = zone_sectors;
	zone->capacity = le64_to_cpu(desc->zcap) << shift;
	zone->start = le64_to_cpu(desc->zslba) << shift;
	if (zone->cond == BLK_ZONE_COND_FULL)
		zone->wp = zone->start + zone->len;
	else
		zone->wp = le64_to_cpu(desc->wp) << shift;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_zone_from_desc);

/*
 * The Namespace Identification Descriptor list (CNS 03h): descriptors
 * of NIDT, NIDL and NIDL bytes, up to one of NIDL 0 (NVMe Base 2.0,
 * Figure 274). Unknown types are skipped; a known type with the wrong
 * length ends the walk: -EINVAL, @bad_nidt names it, and what came
 * before is kept (as nvme_identify_ns_descs()).
 */
int my_nvme_parse_ns_descs(const void *data, size_t len,
			   struct my_nvme_ns_ids *ids, u8 *bad_nidt)
{
	size_t pos = 0;

	while (pos + sizeof(struct nvme_ns_id_desc) <= len) {
		const struct nvme_ns_id_desc *cur = data + pos;
		const void *val = cur + 1;
		size_t want;

		if (!cur->nidl)
			break;
		switch (cur->nidt) {
		case NVME_NIDT_EUI64:
			want = NVME_NIDT_EUI64_LEN;
			break;
		case NVME_NIDT_NGUID:
			want = NVME_NIDT_NGUID_LEN;
			break;
		case NVME_NIDT_UUID:
			want = NVME_NIDT_UUID_LEN;
			break;
		case NVME_NIDT_CSI:
			want = NVME_NIDT_CSI_LEN;
			break;
		default:
			want = cur->nidl;
			break;
		}
		if (cur->nidl != want ||
		    pos + sizeof(*cur) + cur->nidl > len) {
			*bad_nidt = cur->nidt;
			return -EINVAL;
		}
		switch (cur->nidt) {
		case NVME_NIDT_EUI64:
			memcpy(ids->eui64, val, NVME_NIDT_EUI64_LEN);
			break;
		case NVME_NIDT_NGUID:
			memcpy(ids->nguid, val, NVME_NIDT_NGUID_LEN);
			break;
		case NVME_NIDT_UUID:
			import_uuid(&ids->uuid, val);
			break;
		case NVME_NIDT_CSI:
			ids->csi = *(const u8 *)val;
			break;
		}
		pos += sizeof(*cur) + cur->nidl;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_parse_ns_descs);

/*
 * Identify Namespace's EUI64 (NVMe 1.1) and NGUID (1.2), where the
 * descriptor list gave none.
 */
void my_nvme_ns_ids_from_id(u32 vs, const struct nvme_id_ns *id,
			    struct my_nvme_ns_ids *ids)
{
	if (vs >= NVME_VS(1, 1, 0) &&
	    !memchr_inv(ids->eui64, 0, sizeof(ids->eui64)))
		memcpy(ids->eui64, id->eui64, sizeof(ids->eui64));
	if (vs >= NVME_VS(1, 2, 0) &&
	    !memchr_inv(ids->nguid, 0, sizeof(ids->nguid)))
		memcpy(ids->nguid, id->nguid, sizeof(ids->nguid));
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_ns_ids_from_id);

/* Do two namespaces share an identifier (a non-zero one)? */
bool my_nvme_ns_ids_clash(const struct my_nvme_ns_ids *a,
			  const struct my_nvme_ns_ids *b)
{
	if (!uuid_is_null(&a->uuid) && uuid_equal(&a->uuid, &b->uuid))
		return true;
	if (memchr_inv(a->nguid, 0, sizeof(a->nguid)) &&
	    !memcmp(a->nguid, b->nguid, sizeof(a->nguid)))
		return true;
	return memchr_inv(a->eui64, 0, sizeof(a->eui64)) &&
	       !memcmp(a->eui64, b->eui64, sizeof(a->eui64));
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_ns_ids_clash);

/*
 * The disk's World Wide ID, as nvme's wwid attribute prints it: the
 * UUID, else the NGUID, else the EUI64, else one made of the PCI vendor
 * ID, Identify Controller's SN and MN fields as they are (@sn_len and
 * @mn_len bytes, trailing blanks and NULs dropped), in hex, and the
 * NSID.
 */
int my_nvme_wwid(char *buf, size_t size, const struct my_nvme_ns_ids *ids,
		 u16 vid, const char *sn, size_t sn_len, const char *mn,
		 size_t mn_len, u32 nsid)
{
	if (!uuid_is_null(&ids->uuid))
		return scnprintf(buf, size, "uuid.%pU\n", &ids->uuid);
	if (memchr_inv(ids->nguid, 0, sizeof(ids->nguid)))
		return scnprintf(buf, size, "eui.%16phN\n", ids->nguid);
	if (memchr_inv(ids->eui64, 0, sizeof(ids->eui64)))
		return scnprintf(buf, size, "eui.%8phN\n", ids->eui64);
	while (sn_len && (sn[sn_len - 1] == ' ' || !sn[sn_len - 1]))
		sn_len--;
	while (mn_len && (mn[mn_len - 1] == ' ' || !mn[mn_len - 1]))
		mn_len--;
	return scnprintf(buf, size, "nvme.%04x-%*phN-%*phN-%08x\n", vid,
			 (int)sn_len, sn, (int)mn_len, mn, nsid);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_wwid);

/*
 * The NVM Subsystem NQN: Identify Controller's SUBNQN (NVMe 1.2.1), or
 * for a controller without one the NQN nvme makes of the PCI vendor
 * and subsystem vendor IDs, the serial and the model (NVMe Base 2.0,
 * 4.5 has a similar form; nvme_init_subnqn() keeps its historic one).
 * Returns whether the controller had one.
 */
bool my_nvme_subnqn(char *subnqn, const struct nvme_id_ctrl *id)
{
	size_t len = strnlen(id->subnqn, NVMF_NQN_SIZE);
	int off;

	if (len > 0 && len < NVMF_NQN_SIZE) {
		memcpy(subnqn, id->subnqn, len);
		subnqn[len] = '\0';
		return true;
	}
	off = snprintf(subnqn, NVMF_NQN_SIZE + 1,
		       "nqn.2014.08.org.nvmexpress:%04x%04x",
		       le16_to_cpu(id->vid), le16_to_cpu(id->ssvid));
	memcpy(subnqn + off, id->sn, sizeof(id->sn));
	off += sizeof(id->sn);
	memcpy(subnqn + off, id->mn, sizeof(id->mn));
	off += sizeof(id->mn);
	subnqn[off] = '\0';
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_subnqn);

/*
 * One entry of the Active Namespace ID list, after entry @last (0 at the
 * start): the end of the list, a namespace to scan, an ID above NN (not
 * a valid namespace: skipped, it removes nothing), or a list that goes
 * backwards and cannot be trusted from here on.
 */
enum my_nvme_scan_step my_nvme_scan_entry(u32 nsid, u32 last, u32 nn)
{
	if (!nsid)
		return MY_NVME_SCAN_END;
	if (nsid <= last)
		return MY_NVME_SCAN_STOP;
	if (nsid > nn)
		return MY_NVME_SCAN_SKIP;
	return MY_NVME_SCAN_NS;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_scan_entry);

/*
 * A controller that cannot be asked for the Active Namespace ID list
 * (CNS 02h, NVMe 1.1) is scanned one NSID after the other, as
 * nvme_ctrl_limited_cns(): before 1.1, or before 1.2 where
 * MY_NVME_QUIRK_IDENTIFY_CNS says its CNS values above 01h are not to
 * be trusted.
 */
bool my_nvme_limited_cns(u32 vs, unsigned long quirks)
{
	if (quirks & MY_NVME_QUIRK_IDENTIFY_CNS)
		return vs < NVME_VS(1, 2, 0);
	return vs < NVME_VS(1, 1, 0);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_limited_cns);

/* ---- Quirks ---- */

/* The quirks by bit, as the parameter and sysfs spell them. */
const char * const my_nvme_quirk_names[MY_NVME_NR_QUIRKS] = {
	"bogus_nid",
	"identify_cns",
	"disable_write_zeroes",
};
EXPORT_SYMBOL_IF_KUNIT(my_nvme_quirk_names);

/* QUIRKS of an entry, [@p, @end): names joined by '+', or "none". */
static int my_nvme_parse_quirk_names(const char *p, const char *end,
				     unsigned long *quirks)
{
	const char *next;
	unsigned int i;
	size_t len;

	*quirks = 0;
	if (end - p == 4 && !strncmp(p, "none", 4))
		return 0;
	while (p < end) {
		next = memchr(p, '+', end - p) ?: end;
		len = next - p;
		for (i = 0; i < MY_NVME_NR_QUIRKS; i++)
			if (strlen(my_nvme_quirk_names[i]) == len &&
			    !strncmp(p, my_nvme_quirk_names[i], len))
				break;
		if (i == MY_NVME_NR_QUIRKS)
			return -EINVAL;
		*quirks |= BIT(i);
		p = next < end ? next + 1 : end;
		if (next + 1 == end)
			return -EINVAL;	/* a trailing '+' */
	}
	return 0;
}

/*
 * The quirks parameter: entries VVVV:DDDD:QUIRKS, separated by commas,
 * with the PCI vendor and device ID in hex and QUIRKS the quirk names
 * joined by '+', or "none". The entry for @vendor:@device replaces what
 * the driver's PCI ID table says for the device (the last one, if
 * several name it): 1 with *@quirks set. 0 when no entry names the
 * device, -EINVAL when any entry is malformed (*@quirks untouched).
 */
int my_nvme_parse_quirks(const char *param, u16 vendor, u16 device,
			 unsigned long *quirks)
{
	const char *p = param, *end;
	unsigned long q, found_q = 0;
	char hex[5] = "";
	u16 v, d;
	int found = 0;

	if (!p)
		return 0;
	while (*p) {
		end = strchrnul(p, ',');
		if (end - p < 11 || p[4] != ':' || p[9] != ':')
			return -EINVAL;
		memcpy(hex, p, 4);
		if (kstrtou16(hex, 16, &v))
			return -EINVAL;
		memcpy(hex, p + 5, 4);
		if (kstrtou16(hex, 16, &d))
			return -EINVAL;
		if (my_nvme_parse_quirk_names(p + 10, end, &q))
			return -EINVAL;
		if (v == vendor && d == device) {
			found = 1;
			found_q = q;
		}
		if (!*end)
			break;
		p = end + 1;
		if (!*p)
			return -EINVAL;	/* a trailing comma */
	}
	if (found)
		*quirks = found_q;
	return found;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_parse_quirks);

/* @quirks as the parameter spells them: names joined by '+', or "none". */
int my_nvme_quirks_str(char *buf, size_t size, unsigned long quirks)
{
	unsigned int i;
	int len = 0;

	for (i = 0; i < MY_NVME_NR_QUIRKS; i++)
		if (quirks & BIT(i))
			len += scnprintf(buf + len, size - len, "%s%s",
					 len ? "+" : "",
					 my_nvme_quirk_names[i]);
	if (!len)
		len = scnprintf(buf, size, "none");
	return len;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_quirks_str);

/* ---- Admin command encoders ---- */

void my_nvme_cmd_identify(struct nvme_command *cmd, u8 cns, u32 nsid)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->identify.opcode = nvme_admin_identify;
	cmd->identify.nsid = cpu_to_le32(nsid);
	cmd->identify.cns = cns;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_cmd_identify);

void my_nvme_cmd_set_features(struct nvme_command *cmd, u8 fid, u32 dword11)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->features.opcode = nvme_admin_set_features;
	cmd->features.fid = cpu_to_le32(fid);
	cmd->features.dword11 = cpu_to_le32(dword11);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_cmd_set_features);

void my_nvme_cmd_get_features(struct nvme_command *cmd, u8 fid)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->features.opcode = nvme_admin_get_features;
	cmd->features.fid = cpu_to_le32(fid);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_cmd_get_features);

void my_nvme_cmd_create_cq(struct nvme_command *cmd, u16 qid,
			   dma_addr_t dma, u32 depth, s16 vector)
{
	u16 flags = NVME_QUEUE_PHYS_CONTIG;

	memset(cmd, 0, sizeof(*cmd));
	if (vector >= 0)
		flags |= NVME_CQ_IRQ_ENABLED;
	cmd->create_cq.opcode = nvme_admin_create_cq;
	cmd->create_cq.prp1 = cpu_to_le64(dma);
	cmd->create_cq.cqid = cpu_to_le16(qid);
	cmd->create_cq.qsize = cpu_to_le16(depth - 1);
	cmd->create_cq.cq_flags = cpu_to_le16(flags);
	cmd->create_cq.irq_vector = cpu_to_le16(vector >= 0 ? vector : 0);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_cmd_create_cq);

void my_nvme_cmd_create_sq(struct nvme_command *cmd, u16 qid,
			   dma_addr_t dma, u32 depth, u16 cqid)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->create_sq.opcode = nvme_admin_create_sq;
	cmd->create_sq.prp1 = cpu_to_le64(dma);
	cmd->create_sq.sqid = cpu_to_le16(qid);
	cmd->create_sq.qsize = cpu_to_le16(depth - 1);
	cmd->create_sq.sq_flags = cpu_to_le16(NVME_QUEUE_PHYS_CONTIG |
					      NVME_SQ_PRIO_MEDIUM);
	cmd->create_sq.cqid = cpu_to_le16(cqid);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_cmd_create_sq);

void my_nvme_cmd_delete_queue(struct nvme_command *cmd, u8 opcode, u16 qid)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->delete_queue.opcode = opcode;
	cmd->delete_queue.qid = cpu_to_le16(qid);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_cmd_delete_queue);

/* Abort (NVMe 2.0, 5.1): the command id as the controller saw it. */
void my_nvme_cmd_abort(struct nvme_command *cmd, u16 sqid, u16 cid)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->abort.opcode = nvme_admin_abort_cmd;
	cmd->abort.sqid = cpu_to_le16(sqid);
	cmd->abort.cid = cid;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_cmd_abort);

/* Get Log Page: NUMD is a 0's based dword count split in two halves. */
void my_nvme_cmd_get_log(struct nvme_command *cmd, u8 lid, u32 nsid,
			 u32 bytes)
{
	u32 numd = bytes / sizeof(u32) - 1;

	memset(cmd, 0, sizeof(*cmd));
	cmd->get_log_page.opcode = nvme_admin_get_log_page;
	cmd->get_log_page.nsid = cpu_to_le32(nsid);
	cmd->get_log_page.lid = lid;
	cmd->get_log_page.numdl = cpu_to_le16(numd & 0xffff);
	cmd->get_log_page.numdu = cpu_to_le16(numd >> 16);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_cmd_get_log);

/* ---- I/O command encoders ---- */

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

/*
 * Protection information of a read, write, Write Zeroes or Zone Append
 * (NVM Command Set 1.0, 5.2; upstream's nvme_setup_rw()): without a
 * buffer from the block layer (@pract) the controller inserts and
 * strips it; the guard is checked for every type, the reference tag for
 * types 1 and 2 (nothing is checked by Write Zeroes, which writes the
 * PI, and rejects PRCHK bits), whose expected initial reference tag is @ref: 32 bits
 * in CDW14 with the 16-bit guard, 48 with the 64-bit one (the upper 16
 * in CDW3). Zone Append has the controller remap it to the LBA it
 * picks (PIREMAP).
 */
void my_nvme_cmd_pi(struct nvme_command *cmd, u8 pi_type, u8 guard_type,
		    bool pract, u64 ref)
{
	bool zeroes = cmd->rw.opcode == nvme_cmd_write_zeroes;
	u16 control = le16_to_cpu(cmd->rw.control);

	if (pract)
		control |= NVME_RW_PRINFO_PRACT;
	switch (pi_type) {
	case NVME_NS_DPS_PI_TYPE3:
		if (!zeroes)
			control |= NVME_RW_PRINFO_PRCHK_GUARD;
		break;
	case NVME_NS_DPS_PI_TYPE1:
	case NVME_NS_DPS_PI_TYPE2:
		if (!zeroes)
			control |= NVME_RW_PRINFO_PRCHK_GUARD |
				   NVME_RW_PRINFO_PRCHK_REF;
		if (cmd->rw.opcode == nvme_cmd_zone_append)
			control |= NVME_RW_APPEND_PIREMAP;
		if (guard_type == NVME_NVM_NS_64B_GUARD) {
			cmd->rw.reftag = cpu_to_le32(lower_32_bits(ref));
			cmd->rw.cdw3 = cpu_to_le32(upper_32_bits(ref) & 0xffff);
		} else {
			cmd->rw.reftag = cpu_to_le32(lower_32_bits(ref));
		}
		break;
	default:
		/* Metadata without PI: PRACT alone would be invalid. */
		control &= ~NVME_RW_PRINFO_PRACT;
		break;
	}
	cmd->rw.control = cpu_to_le16(control);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_cmd_pi);

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

/* Zone Management Send (ZNS 1.1, 3.4.3): @action on one zone, or all. */
void my_nvme_cmd_zone_mgmt_send(struct nvme_command *cmd, u32 nsid,
				u8 lba_shift, sector_t sector, u8 action,
				bool all)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->zms.opcode = nvme_cmd_zone_mgmt_send;
	cmd->zms.nsid = cpu_to_le32(nsid);
	cmd->zms.slba = cpu_to_le64(sector >> (lba_shift - SECTOR_SHIFT));
	cmd->zms.zsa = action;
	cmd->zms.select_all = all;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_cmd_zone_mgmt_send);

/*
 * Zone Management Receive (ZNS 1.1, 3.4.2): a report of every zone from
 * the one holding @sector on, as many as @bytes hold, and with Partial
 * Report set the count of those it holds, not of all that match.
 */
void my_nvme_cmd_zone_mgmt_recv(struct nvme_command *cmd, u32 nsid,
				u8 lba_shift, sector_t sector, u32 bytes)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->zmr.opcode = nvme_cmd_zone_mgmt_recv;
	cmd->zmr.nsid = cpu_to_le32(nsid);
	cmd->zmr.slba = cpu_to_le64(sector >> (lba_shift - SECTOR_SHIFT));
	cmd->zmr.numd = cpu_to_le32(bytes / sizeof(u32) - 1);
	cmd->zmr.zra = NVME_ZRA_ZONE_REPORT;
	cmd->zmr.zrasf = NVME_ZRASF_ZONE_REPORT_ALL;
	cmd->zmr.pr = NVME_REPORT_ZONE_PARTIAL;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_cmd_zone_mgmt_recv);

/*
 * NVMe has no atomic write command: a write within the namespace's
 * atomic write unit (NAWUPF, or the controller's AWUPF) and not across
 * an atomic boundary (NABSPF) is atomic, any other is silently not. The
 * block layer sends REQ_ATOMIC writes only within the queue's limits;
 * one that is not (@pos and @bytes in bytes, @boundary 0 for none) is
 * refused rather than written torn, as nvme_valid_atomic_write().
 */
bool my_nvme_atomic_write_ok(u64 pos, u32 bytes, u32 unit_max, u32 boundary)
{
	u64 mask;

	if (bytes > unit_max)
		return false;
	if (!boundary)
		return true;
	if (bytes > boundary)
		return false;
	mask = ~((u64)boundary - 1);
	return (pos & mask) == ((pos + bytes - 1) & mask);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_atomic_write_ok);

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

/* ---- Data pointers ---- */

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

/* ---- Status ---- */

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

/* ---- Completion disposition and command ids ---- */

/*
 * A status of the Path Related type (SCT 3h, NVMe 2.0, 4.2.3.4): the
 * path to the namespace failed, not the command; the host's own
 * Command Aborted By Host, which a reset's cancellation gives, is one.
 */
bool my_nvme_is_path_error(u16 status)
{
	return (status & NVME_SCT_MASK) == NVME_SCT_PATH;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_is_path_error);

/*
 * Retry a failed command unless the controller said Do Not Retry, the
 * retries are used up, or the request (REQ_FAILFAST_*, a passthrough
 * command) must not be retried. A request of a multipath disk (@mpath)
 * whose path failed, or whose queue is going away (@dying), goes to
 * another path instead; any other request on a dying queue completes.
 * As nvme_decide_disposition().
 */
enum my_nvme_disposition my_nvme_decide(u16 status, unsigned int retries,
					unsigned int max_retries, bool noretry,
					bool dying, bool mpath)
{
	if (likely(!status))
		return MY_NVME_COMPLETE;
	if (noretry || (status & NVME_STATUS_DNR) || retries >= max_retries)
		return MY_NVME_COMPLETE;
	if (mpath) {
		if (my_nvme_is_path_error(status) || dying)
			return MY_NVME_FAILOVER;
	} else if (dying) {
		return MY_NVME_COMPLETE;
	}
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

/* ---- Timeouts ---- */

/*
 * Should a timed-out command reset the controller at once? Only when a
 * live controller failed: CSTS.CFS (all ones, a controller gone from the
 * bus, includes it), or an NVM subsystem reset occurred (CSTS.NSSRO,
 * which the caller clears where CAP.NSSRS says it is undefined). While
 * resetting or connecting the reset itself is what failed: it must end
 * the request, not start another one (as nvme_should_reset()).
 */
bool my_nvme_should_reset(enum my_nvme_ctrl_state state, u32 csts)
{
	if (state == MY_NVME_CTRL_RESETTING ||
	    state == MY_NVME_CTRL_CONNECTING)
		return false;
	return csts & (NVME_CSTS_CFS | NVME_CSTS_NSSRO);
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_should_reset);

/*
 * The timeout decision (see my_nvme_timeout()), from the state, CSTS,
 * the queue (admin or I/O), whether an Abort was sent for the command
 * already, and whether a firmware activation (CSTS.PP) has outlasted
 * MTFA. Only a live controller is aborted or reset; a reset in progress
 * ends the request itself (it disables the controller); a setup or a
 * removal gives up on the controller.
 */
enum my_nvme_timeout_action
my_nvme_timeout_action(enum my_nvme_ctrl_state state, u32 csts, bool admin,
		       bool aborted, bool fw_act_expired)
{
	switch (state) {
	case MY_NVME_CTRL_LIVE:
		break;
	case MY_NVME_CTRL_RESETTING:
		return MY_NVME_TIMEOUT_REARM;
	default:
		return MY_NVME_TIMEOUT_DISABLE;
	}
	if (my_nvme_should_reset(state, csts))
		return MY_NVME_TIMEOUT_FATAL;
	/*
	 * Processing paused for a firmware activation (CSTS.PP): it lasts
	 * at most MTFA (Identify Controller), then recovery proceeds, as
	 * nvme_fw_act_work() gives up.
	 */
	if ((csts & NVME_CSTS_PP) && !fw_act_expired)
		return MY_NVME_TIMEOUT_REARM;
	if (admin || aborted)
		return MY_NVME_TIMEOUT_RESET;
	return MY_NVME_TIMEOUT_ABORT;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_timeout_action);

/*
 * A timeout that wanted to reset the controller lost the race for
 * RESETTING: the state it finds decides who ends the request.
 */
enum my_nvme_timeout_action
my_nvme_timeout_fallback(enum my_nvme_ctrl_state state)
{
	switch (state) {
	case MY_NVME_CTRL_LIVE:		/* a reset just finished: ask again */
	case MY_NVME_CTRL_RESETTING:	/* its disable ends the request */
		return MY_NVME_TIMEOUT_REARM;
	default:
		return MY_NVME_TIMEOUT_DISABLE;
	}
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_timeout_fallback);

/* ---- Passthrough ---- */

/*
 * Vet a user command before it reaches the controller. Queue management
 * and asynchronous events belong to the driver: a user deleting an I/O
 * queue would strand every request on it, and a user's Asynchronous
 * Event Request takes one of the AERL slots the driver keeps filled and
 * never completes until an event (its timeout would reset the
 * controller under everyone's I/O).
 */
int my_nvme_passthru_check(const struct nvme_passthru_cmd64 *cmd, bool admin,
			   u32 max_bytes)
{
	if (cmd->flags || cmd->rsvd1)
		return -EINVAL;	/* fused commands, SGL/PSDT bits */
	/* A separate metadata buffer (MPTR): I/O commands only, as nvme. */
	if (!!cmd->metadata != !!cmd->metadata_len ||
	    cmd->metadata_len > max_bytes)
		return -EINVAL;
	if (admin && cmd->metadata_len)
		return -EINVAL;
	if (cmd->metadata_len && !cmd->data_len)
		return -EINVAL;	/* ... which goes with data */
	if (cmd->data_len > max_bytes)
		return -EINVAL;
	if (!!cmd->addr != !!cmd->data_len)
		return -EINVAL;
	if (cmd->data_len && (cmd->opcode & 3) == 3)
		return -EINVAL;	/* bidirectional transfers */
	if (admin) {
		switch (cmd->opcode) {
		case nvme_admin_create_sq:
		case nvme_admin_create_cq:
		case nvme_admin_delete_sq:
		case nvme_admin_delete_cq:
		case nvme_admin_dbbuf:
		case nvme_admin_async_event:
			return -EPERM;
		}
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_passthru_check);

/*
 * How many bytes a user command moves to or from its buffer, as far as
 * the command itself says (for I/O commands in LBAs of 1 << @lba_shift
 * bytes, each followed by @ext_ms bytes of metadata where the format
 * interleaves them, extended LBAs); 0 when it moves none, or when only
 * the controller knows (Get
 * and Set Features, vendor commands). The driver describes data_len
 * bytes; a command that moves more would have the controller take PRP2
 * as a list or read list entries the driver never wrote. The lengths
 * are the base specification's fields (admin commands: Identify's 4 KiB
 * data structure, NUMD of Get Log Page, Directive Send/Receive and
 * Firmware Image Download, AL of Security Send/Receive, MNDW of Get LBA
 * Status) and the NVM command set's (NLB, Dataset Management's NR, the
 * reservation commands' data structures, NUMD of Reservation Report and
 * Zone Management Receive). nvme_user_cmd() trusts data_len; my_nvme
 * refuses a buffer shorter than the command, and confines what it
 * cannot check (my_nvme_user_list_alloc()).
 */
u64 my_nvme_passthru_xfer_len(const struct nvme_passthru_cmd64 *cmd,
			      bool admin, u8 lba_shift, u16 ext_ms)
{
	if (admin) {
		switch (cmd->opcode) {
		case nvme_admin_identify:
			return NVME_IDENTIFY_DATA_SIZE;
		case nvme_admin_get_log_page:
			return ((cmd->cdw10 >> 16 |
				 (u64)(cmd->cdw11 & 0xffff) << 16) + 1) * 4;
		case nvme_admin_directive_send:
		case nvme_admin_directive_recv:
		case nvme_admin_download_fw:
			return ((u64)cmd->cdw10 + 1) * 4;
		case nvme_admin_security_send:
		case nvme_admin_security_recv:
			return cmd->cdw11;
		case nvme_admin_get_lba_status:
			return ((u64)cmd->cdw12 + 1) * 4;
		default:
			return 0;
		}
	}
	switch (cmd->opcode) {
	case nvme_cmd_read:
	case nvme_cmd_write:
	case nvme_cmd_compare:
	case nvme_cmd_zone_append:
		return lba_shift ? ((u64)(cmd->cdw12 & 0xffff) + 1) *
			((1U << lba_shift) + ext_ms) : 0;
	case nvme_cmd_dsm:
		return ((cmd->cdw10 & 0xff) + 1) *
			sizeof(struct nvme_dsm_range);
	case nvme_cmd_resv_register:
	case nvme_cmd_resv_acquire:
		return 16;
	case nvme_cmd_resv_release:
		return 8;
	case nvme_cmd_resv_report:
	case nvme_cmd_zone_mgmt_recv:
		return ((u64)(cmd->opcode == nvme_cmd_resv_report ?
			      cmd->cdw10 : cmd->cdw12) + 1) * 4;
	default:
		return 0;
	}
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_passthru_xfer_len);

/*
 * How many bytes of separate metadata (MPTR) a user's read, write,
 * compare or zone append moves on a format with @ms bytes of metadata
 * per block kept apart from the data: one tuple per block, none when
 * the controller inserts and strips the protection information that is
 * all of it (PRACT with @ms == @pi_size; NVM Command Set 1.0, 5.3.1.2).
 * 0 for any other command: only the controller knows.
 */
u64 my_nvme_passthru_meta_len(const struct nvme_passthru_cmd64 *cmd, u16 ms,
			      u8 pi_size)
{
	switch (cmd->opcode) {
	case nvme_cmd_read:
	case nvme_cmd_write:
	case nvme_cmd_compare:
	case nvme_cmd_zone_append:
		break;
	default:
		return 0;
	}
	if ((cmd->cdw12 & (NVME_RW_PRINFO_PRACT << 16)) && ms == pi_size)
		return 0;
	return ((u64)(cmd->cdw12 & 0xffff) + 1) * ms;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_passthru_meta_len);

/*
 * Whether a user command may go through io_uring: not one that changes
 * namespaces or their format, which needs the ioctl's freeze and
 * revalidation around it (chardev.c). The Commands Supported and
 * Effects log says which (@effects: CSE, NIC, NCC); the admin commands
 * the base specification defines as changing namespaces are refused
 * even when a controller has no log or leaves them out of it: Format
 * NVM, Sanitize, Namespace Management and Namespace Attachment.
 */
bool my_nvme_uring_cmd_allowed(u32 effects, bool admin, u8 opcode)
{
	if (effects & (NVME_CMD_EFFECTS_CSE_MASK | NVME_CMD_EFFECTS_NIC |
		       NVME_CMD_EFFECTS_NCC))
		return false;
	if (!admin)
		return true;
	switch (opcode) {
	case nvme_admin_format_nvm:
	case nvme_admin_sanitize_nvm:
	case nvme_admin_ns_mgmt:
	case nvme_admin_ns_attach:
		return false;
	}
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(my_nvme_uring_cmd_allowed);
