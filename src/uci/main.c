/* uci main: the `uci` command's entry point; everything else lives in uci_cli.c so tests can link it. */
/* SPDX-License-Identifier: MIT */
#include "uci_internal.h"

int main(int argc, char **argv)
{
	return uci_cli_main(argc, argv);
}
