/* mtdabi: the kernel's MTD and UBI ioctl ABI (mtd/mtd-abi.h, mtd/ubi-user.h), declared here because musl builds see only linux/ and asm/ headers. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_PREINIT_MTDABI_H
#define KEEL_PREINIT_MTDABI_H

#include <linux/types.h>
#include <sys/ioctl.h>

struct mtd_info_user {
	__u8 type;
	__u32 flags;
	__u32 size;
	__u32 erasesize;
	__u32 writesize;
	__u32 oobsize;
	__u64 padding;
};

struct erase_info_user {
	__u32 start;
	__u32 length;
};

#define MEMGETINFO _IOR('M', 1, struct mtd_info_user)
#define MEMERASE _IOW('M', 2, struct erase_info_user)
#define MEMGETBADBLOCK _IOW('M', 11, long long)
#define MTD_NANDFLASH 4
#define MTD_MLCNANDFLASH 8

#define UBI_DEV_NUM_AUTO (-1)
#define UBI_VOL_NUM_AUTO (-1)
#define UBI_DYNAMIC_VOLUME 3
#define UBI_MAX_VOLUME_NAME 127

struct ubi_attach_req {
	__s32 ubi_num;
	__s32 mtd_num;
	__s32 vid_hdr_offset;
	__s16 max_beb_per1024;
	__s8 disable_fm;
	__s8 need_resv_pool;
	__s8 padding[8];
};

struct ubi_mkvol_req {
	__s32 vol_id;
	__s32 alignment;
	__s64 bytes;
	__s8 vol_type;
	__u8 flags;
	__s16 name_len;
	__s8 padding2[4];
	char name[UBI_MAX_VOLUME_NAME + 1];
} __attribute__((packed));

#define UBI_IOCATT _IOW('o', 64, struct ubi_attach_req)
#define UBI_IOCMKVOL _IOW('o', 0, struct ubi_mkvol_req)

#endif
