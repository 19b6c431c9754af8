/* trim_end: marks where the boot-only code ends in keel's link (the Makefile puts it after; see trim.c). */
/* SPDX-License-Identifier: MIT */
void keel_boot_text_end(void);
void keel_boot_text_end(void)
{
}
