/* SPDX-License-Identifier: GPL-2.0 */
/*
 * my_nvme: the one internal header. It holds the controller, queue,
 * namespace and per-request structures, and the prototypes of each file
 * in the order of the stack, bottom first: every file calls only the
 * files listed before its own (Documentation/nvme/my_nvme.rst, "Source
 * layout").
 * The two calls that must go up, a request's timeout and a namespace's
 * ioctl, go through struct my_nvme_ctrl_ops.
 */
#ifndef _MY_NVME_H
#define _MY_NVME_H

#include <linux/atomic.h>
#include <linux/bio.h>
#include <linux/bits.h>
#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/cleanup.h>
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/dmapool.h>
#include <linux/fault-inject.h>
#include <linux/io.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/nvme.h>
#include <linux/pci.h>
#include <linux/rwsem.h>
#include <linux/scatterlist.h>
#include <linux/spinlock.h>
#include <linux/srcu.h>
#include <linux/types.h>
#include <linux/uuid.h>
#include <linux/workqueue.h>
#include <uapi/linux/nvme_ioctl.h>

#define MY_NVME_NAME		"my_nvme"

/* The host page size we program into CC.MPS; PRP entries are this size. */
#define MY_NVME_CTRL_PAGE_SHIFT	12
#define MY_NVME_CTRL_PAGE_SIZE	BIT(MY_NVME_CTRL_PAGE_SHIFT)

/* Largest transfer we build descriptors for, whatever MDTS allows. */
#define MY_NVME_MAX_KB		4096
#define MY_NVME_MAX_SEGS	(MY_NVME_MAX_KB / (MY_NVME_CTRL_PAGE_SIZE >> 10))
/* A list of at most this many bytes comes from the small dma_pool. */
#define MY_NVME_SMALL_LIST	256
/* Scatterlist entries kept in the request PDU before chaining. */
#define MY_NVME_INLINE_SG	2
/*
 * PRP list pages one request may need: a 4 MiB transfer has 1024 entries,
 * 511 per page plus a chain pointer, so three pages; keep headroom.
 */
#define MY_NVME_MAX_LIST_PAGES	8

/* Identify Controller SGLS bits 1:0: SGLs supported (any alignment). */
#define MY_NVME_SGLS_SUPPORTED	0x3

/*
 * Command identifiers: the blk-mq tag in bits 11:0 and a 4-bit generation
 * counter above it, bumped each time the request is started, so that a
 * late completion for an earlier use of a tag is recognised and dropped.
 * Tags must therefore stay below 4096.
 */
#define MY_NVME_CID_TAG_BITS	12
#define MY_NVME_CID_TAG_MASK	(BIT(MY_NVME_CID_TAG_BITS) - 1)
#define MY_NVME_CID_GEN_MASK	0xf
#define MY_NVME_MAX_Q_DEPTH	BIT(MY_NVME_CID_TAG_BITS)

/*
 * The admin queue: 32 slots, one always empty, up to MY_NVME_MAX_AEN of
 * them for Asynchronous Event Requests. AERs never time out, so they do
 * not go through blk-mq: they use the command ids above the admin tags.
 */
#define MY_NVME_AQ_DEPTH	32
#define MY_NVME_MAX_AEN		4
#define MY_NVME_AQ_TAGS		(MY_NVME_AQ_DEPTH - 1 - MY_NVME_MAX_AEN)

#define MY_NVME_MIN_Q_DEPTH	2

/*
 * Controller life cycle (NVMe host core.c's states, minus the fabrics
 * ones); my_nvme_change_state() allows only the transitions of
 * my_nvme_state_allowed().
 */
enum my_nvme_ctrl_state {
	MY_NVME_CTRL_NEW,	/* probing: registers mapped, not yet usable */
	MY_NVME_CTRL_LIVE,	/* queues up, disks registered */
	MY_NVME_CTRL_RESETTING,	/* disabled; the reset work brings it back */
	MY_NVME_CTRL_CONNECTING, /* enabled again, being set up */
	MY_NVME_CTRL_DELETING,	/* remove, shutdown or a failed reset */
	MY_NVME_CTRL_DEAD,	/* gone: every command fails */
	MY_NVME_CTRL_NR_STATES,
};

/* What a completed request does next (my_nvme_decide()). */
enum my_nvme_disposition {
	MY_NVME_COMPLETE,	/* end it with its status */
	MY_NVME_RETRY,		/* requeue it, after the CRD delay */
	MY_NVME_FAILOVER,	/* its bios to the multipath disk, another path */
};

/* CAP decoded into the units the driver works in. */
struct my_nvme_cap_info {
	u32	max_queue_entries;	/* CAP.MQES + 1 */
	bool	contiguous_required;	/* CAP.CQR */
	u32	ready_timeout_ms;	/* CAP.TO in milliseconds */
	u32	doorbell_stride;	/* bytes between doorbells */
	bool	nvm_command_set;	/* CAP.CSS bit 0 */
	u32	page_size_min;		/* bytes */
	u32	page_size_max;		/* bytes */
	bool	cmb_supported;		/* CAP.CMBS */
	bool	subsys_reset;		/* CAP.NSSRS */
};

/* Submission-side counters, under sq_lock (debugfs "stats"). */
struct my_nvme_sq_stats {
	u64	submitted;	/* commands copied into the SQ */
	u64	db_writes;	/* SQ tail doorbells written (MMIO) */
	u64	db_skipped;	/* ... not needed (shadow doorbell EventIdx) */
};

/* Completion-side counters, by whoever reaps the CQ (debugfs "stats"). */
struct my_nvme_queue_stats {
	u64	completed;	/* in the completion handler */
	u64	polled;		/* ... of them reaped by ->poll */
	u64	cq_db_writes;	/* CQ head doorbells written (MMIO) */
	u64	cq_db_skipped;	/* ... not needed (EventIdx) */
	u64	interrupts;	/* handler calls that found work */
	u64	spurious;	/* handler calls that found nothing */
	u64	errors;		/* completions with a non-zero status */
	u64	flushes;	/* Flush commands completed */
	u64	sgl;		/* data described by an SGL */
	u64	prp_list;	/* data needing a PRP list page */
	u64	prp_chain;	/* ... more than one, chained */
	u64	stale;		/* completions for no (or an old) command */
	u64	dropped;	/* ... thrown away by fault injection */
	u64	meta;		/* requests with a separate metadata buffer */
	u64	deac;		/* Write Zeroes that deallocated */
};

/* Controller-wide recovery counters (debugfs "recovery"). */
struct my_nvme_recovery_stats {
	atomic_t	timeouts;	/* requests whose timer expired */
	atomic_t	polled;		/* ... found completed in the CQ */
	atomic_t	aborts;		/* Abort commands sent */
	atomic_t	resets;		/* resets started */
	atomic_t	resets_done;	/* ... that brought it back */
	atomic_t	resets_failed;	/* ... that left it dead */
	atomic_t	retries;	/* requests requeued to run again */
	atomic_t	cancelled;	/* requests ended by the host */
	atomic_t	events;		/* asynchronous events received */
	atomic_t	rescans;	/* namespace scans */
	atomic_t	fw_activations;	/* firmware activations waited out */
};

struct my_nvme_ctrl;

#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
/* The fault points of fault.c (debugfs). */
struct my_nvme_faults {
	struct fault_attr	status_attr;	/* fault_inject/: a status */
	u16			status;
	bool			dont_retry;
	bool			status_admin;	/* ... for admin commands */
	u32			status_opcode;	/* ... of this opcode, ~0 any */
	struct fault_attr	map_attr;	/* fail_map/: mapping fails ... */
	u8			map_hard;	/* ... 1 for good, 2 alternating */
	unsigned int		map_count;
	struct fault_attr	enable_attr;	/* never becomes ready */
	struct fault_attr	shutdown_attr;	/* never shuts down */
	struct fault_attr	cqe_attr;	/* completions never posted ... */
	bool			cqe_admin;	/* ... on the admin queue */
	bool			cqe_io;		/* ... on the I/O queues */
	u32			cqe_opcode;	/* ... of this opcode, ~0 any */
	u32			cqe_after;	/* from this admin opcode on */
	bool			cqe_armed;	/* ... which was sent */
	struct fault_attr	csts_attr;	/* CSTS reads changed: */
	u32			csts_bits;	/* ORed in (~0: all ones) */
	u32			csts_after;	/* from this admin opcode on */
	bool			csts_armed;	/* ... which was sent */
	struct fault_attr	id_ns_attr;	/* Identify Namespace data: */
	u8			id_ns_nsattr;	/* ORed into NSATTR */
	u8			id_ns_dlfeat;	/* ORed into DLFEAT */
	u32			id_ns_nsid;	/* of this NSID, ~0 any */
};
#endif

/*
 * One queue pair. Cache line aligned: in the queue array one CPU's
 * completion state must not share a line with the next queue's
 * submission state; the completion side starts a line of its own too.
 */
struct my_nvme_queue {
	struct my_nvme_ctrl	*ctrl;
	spinlock_t		sq_lock;	/* sq_tail, last_sq_tail, SQ slots */
	struct nvme_command	*sq_cmds;
	u32 __iomem		*sq_db;
	__le32			*dbbuf_sq_db;	/* shadow doorbell, or NULL */
	__le32			*dbbuf_sq_ei;	/* its EventIdx */
	u16			sq_tail;
	u16			last_sq_tail;
	u16			qid;
	s16			cq_vector;	/* -1 when no IRQ is requested */
	u32			q_depth;	/* SQ and CQ entries */
	unsigned long		flags;
#define MY_NVME_Q_LIVE		0	/* created on the controller */
#define MY_NVME_Q_POLLED	1	/* live, no interrupt: ->poll reaps it */
#define MY_NVME_Q_DELETING	2	/* a Delete I/O SQ/CQ is outstanding */
	struct completion	delete_done;	/* Delete I/O SQ/CQ answered */
	struct my_nvme_sq_stats	sq_stats;
	/* Completion side. */
	spinlock_t		cq_poll_lock ____cacheline_aligned_in_smp;
	struct nvme_completion	*cqes;
	u32 __iomem		*cq_db;
	__le32			*dbbuf_cq_db;
	__le32			*dbbuf_cq_ei;
	u16			cq_head;
	u8			cq_phase;
	bool			cq_db_mmio;	/* no MSI-X: always the MMIO head */
	dma_addr_t		sq_dma_addr;
	dma_addr_t		cq_dma_addr;
	struct my_nvme_queue_stats stats;
} ____cacheline_aligned_in_smp;

/*
 * A namespace's identifiers: Identify Namespace's EUI64 and NGUID and
 * the Namespace Identification Descriptor list (CNS 03h; NVMe Base
 * 2.0, 4.5.1 and Figure 274). All zero when the controller reports none.
 */
struct my_nvme_ns_ids {
	u8			eui64[NVME_NIDT_EUI64_LEN];
	u8			nguid[NVME_NIDT_NGUID_LEN];
	uuid_t			uuid;
	u8			csi;
};

struct my_nvme_ns_head;

struct my_nvme_ns {
	struct list_head	list;
	struct my_nvme_ctrl	*ctrl;
	struct gendisk		*disk;
	/* A path of a multipath disk (multipath.c), or NULL. */
	struct my_nvme_ns_head	*head;
	struct list_head	siblings;	/* head->paths (SRCU) */
	atomic_long_t		mpath_bios;	/* bios the head sent here */
	atomic_t		failovers;	/* requests moved off this path */
	struct cdev		cdev;		/* /dev/my_ng<C>n<N> */
	struct device		cdev_device;
	bool			cdev_added;
	struct my_nvme_ns_ids	ids;	/* fixed for the disk's life */
	u32			nsid;
	/* The LBA format: changed only with the queue frozen (or held). */
	u8			lba_shift;
	u8			pi_type;	/* NVME_NS_DPS_PI_TYPE1-3, 0 */
	u8			guard_type;	/* NVME_NVM_NS_16B_GUARD, ... */
	u8			pi_size;	/* bytes of PI in the metadata */
	u16			ms;		/* metadata bytes per block */
	bool			ext_lbas;	/* ... interleaved with data */
	bool			deac;		/* Write Zeroes may deallocate */
	u32			zone_sectors;	/* zoned: the zone size */
	unsigned long		flags;
#define MY_NVME_NS_REMOVING	0
#define MY_NVME_NS_DEAD		1	/* fail its I/O at once */
#define MY_NVME_NS_STALE	2	/* format unknown: hold I/O until identified */
};

/* A bio a multipath disk sent down a path (REQ_DRV is the driver's). */
#define MY_NVME_REQ_MPATH	REQ_DRV

/* How a multipath disk picks a path for each bio (subsystem iopolicy). */
enum my_nvme_iopolicy {
	MY_NVME_IOPOLICY_NUMA,		/* the nearest live path, kept */
	MY_NVME_IOPOLICY_RR,		/* the live paths in turn */
};

/*
 * An NVM subsystem (multipath.c): the controllers that share a SUBNQN,
 * and the namespaces shared between them, one head each. Registered
 * (/sys/class/my_nvme-subsystem/my_nvme-subsys<N>) while it has either;
 * its instance is the first controller's, kept until it goes.
 */
struct my_nvme_subsys {
	struct device		dev;
	struct list_head	entry;		/* my_nvme_subsystems */
	struct mutex		lock;		/* ctrls, heads */
	struct list_head	ctrls;
	struct list_head	heads;
	char			subnqn[NVMF_NQN_SIZE + 1];
	char			model[41];
	char			serial[21];
	char			id_sn[20];	/* for the wwid of its disks */
	char			id_mn[40];
	u16			vid;
	u8			cmic;		/* Identify Controller CMIC */
	int			instance;
	enum my_nvme_iopolicy	iopolicy;
};

/*
 * A namespace shared by controllers of a subsystem: one multipath disk
 * (my_nvme<S>n<NSID>) and generic char device (my_ng<S>n<NSID>), whose
 * bios go to one of its paths (each a struct my_nvme_ns of one
 * controller, with a hidden disk my_nvme<S>c<C>n<NSID>). With no path
 * left, bios wait on requeue_list until one comes back or the
 * subsystem's delayed removal runs out (remove_work).
 */
struct my_nvme_ns_head {
	struct list_head	entry;		/* subsys->heads */
	struct my_nvme_subsys	*subsys;
	struct kref		ref;
	u32			nsid;
	struct my_nvme_ns_ids	ids;
	u16			ms;		/* the paths' metadata size */
	struct list_head	paths;		/* struct my_nvme_ns, SRCU */
	struct srcu_struct	srcu;
	struct gendisk		*disk;
	const struct attribute_group *groups[3];	/* the disk's */
	struct cdev		cdev;
	struct device		cdev_device;
	bool			cdev_added;
	struct bio_list		requeue_list;	/* waiting for a path */
	spinlock_t		requeue_lock;
	struct work_struct	requeue_work;
	struct work_struct	part_scan_work;
	struct delayed_work	remove_work;
	unsigned int		delayed_removal_secs;
	unsigned long		flags;
#define MY_NVME_HEAD_DISK_LIVE	0	/* the disk is added */
#define MY_NVME_HEAD_WAITING	1	/* no path: waiting for one */
	struct my_nvme_ns __rcu	*current_path[];	/* per NUMA node */
};

/* What the namespace scan found out about a namespace (pure, KUnit). */
struct my_nvme_ns_info {
	u64	nsze;		/* blocks */
	u8	lba_shift;
	u32	lbaf;		/* the format index in use */
	u16	ms;		/* metadata bytes per block, 0: none */
	u8	pi_type;	/* NVME_NS_DPS_PI_TYPE1-3, 0: no PI */
	u8	pi_size;	/* the PI tuple: 8 (16-bit guard) or 16 */
	u8	pi_offset;	/* where in the metadata it lies */
	u8	guard_type;	/* NVME_NVM_NS_16B_GUARD, _64B_GUARD */
	bool	ext_lbas;	/* metadata interleaved with the data */
	bool	shared;		/* NMIC: may be attached to several controllers */
	bool	readonly;	/* NSATTR: write protected */
	bool	deac;		/* Write Zeroes may deallocate (DLFEAT) */
	/* A zoned namespace (ZNS command set), my_nvme_zone_info(): */
	bool	zoned;
	u32	zone_sectors;	/* zone size */
	u32	max_open;	/* open zones at once, 0: no limit */
	u32	max_active;	/* active zones at once, 0: no limit */
	const char *unsupported; /* why it cannot be driven, or NULL */
	const char *no_block_io; /* why its disk has no capacity, or NULL */
};

/*
 * The calls up the stack, filled in by pci.c (as nvme core calls its
 * transports through struct nvme_ctrl_ops): blk.c hands a timed-out
 * request to the recovery ladder of ctrl.c, ns.c a namespace's ioctls
 * and its generic char device's file operations to chardev.c. Nothing
 * else below calls above itself; events go up as work items
 * (my_nvme_queue_scan() and the like).
 */
struct my_nvme_ctrl_ops {
	enum blk_eh_timer_return (*timeout)(struct request *rq);
	int (*ns_ioctl)(struct block_device *bdev, blk_mode_t mode,
			unsigned int cmd, unsigned long arg);
	const struct file_operations *ns_chr_fops;
	const struct file_operations *head_chr_fops;
	int (*head_chr_add)(struct my_nvme_ns_head *head,
			    const struct file_operations *fops);
	const struct attribute_group *ns_attr_group;
};

struct my_nvme_ctrl {
	const struct my_nvme_ctrl_ops *ops;
	struct pci_dev		*pdev;
	struct device		*dev;		/* the PCI device, for DMA and logs */
	struct device		ctrl_dev;	/* class device, /dev/my_nvme<N> */
	struct cdev		cdev;
	bool			ctrl_dev_added;
	atomic_t		user_cmds;	/* passthrough commands running */
	wait_queue_head_t	user_wq;	/* ... woken when one ends */
	struct dentry		*debugfs;
	void __iomem		*bar;
	u32 __iomem		*dbs;
	int			instance;

	u64			cap;
	struct my_nvme_cap_info	cap_info;
	u32			vs;
	u32			ctrl_config;

	spinlock_t		state_lock;	/* state */
	enum my_nvme_ctrl_state	state;
	wait_queue_head_t	state_wq;	/* woken on every state change */
	struct mutex		shutdown_lock;	/* enable, disable, queues */
	struct workqueue_struct	*wq;		/* scan, events, firmware */
	struct workqueue_struct	*reset_wq;	/* reset_work */
	struct work_struct	reset_work;
	struct work_struct	scan_work;
	struct work_struct	async_event_work;
	struct work_struct	fw_act_work;
	unsigned long		pp_since;	/* jiffies CSTS.PP was seen set, 0 */
	struct mutex		scan_lock;	/* one scan at a time */
	atomic_t		abort_limit;	/* Aborts still allowed (ACL) */

	struct my_nvme_queue	*queues;	/* [0] admin, [1..] I/O */
	unsigned int		max_qid;	/* queues[] has max_qid + 1 slots */
	unsigned int		nr_io_queues;	/* I/O queues created ... */
	unsigned int		nr_poll_queues;	/* ... the last ones polled */
	unsigned int		nr_vecs;	/* IRQ vectors allocated */
	unsigned int		mapped_poll;	/* what map_queues last used */
	unsigned int		mapped_vecs;
	u32			q_depth;	/* I/O queue depth, fixed at probe */

	struct blk_mq_tag_set	admin_tagset;
	struct request_queue	*admin_q;
	struct blk_mq_tag_set	tagset;		/* .tags set while allocated */
	struct dma_pool		*list_pool;	/* PRP/SGL lists, DSM ranges */
	struct dma_pool		*small_pool;	/* ... of up to 256 bytes */
	/* Where a user command's list leads past its entries (blk.c). */
	__le64			*sink_list;	/* every entry: sink, last: itself */
	void			*sink;		/* a page nothing else uses */
	dma_addr_t		sink_list_dma;
	dma_addr_t		sink_dma;

	/* Doorbell Buffer Config: shadow doorbells and EventIdx. */
	__le32			*dbbuf_dbs;
	__le32			*dbbuf_eis;
	dma_addr_t		dbbuf_dbs_dma;
	dma_addr_t		dbbuf_eis_dma;
	size_t			dbbuf_size;

	/*
	 * namespaces: changed under ns_lock, walked under srcu, so that a
	 * walk may sleep (freeze, sync) while holding nothing a timeout
	 * handler needs.
	 */
	struct mutex		ns_lock;
	struct srcu_struct	srcu;
	struct list_head	namespaces;

	/* Asynchronous events: AER slots, results awaiting the work. */
	spinlock_t		aen_lock;	/* aen_busy, aen_results */
	unsigned int		nr_aen;		/* AERs kept outstanding */
	unsigned long		aen_busy;	/* slots with an AER out */
	u32			aen_results[MY_NVME_MAX_AEN];
	unsigned long		aen_pending;	/* slots whose result waits */
	unsigned long		events;		/* MY_NVME_EVENT_* to act on */
#define MY_NVME_EVENT_RESUBMIT	0	/* send the free AER slots */
#define MY_NVME_EVENT_NS_CHANGED 1	/* clear the Changed NS List */
	unsigned long		flags;
#define MY_NVME_CTRL_STOPPED	0	/* I/O queues quiesced */
#define MY_NVME_CTRL_ADMIN_STOPPED 1	/* admin queue quiesced */
#define MY_NVME_CTRL_FROZEN	2	/* namespaces' queues frozen */
#define MY_NVME_CTRL_CMB_FROZEN	3	/* ... and the CMB disk's */
	u8			smart_crit_logged; /* warnings already logged */

	/*
	 * Where a controller departs from the specification, as nvme's
	 * NVME_QUIRK_* of the same names (my_nvme_quirk_names[]): from the
	 * PCI ID table, or the quirks parameter.
	 */
	unsigned long		quirks;
/* Namespace identifiers that are not unique: drop them. */
#define MY_NVME_QUIRK_BOGUS_NID		BIT(0)
/* Identify CNS values above 01h unreliable (before NVMe 1.2). */
#define MY_NVME_QUIRK_IDENTIFY_CNS	BIT(1)
/* Write Zeroes not to be used. */
#define MY_NVME_QUIRK_NO_WRITE_ZEROES	BIT(2)
#define MY_NVME_NR_QUIRKS		3

	/* From Identify Controller. */
	char			model[41];
	char			serial[21];
	char			firmware[9];
	char			subnqn[NVMF_NQN_SIZE + 1];
	char			id_sn[20];	/* SN and MN as they are (wwid) */
	char			id_mn[40];
	u16			vid;
	u16			cntlid;
	u8			cmic;		/* multi-controller capabilities */
	struct my_nvme_subsys	*subsys;	/* multipath.c */
	struct list_head	subsys_entry;
	bool			subsys_instance; /* ... which keeps ours */
	u32			nn;
	u32			max_hw_sectors;
	u32			max_zeroes_sectors;	/* Write Zeroes, 0 = none */
	u32			dmrsl;		/* DMRSL: LBAs per range, 0 = any */
	u16			max_discard_segments;
	u32			shutdown_timeout_ms;
	u16			oncs;
	u16			oacs;
	u8			vwc;
	u32			sgls;
	u32			ctratt;		/* controller attributes */
	/* The Zoned Namespace command set, once a zoned namespace is seen. */
	bool			zns_known;
	bool			zone_append;	/* Zone Append supported */
	u32			max_zone_append; /* sectors (ZASL) */
	u16			awupf;		/* 0's based, in LBAs */
	u16			crdt[3];	/* retry delays, 100 ms units */
	u16			wctemp, cctemp;	/* warning, critical: kelvin */
	struct device		*hwmon;
	u16			mtfa;		/* firmware activation, 100 ms units */
	u32			oaes;
	struct nvme_effects_log	*effects;	/* NULL: log not supported */

	/* Controller Memory Buffer ramdisk, when there is a CMB. */
	void __iomem		*cmb;
	u64			cmb_size;
	u64			cmb_bus_addr;	/* CMBMSC.CBA */
	struct gendisk		*cmb_disk;

	struct my_nvme_recovery_stats rstats;
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
	struct my_nvme_faults	faults;
#endif
};

/* Per-request driver data (the blk-mq PDU). */
struct my_nvme_iod {
	struct nvme_command	cmd;
	u16			status;		/* NVMe SCT/SC, phase bit dropped */
	union nvme_result	result;
	u8			genctr;		/* command id generation */
	u8			retries;
	u8			flags;
#define MY_NVME_IOD_ABORTED	BIT(0)	/* an Abort was sent for it */
#define MY_NVME_IOD_CANCELLED	BIT(1)	/* ended by the host */
#define MY_NVME_IOD_USER	BIT(2)	/* passthrough from user space */
	bool			use_sgl;
	bool			small_list;	/* lists[0] from small_pool */
	unsigned int		dma_len;	/* set when mapped as one bvec */
	dma_addr_t		first_dma;
	unsigned int		meta_len;	/* separate metadata mapped */
	dma_addr_t		meta_dma;
	int			map_nents;	/* entries given to dma_map_sg() */
	int			nr_lists;
	void			*lists[MY_NVME_MAX_LIST_PAGES];
	dma_addr_t		list_dma[MY_NVME_MAX_LIST_PAGES];
	struct sg_table		sgt;
	struct scatterlist	inline_sg[MY_NVME_INLINE_SG];
};

/*
 * Where descriptor list pages come from: the dma_pool in the driver, a
 * plain allocation in the KUnit tests.
 */
struct my_nvme_list_alloc {
	void	*(*alloc)(void *priv, dma_addr_t *dma);
	void	*priv;
};

static inline enum my_nvme_ctrl_state my_nvme_state(struct my_nvme_ctrl *ctrl)
{
	return READ_ONCE(ctrl->state);
}

/*
 * A path that failed is no head's current path any more: the next bio
 * picks another (the failover in blk.c, the removal in multipath.c).
 */
static inline void my_nvme_mpath_clear_current(struct my_nvme_ns *ns)
{
	struct my_nvme_ns_head *head = ns->head;
	int node;

	for_each_node(node)
		if (rcu_access_pointer(head->current_path[node]) == ns)
			rcu_assign_pointer(head->current_path[node], NULL);
}

static inline struct list_head *my_nvme_ns_list(struct srcu_struct *srcu)
{
	return &container_of(srcu, struct my_nvme_ctrl, srcu)->namespaces;
}

/*
 * Walk the namespaces under SRCU: the body may sleep (freeze, sync) and
 * may break or return; it holds nothing a timeout handler needs, and a
 * removal waits for it (synchronize_srcu()). The guard is
 * scoped_guard(srcu), spelled out as the loop it is.
 */
#define my_nvme_for_each_ns(ctrl, ns)					\
	for (CLASS(srcu, __srcu)(&(ctrl)->srcu), *__once = NULL;	\
	     !__once; __once = (void *)1)				\
		list_for_each_entry_srcu(ns, my_nvme_ns_list(__srcu.lock), \
					 list, srcu_read_lock_held(__srcu.lock))

/* Work for the controller's workqueue: how events travel up the stack. */
static inline void my_nvme_queue_scan(struct my_nvme_ctrl *ctrl)
{
	queue_work(ctrl->wq, &ctrl->scan_work);
}

static inline void my_nvme_queue_aen(struct my_nvme_ctrl *ctrl)
{
	queue_work(ctrl->wq, &ctrl->async_event_work);
}

static inline void my_nvme_queue_fw_act(struct my_nvme_ctrl *ctrl)
{
	queue_work(ctrl->wq, &ctrl->fw_act_work);
}

/* The command id of @rq as it was last started. */
static inline u16 my_nvme_cid(struct request *rq)
{
	struct my_nvme_iod *iod = blk_mq_rq_to_pdu(rq);

	return (iod->genctr & MY_NVME_CID_GEN_MASK) << MY_NVME_CID_TAG_BITS |
		rq->tag;
}

/* What the timeout handler does with a request (my_nvme_timeout_action()). */
enum my_nvme_timeout_action {
	MY_NVME_TIMEOUT_REARM,	/* run the timer again: someone else ends it */
	MY_NVME_TIMEOUT_ABORT,	/* send an Abort, run the timer again */
	MY_NVME_TIMEOUT_RESET,	/* disable the controller, then reset it */
	MY_NVME_TIMEOUT_FATAL,	/* the same, without reaping the CQ first */
	MY_NVME_TIMEOUT_DISABLE, /* disable for good: the setup or removal fails */
};

/* An entry of the Active Namespace ID list (my_nvme_scan_entry()). */
enum my_nvme_scan_step {
	MY_NVME_SCAN_END,	/* 0: the list ends */
	MY_NVME_SCAN_NS,	/* scan it; namespaces skipped before it go */
	MY_NVME_SCAN_SKIP,	/* above NN: not a namespace, removes nothing */
	MY_NVME_SCAN_STOP,	/* not ascending: trust nothing from here on */
};

/* queue.c: rings and doorbells (the bottom: calls nothing above it) */
u32 my_nvme_sq_db_offset(u16 qid, u32 stride);
u32 my_nvme_cq_db_offset(u16 qid, u32 stride);
bool my_nvme_cqe_pending(const struct nvme_completion *cqe, u8 phase);
bool my_nvme_dbbuf_need_event(u16 event_idx, u16 new_idx, u16 old);
void my_nvme_cq_advance(u16 *head, u8 *phase, u32 depth);
int my_nvme_alloc_queue(struct my_nvme_ctrl *ctrl, u16 qid, u32 depth);
void my_nvme_init_queue(struct my_nvme_queue *q);
void my_nvme_dbbuf_init(struct my_nvme_queue *q);
void my_nvme_free_queue(struct my_nvme_queue *q);
void my_nvme_write_cq_db(struct my_nvme_queue *q);
void __my_nvme_submit_cmd(struct my_nvme_queue *q, struct nvme_command *cmd,
			  bool ring);
void my_nvme_submit_cmd(struct my_nvme_queue *q, struct nvme_command *cmd,
			bool ring);
void my_nvme_submit_rqs(struct my_nvme_queue *q, struct rq_list *rqlist);
void my_nvme_commit_sq(struct my_nvme_queue *q);

/* cmd.c: commands and the specification's rules, pure (KUnit) */
const char *my_nvme_state_name(enum my_nvme_ctrl_state state);
bool my_nvme_state_allowed(enum my_nvme_ctrl_state old,
			   enum my_nvme_ctrl_state new);
void my_nvme_decode_cap(u64 cap, struct my_nvme_cap_info *info);
int my_nvme_max_qid(resource_size_t bar_len, u32 stride, unsigned int *max);
u32 my_nvme_num_queues_dword(unsigned int nr_io_queues);
unsigned int my_nvme_num_queues_granted(u32 result);
u32 my_nvme_mdts_sectors(u8 mdts, u32 page_size_min, u32 max_kb);
u32 my_nvme_cmd_effects(const struct nvme_effects_log *log, bool admin,
			u8 opcode);
u32 my_nvme_aen_config(u32 oaes);
u32 my_nvme_temp_thresh_dw11(unsigned int sensor, bool under,
			     long millicelsius);
void my_nvme_ns_info(const struct nvme_id_ns *id,
		     const struct nvme_id_ns_nvm *nvm, bool integrity,
		     struct my_nvme_ns_info *info);
void my_nvme_integrity_limits(const struct my_nvme_ns_info *info,
			      bool integrity, struct blk_integrity *bi);
void my_nvme_zone_info(const struct nvme_id_ns_zns *id,
		       struct my_nvme_ns_info *info);
int my_nvme_zone_from_desc(const struct nvme_zone_descriptor *desc,
			   u8 lba_shift, u32 zone_sectors,
			   struct blk_zone *zone);
void my_nvme_cmd_zone_mgmt_send(struct nvme_command *cmd, u32 nsid,
				u8 lba_shift, sector_t sector, u8 action,
				bool all);
void my_nvme_cmd_zone_mgmt_recv(struct nvme_command *cmd, u32 nsid,
				u8 lba_shift, sector_t sector, u32 bytes);
int my_nvme_parse_ns_descs(const void *data, size_t len,
			   struct my_nvme_ns_ids *ids, u8 *bad_nidt);
void my_nvme_ns_ids_from_id(u32 vs, const struct nvme_id_ns *id,
			    struct my_nvme_ns_ids *ids);
bool my_nvme_ns_ids_clash(const struct my_nvme_ns_ids *a,
			  const struct my_nvme_ns_ids *b);
int my_nvme_wwid(char *buf, size_t size, const struct my_nvme_ns_ids *ids,
		 u16 vid, const char *sn, size_t sn_len, const char *mn,
		 size_t mn_len, u32 nsid);
bool my_nvme_subnqn(char *subnqn, const struct nvme_id_ctrl *id);
enum my_nvme_scan_step my_nvme_scan_entry(u32 nsid, u32 last, u32 nn);
bool my_nvme_limited_cns(u32 vs, unsigned long quirks);
extern const char * const my_nvme_quirk_names[MY_NVME_NR_QUIRKS];
int my_nvme_parse_quirks(const char *param, u16 vendor, u16 device,
			 unsigned long *quirks);
int my_nvme_quirks_str(char *buf, size_t size, unsigned long quirks);
u32 my_nvme_ready_timeout_ms(u64 cap, u32 crto, bool *bad_crto);
void my_nvme_cmd_identify(struct nvme_command *cmd, u8 cns, u32 nsid);
void my_nvme_cmd_set_features(struct nvme_command *cmd, u8 fid, u32 dword11);
void my_nvme_cmd_get_features(struct nvme_command *cmd, u8 fid);
void my_nvme_cmd_create_cq(struct nvme_command *cmd, u16 qid,
			   dma_addr_t dma, u32 depth, s16 vector);
void my_nvme_cmd_create_sq(struct nvme_command *cmd, u16 qid,
			   dma_addr_t dma, u32 depth, u16 cqid);
void my_nvme_cmd_delete_queue(struct nvme_command *cmd, u8 opcode, u16 qid);
void my_nvme_cmd_abort(struct nvme_command *cmd, u16 sqid, u16 cid);
void my_nvme_cmd_get_log(struct nvme_command *cmd, u8 lid, u32 nsid,
			 u32 bytes);
void my_nvme_cmd_rw(struct nvme_command *cmd, bool write, u32 nsid,
		    u8 lba_shift, sector_t sector, u32 bytes, u16 control);
void my_nvme_cmd_pi(struct nvme_command *cmd, u8 pi_type, u8 guard_type,
		    bool pract, u64 ref);
void my_nvme_cmd_flush(struct nvme_command *cmd, u32 nsid);
void my_nvme_cmd_write_zeroes(struct nvme_command *cmd, u32 nsid,
			      u8 lba_shift, sector_t sector, u32 bytes,
			      bool deallocate);
bool my_nvme_atomic_write_ok(u64 pos, u32 bytes, u32 unit_max, u32 boundary);
void my_nvme_cmd_dsm(struct nvme_command *cmd, u32 nsid,
		     unsigned int nr_ranges);
void my_nvme_dsm_range(struct nvme_dsm_range *range, u8 lba_shift,
		       sector_t sector, u32 bytes);
int my_nvme_build_prps(struct scatterlist *sg, u32 length, u32 page_size,
		       const struct my_nvme_list_alloc *la,
		       void **lists, dma_addr_t *list_dma, int *nr_lists,
		       int max_lists, __le64 *prp1, __le64 *prp2);
int my_nvme_build_sgl(struct scatterlist *sgl, int nents, u32 page_size,
		      const struct my_nvme_list_alloc *la,
		      void **lists, dma_addr_t *list_dma, int *nr_lists,
		      struct nvme_sgl_desc *dptr);
void my_nvme_set_dptr_type(struct nvme_command *cmd, bool use_sgl);
blk_status_t my_nvme_status_to_blk(u16 status);
const char *my_nvme_status_str(u16 status);
int my_nvme_rq_errno(struct request *rq, blk_status_t sts);
bool my_nvme_is_path_error(u16 status);
enum my_nvme_disposition my_nvme_decide(u16 status, unsigned int retries,
					unsigned int max_retries, bool noretry,
					bool dying, bool mpath);
unsigned long my_nvme_retry_delay_ms(u16 status, const u16 *crdt);
u16 my_nvme_cid_tag(u16 cid);
bool my_nvme_cid_current(u16 cid, u8 genctr);
bool my_nvme_should_reset(enum my_nvme_ctrl_state state, u32 csts);
enum my_nvme_timeout_action
my_nvme_timeout_action(enum my_nvme_ctrl_state state, u32 csts, bool admin,
		       bool aborted, bool fw_act_expired);
enum my_nvme_timeout_action
my_nvme_timeout_fallback(enum my_nvme_ctrl_state state);
int my_nvme_passthru_check(const struct nvme_passthru_cmd64 *cmd, bool admin,
			   u32 max_bytes);
u64 my_nvme_passthru_xfer_len(const struct nvme_passthru_cmd64 *cmd,
			      bool admin, u8 lba_shift, u16 ext_ms);
u64 my_nvme_passthru_meta_len(const struct nvme_passthru_cmd64 *cmd, u16 ms,
			      u8 pi_size);
bool my_nvme_uring_cmd_allowed(u32 effects, bool admin, u8 opcode);

/* admin.c: the admin commands the driver sends, asynchronous events */
int my_nvme_submit_sync_cmd(struct my_nvme_ctrl *ctrl,
			    struct nvme_command *cmd, void *buf,
			    unsigned int len, u32 *result);
int my_nvme_submit_sync_cmd_q(struct my_nvme_ctrl *ctrl,
			      struct request_queue *q,
			      struct nvme_command *cmd, void *buf,
			      unsigned int len, u32 *result);
int my_nvme_admin_error(struct my_nvme_ctrl *ctrl, const char *what, int ret);
int my_nvme_get_log(struct my_nvme_ctrl *ctrl, u8 lid, u32 nsid, void *buf,
		    u32 len);
int my_nvme_identify_ctrl(struct my_nvme_ctrl *ctrl);
int my_nvme_set_queue_count(struct my_nvme_ctrl *ctrl, unsigned int *count);
int my_nvme_create_io_queue(struct my_nvme_queue *q, s16 vector);
int my_nvme_delete_io_queue(struct my_nvme_queue *q);
int my_nvme_send_delete_queue(struct my_nvme_queue *q, u8 opcode);
int my_nvme_dbbuf_config(struct my_nvme_ctrl *ctrl, dma_addr_t dbs,
			 dma_addr_t eis);
void my_nvme_submit_aers(struct my_nvme_ctrl *ctrl);
void my_nvme_complete_aer(struct my_nvme_queue *q,
			  const struct nvme_completion *cqe);
void my_nvme_update_firmware_rev(struct my_nvme_ctrl *ctrl);
void my_nvme_handle_aen(struct my_nvme_ctrl *ctrl, u32 result);
void my_nvme_async_event_work(struct work_struct *work);
int my_nvme_identify_ns(struct my_nvme_ctrl *ctrl, u32 nsid,
			struct nvme_id_ns *id);
int my_nvme_identify_ns_nvm(struct my_nvme_ctrl *ctrl, u32 nsid,
			    struct nvme_id_ns_nvm *nvm);
int my_nvme_identify_ns_ids(struct my_nvme_ctrl *ctrl, u32 nsid,
			    const struct nvme_id_ns *id,
			    struct my_nvme_ns_ids *ids);

/* blk.c: the data path: tag sets, requests, completions, cancellation */
int my_nvme_sink_init(struct my_nvme_ctrl *ctrl);
void my_nvme_sink_free(struct my_nvme_ctrl *ctrl);
int my_nvme_request_irq(struct my_nvme_queue *q, int vector);
void my_nvme_free_irq(struct my_nvme_queue *q);
void my_nvme_reap_cq(struct my_nvme_queue *q);
unsigned int my_nvme_inflight(struct my_nvme_ctrl *ctrl);
void my_nvme_cancel_tagset(struct my_nvme_ctrl *ctrl);
void my_nvme_cancel_admin_tagset(struct my_nvme_ctrl *ctrl);
int my_nvme_alloc_admin_tagset(struct my_nvme_ctrl *ctrl);
int my_nvme_update_admin_limits(struct my_nvme_ctrl *ctrl);
void my_nvme_remove_admin_queue(struct my_nvme_ctrl *ctrl);
void my_nvme_free_admin_tagset(struct my_nvme_ctrl *ctrl);
int my_nvme_alloc_io_tagset(struct my_nvme_ctrl *ctrl);
void my_nvme_free_io_tagset(struct my_nvme_ctrl *ctrl);
bool my_nvme_layout_changed(struct my_nvme_ctrl *ctrl);
void my_nvme_update_nr_hw_queues(struct my_nvme_ctrl *ctrl);
void my_nvme_quiesce_io_queues(struct my_nvme_ctrl *ctrl);
void my_nvme_unquiesce_io_queues(struct my_nvme_ctrl *ctrl);
void my_nvme_quiesce_admin_queue(struct my_nvme_ctrl *ctrl);
void my_nvme_unquiesce_admin_queue(struct my_nvme_ctrl *ctrl);

/* zns.c: zoned namespaces */
#if IS_ENABLED(CONFIG_BLK_DEV_ZONED)
int my_nvme_ns_zone_info(struct my_nvme_ctrl *ctrl, u32 nsid,
			 struct my_nvme_ns_info *info);
int my_nvme_ns_report_zones(struct my_nvme_ns *ns, sector_t sector,
			    unsigned int nr_zones, report_zones_cb cb,
			    void *data);
#else
static inline int my_nvme_ns_zone_info(struct my_nvme_ctrl *ctrl, u32 nsid,
				       struct my_nvme_ns_info *info)
{
	info->unsupported = "zoned, but no zoned block device support (CONFIG_BLK_DEV_ZONED)";
	return 0;
}
#endif

/* multipath.c: subsystems, shared namespaces, the multipath disks */
extern bool my_nvme_multipath;
int my_nvme_instance_alloc(void);
void my_nvme_instance_free(struct my_nvme_ctrl *ctrl);
int my_nvme_init_subsystem(struct my_nvme_ctrl *ctrl);
void my_nvme_exit_subsystem(struct my_nvme_ctrl *ctrl);
int my_nvme_mpath_attach(struct my_nvme_ns *ns,
			 const struct my_nvme_ns_info *info);
void my_nvme_mpath_set_live(struct my_nvme_ns *ns);
void my_nvme_mpath_update(struct my_nvme_ns *ns);
void my_nvme_mpath_remove_path(struct my_nvme_ns *ns);
void my_nvme_put_ns_head(struct my_nvme_ns_head *head);
bool my_nvme_tryget_ns_head(struct my_nvme_ns_head *head);
struct my_nvme_ns *my_nvme_find_path(struct my_nvme_ns_head *head);
struct my_nvme_ns *my_nvme_get_path(struct my_nvme_ns_head *head);
void my_nvme_mpath_kick(struct my_nvme_ctrl *ctrl);
int my_nvme_mpath_init(void);
void my_nvme_mpath_exit(void);

/* ns.c: namespaces and their disks, the scan */
void my_nvme_start_freeze(struct my_nvme_ctrl *ctrl);
void my_nvme_wait_freeze(struct my_nvme_ctrl *ctrl);
int my_nvme_wait_freeze_timeout(struct my_nvme_ctrl *ctrl, long timeout);
void my_nvme_unfreeze(struct my_nvme_ctrl *ctrl);
void my_nvme_sync_queues(struct my_nvme_ctrl *ctrl);
void my_nvme_mark_namespaces_dead(struct my_nvme_ctrl *ctrl);
void my_nvme_fail_stale_namespaces(struct my_nvme_ctrl *ctrl);
void my_nvme_ns_limits(struct my_nvme_ctrl *ctrl, const struct nvme_id_ns *id,
		       const struct my_nvme_ns_info *info,
		       struct queue_limits *lim);
int my_nvme_add_ns(struct my_nvme_ctrl *ctrl, u32 nsid,
		   const struct nvme_id_ns *id, const struct my_nvme_ns_ids *ids);
int my_nvme_revalidate_ns(struct my_nvme_ns *ns, const struct nvme_id_ns *id);
struct my_nvme_ns *my_nvme_find_get_ns(struct my_nvme_ctrl *ctrl, u32 nsid);
void my_nvme_put_ns(struct my_nvme_ns *ns);
void my_nvme_remove_ns(struct my_nvme_ns *ns);
void my_nvme_remove_namespaces(struct my_nvme_ctrl *ctrl);
void my_nvme_scan_work(struct work_struct *work);
int my_nvme_add_head_chr(struct my_nvme_ns_head *head,
			 const struct file_operations *fops);
extern const struct attribute_group my_nvme_ns_attr_group;
int my_nvme_ns_chr_init(void);
void my_nvme_ns_chr_exit(void);

/* cmb.c: the Controller Memory Buffer disk */
u64 my_nvme_cmb_unit(u32 cmbsz);
u64 my_nvme_cmb_size(u32 cmbsz);
u64 my_nvme_cmb_offset(u32 cmbloc, u32 cmbsz);
void my_nvme_cmb_enable(struct my_nvme_ctrl *ctrl);
void my_nvme_cmb_freeze(struct my_nvme_ctrl *ctrl);
void my_nvme_cmb_unfreeze(struct my_nvme_ctrl *ctrl);
void my_nvme_cmb_setup(struct my_nvme_ctrl *ctrl);
void my_nvme_cmb_remove(struct my_nvme_ctrl *ctrl);

/* ctrl.c: state machine, timeouts, disable, queue setup, reset */
bool my_nvme_change_state(struct my_nvme_ctrl *ctrl,
			  enum my_nvme_ctrl_state new);
bool my_nvme_fw_act_expired(struct my_nvme_ctrl *ctrl, u32 csts);
enum blk_eh_timer_return my_nvme_timeout(struct request *rq);
void my_nvme_dev_disable(struct my_nvme_ctrl *ctrl, bool shutdown);
int my_nvme_pci_enable(struct my_nvme_ctrl *ctrl);
void my_nvme_dbbuf_free(struct my_nvme_ctrl *ctrl);
int my_nvme_init_ctrl_finish(struct my_nvme_ctrl *ctrl);
void my_nvme_start_ctrl(struct my_nvme_ctrl *ctrl);
void my_nvme_stop_ctrl(struct my_nvme_ctrl *ctrl);
int my_nvme_try_sched_reset(struct my_nvme_ctrl *ctrl);
int my_nvme_reset_ctrl(struct my_nvme_ctrl *ctrl);
int my_nvme_reset_ctrl_sync(struct my_nvme_ctrl *ctrl);
int my_nvme_subsys_reset(struct my_nvme_ctrl *ctrl);
int my_nvme_disable_prepare_reset(struct my_nvme_ctrl *ctrl, bool shutdown);
int my_nvme_init_ctrl(struct my_nvme_ctrl *ctrl, struct pci_dev *pdev,
		      const struct my_nvme_ctrl_ops *ops,
		      struct workqueue_struct *wq,
		      struct workqueue_struct *reset_wq);
void my_nvme_free_ctrl(struct my_nvme_ctrl *ctrl);

/* chardev.c: /dev/my_nvme<N>, sysfs, passthrough ioctls and io_uring */
bool my_nvme_wait_user_cmds(struct my_nvme_ctrl *ctrl, unsigned long timeout);
int my_nvme_ns_ioctl(struct block_device *bdev, blk_mode_t mode,
		     unsigned int cmd, unsigned long arg);
extern const struct file_operations my_nvme_ns_chr_fops;
extern const struct file_operations my_nvme_head_chr_fops;
int my_nvme_init_ctrl_dev(struct my_nvme_ctrl *ctrl);
int my_nvme_add_ctrl_dev(struct my_nvme_ctrl *ctrl);
void my_nvme_del_ctrl_dev(struct my_nvme_ctrl *ctrl);
int my_nvme_chardev_init(void);
void my_nvme_chardev_exit(void);

/* hwmon.c: temperature sensors */
#if IS_ENABLED(CONFIG_MY_NVME_HWMON)
void my_nvme_hwmon_init(struct my_nvme_ctrl *ctrl);
void my_nvme_hwmon_exit(struct my_nvme_ctrl *ctrl);
#else
static inline void my_nvme_hwmon_init(struct my_nvme_ctrl *ctrl) { }
static inline void my_nvme_hwmon_exit(struct my_nvme_ctrl *ctrl) { }
#endif

/* debugfs.c: counters and event injection */
void my_nvme_debugfs_add(struct my_nvme_ctrl *ctrl);
void my_nvme_debugfs_remove(struct my_nvme_ctrl *ctrl);
void my_nvme_debugfs_init(void);
void my_nvme_debugfs_exit(void);

extern unsigned int my_nvme_admin_timeout;	/* admin.c */
extern unsigned int my_nvme_io_timeout;		/* blk.c */

/*
 * fault.c: fault points below the driver's logic (debugfs, only with
 * CONFIG_FAULT_INJECTION_DEBUG_FS). Each check is one load and a
 * branch until its fault_attr is given a probability.
 */
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
void my_nvme_fault_init(struct my_nvme_ctrl *ctrl);
void my_nvme_fault_debugfs(struct my_nvme_ctrl *ctrl);
void my_nvme_fault_debugfs_defaults(struct dentry *root);
void __my_nvme_fault_status(struct my_nvme_ctrl *ctrl, struct request *rq,
			    struct my_nvme_iod *iod);
blk_status_t __my_nvme_fault_map(struct my_nvme_ctrl *ctrl);
bool __my_nvme_fault_drop_cqe(struct my_nvme_queue *q, u8 opcode);
u32 __my_nvme_fault_csts(struct my_nvme_ctrl *ctrl, u32 csts);
void __my_nvme_fault_id_ns(struct my_nvme_ctrl *ctrl, u32 nsid,
			   struct nvme_id_ns *id);
void __my_nvme_fault_admin_sent(struct my_nvme_ctrl *ctrl, u8 opcode);
bool my_nvme_fault_enable(struct my_nvme_ctrl *ctrl);
bool my_nvme_fault_shutdown(struct my_nvme_ctrl *ctrl);
#define my_nvme_fault_armed(attr)	unlikely(READ_ONCE((attr).probability))
#else
static inline void my_nvme_fault_init(struct my_nvme_ctrl *ctrl) { }
static inline void my_nvme_fault_debugfs(struct my_nvme_ctrl *ctrl) { }
static inline void my_nvme_fault_debugfs_defaults(struct dentry *root) { }
static inline bool my_nvme_fault_enable(struct my_nvme_ctrl *ctrl)
{
	return false;
}

static inline bool my_nvme_fault_shutdown(struct my_nvme_ctrl *ctrl)
{
	return false;
}
#endif

/* A completing request gets the fault_inject/ status. */
static inline void my_nvme_fault_status(struct my_nvme_ctrl *ctrl,
					struct request *rq,
					struct my_nvme_iod *iod)
{
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
	if (my_nvme_fault_armed(ctrl->faults.status_attr))
		__my_nvme_fault_status(ctrl, rq, iod);
#endif
}

/* Mapping a request's data fails (fail_map/). */
static inline blk_status_t my_nvme_fault_map(struct my_nvme_ctrl *ctrl)
{
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
	if (my_nvme_fault_armed(ctrl->faults.map_attr))
		return __my_nvme_fault_map(ctrl);
#endif
	return BLK_STS_OK;
}

/* The controller never posted this completion (fail_cqe/). */
static inline bool my_nvme_fault_drop_cqe(struct my_nvme_queue *q, u8 opcode)
{
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
	if (my_nvme_fault_armed(q->ctrl->faults.cqe_attr))
		return __my_nvme_fault_drop_cqe(q, opcode);
#endif
	return false;
}

/* An admin command goes out: fail_cqe/ and fail_csts/ may start now. */
static inline void my_nvme_fault_admin_sent(struct my_nvme_ctrl *ctrl,
					    u8 opcode)
{
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
	if (my_nvme_fault_armed(ctrl->faults.csts_attr) ||
	    my_nvme_fault_armed(ctrl->faults.cqe_attr))
		__my_nvme_fault_admin_sent(ctrl, opcode);
#endif
}

/* Identify Namespace data, as the controller (or id_ns/) reports it. */
static inline void my_nvme_fault_id_ns(struct my_nvme_ctrl *ctrl, u32 nsid,
				       struct nvme_id_ns *id)
{
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
	if (my_nvme_fault_armed(ctrl->faults.id_ns_attr))
		__my_nvme_fault_id_ns(ctrl, nsid, id);
#endif
}

/* CSTS, as the controller (or fail_csts/) reports it. */
static inline u32 my_nvme_read_csts(struct my_nvme_ctrl *ctrl)
{
	u32 csts = readl(ctrl->bar + NVME_REG_CSTS);

#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
	if (my_nvme_fault_armed(ctrl->faults.csts_attr))
		csts = __my_nvme_fault_csts(ctrl, csts);
#endif
	return csts;
}

#endif /* _MY_NVME_H */
