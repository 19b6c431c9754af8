/* trim_begin: marks where the boot-only code starts in keel's link (the Makefile puts it first; see trim.c). */
/* SPDX-License-Identifier: MIT */
void keel_boot_text_begin(void);
void keel_boot_text_begin(void)
{
}
