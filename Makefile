# keel — build. `make`, `make static`, `make install DESTDIR= PREFIX=`, `make CC=...`.
# SPDX-License-Identifier: MIT
# Variants go to their own folder so tests can run several side by side:
#   make                  -> build/        (CC, CFLAGS as given)
#   make VARIANT=asan     -> build/asan/   (ASan + UBSan, for the tests)
#   make VARIANT=musl     -> build/musl/   (musl-gcc, static)
#   make VARIANT=clang    -> build/clang/  (clang)
#   make static           == make VARIANT=musl (also for `make static install`)
#   make BUILDDIR=DIR     -> DIR           (out of tree, any variant)
# Packaging (Buildroot, Yocto, OpenWrt drive make this way):
#   CROSS_COMPILE=arm-linux-gnueabihf-   or CC=..., AR=..., STRIP=...
#   CPPFLAGS, CFLAGS, LDFLAGS, LDLIBS    added after the project's own flags
#   WERROR=1                             warnings are errors (tests/run)
#   make install DESTDIR= PREFIX= SBINDIR= BINDIR= MANDIR= [WITH_UCI=0]
#        [WITH_PREINIT=0] [WITH_OPENWRT=0] [WITH_INIT_LINK=1];  make install-strip
#   make man (regenerate man/ from docs/), make dist (keel-VERSION.tar.gz)

# Toolchain: CROSS_COMPILE prefixes the default tools; CC, AR, STRIP win.
CROSS_COMPILE ?=
ifeq ($(origin CC),default)
  CC     := $(CROSS_COMPILE)gcc
endif
ifeq ($(origin AR),default)
  AR     := $(CROSS_COMPILE)ar
endif
STRIP    ?= $(CROSS_COMPILE)strip
HOSTCC   ?= gcc

# Where things are installed (DESTDIR is prepended to each).
PREFIX   ?= /usr
SBINDIR  ?= /sbin
BINDIR   ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec
MANDIR   ?= $(PREFIX)/share/man
DOCDIR   ?= $(PREFIX)/share/doc/keel
LIBDIR   ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DESTDIR  ?=
# Where logread goes: SBINDIR, as on OpenWrt (LOGREAD_DIR=$(BINDIR) for /usr/bin).
LOGREAD_DIR ?= $(SBINDIR)
# What is built and installed: uci (leave it out where OpenWrt's own is
# used), preinit (with its preinit-format helper and services), the OpenWrt
# shell layer (openwrt/install.sh), and /sbin/init as a link to keel.
WITH_UCI       ?= 1
WITH_PREINIT   ?= 1
WITH_OPENWRT   ?= 1
WITH_INIT_LINK ?= 0
# Build-time paths (the model's configure flags): where service links live,
# where the files they point to are installed, where the control socket is.
SERVICE_DIR ?= /etc/init.d
SHARE_DIR   ?= /usr/share/init
SOCKET_PATH ?= /run/keel.sock
RUNTIME_DIR ?= /run/keel/services
RCD_DIR     ?= /etc/rc.d
ENV_FILE    ?= /etc/initd.env
# The log (docs/logging.md): readers' socket, RAM ring size, a file on flash
# (empty: none unless keel.log.file= says so).
LOG_SOCKET  ?= /run/keel-log.sock
LOG_RING_SIZE ?= 65536
LOG_FILE    ?=
# Liveness (docs/liveness.md): hardware watchdog (empty: none unless
# keel.watchdog= says so), its timeout, the sd_notify socket.
WATCHDOG_DEV ?=
WATCHDOG_TIMEOUT ?= 30
NOTIFY_SOCKET ?= /run/keel/notify
HEALTH_FILE ?= /etc/keel/health
# busybox's inittab, read by keel as PID 1 when it exists (docs/inittab.md).
INITTAB     ?= /etc/inittab
# Debug switch: services named in this file are not started (docs/keel.md).
SKIP_FILE   ?= /etc/keel/skip

# The version: `git describe` of this tree (not of a tree around an unpacked
# tarball), else the VERSION file `make dist` puts in the tarball, else 0.1.
# VERSION=... on the command line wins.
ifneq ($(origin VERSION),command line)
  GIT_TOP := $(shell git -C '$(CURDIR)' rev-parse --show-toplevel 2>/dev/null)
  VERSION := $(or $(if $(filter $(CURDIR),$(GIT_TOP)),$(shell git -C '$(CURDIR)' describe --tags --always --dirty 2>/dev/null)),$(shell cat '$(CURDIR)/VERSION' 2>/dev/null),0.1)
endif
# Wall clocks before this are not trusted (`timer at`): the last commit's date.
BUILD_EPOCH ?= $(or $(SOURCE_DATE_EPOCH),$(shell git log -1 --format=%ct 2>/dev/null),1764547200)

# `make static ...` builds and installs the musl variant in one invocation.
ifneq ($(filter static,$(MAKECMDGOALS)),)
  override VARIANT := musl
endif
VARIANT  ?=
# Cross musl builds by Debian architecture name: `make cross ARCH=aarch64`
# (or every one of them: `make cross`) == make VARIANT=musl CROSS_COMPILE=...,
# into build/musl-ARCH. Big-endian mips has no musl-dev in Debian 12.
CROSS_ARCHS := aarch64=aarch64-linux-gnu armhf=arm-linux-gnueabihf \
               mipsel=mipsel-linux-gnu mips64el=mips64el-linux-gnuabi64
cross_arch = $(or $(patsubst %=$(1),%,$(filter %=$(1),$(CROSS_ARCHS))),$(1))
O        := $(or $(BUILDDIR),build$(if $(VARIANT),/$(VARIANT)$(if $(and $(filter musl,$(VARIANT)),$(CROSS_COMPILE)),-$(call cross_arch,$(patsubst %-,%,$(notdir $(CROSS_COMPILE)))))))

# The project's flags. The user's CPPFLAGS, CFLAGS, LDFLAGS and LDLIBS come
# after them on every command line (so `CFLAGS=-O2` changes the optimisation
# and keeps the rest); a variant replaces only its own part.
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat=2 -Wno-format-nonliteral -Wvla -Wpointer-arith \
            $(if $(filter 1 yes y,$(WERROR)),-Werror)
CSTD     := -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64
OPT      ?= -Os
DEBUG    ?= -g
DEFS     := -DKEEL_SERVICE_DIR='"$(SERVICE_DIR)"' -DKEEL_SHARE_DIR='"$(SHARE_DIR)"' \
            -DKEEL_SOCKET_PATH='"$(SOCKET_PATH)"' -DKEEL_VERSION='"$(VERSION)"' \
            -DKEEL_RUNTIME_DIR='"$(RUNTIME_DIR)"' -DKEEL_RCD_DIR='"$(RCD_DIR)"' \
            -DKEEL_ENV_FILE='"$(ENV_FILE)"' -DKEEL_LOG_SOCKET='"$(LOG_SOCKET)"' \
            -DKEEL_LOG_RING_SIZE=$(LOG_RING_SIZE) -DKEEL_LOG_FILE='"$(LOG_FILE)"' \
            -DKEEL_BUILD_EPOCH=$(BUILD_EPOCH) -DKEEL_WATCHDOG_DEV='"$(WATCHDOG_DEV)"' \
            -DKEEL_WATCHDOG_TIMEOUT=$(WATCHDOG_TIMEOUT) -DKEEL_NOTIFY_SOCKET='"$(NOTIFY_SOCKET)"' \
            -DKEEL_HEALTH_FILE='"$(HEALTH_FILE)"' -DKEEL_INITTAB='"$(INITTAB)"' \
            -DKEEL_SKIP_FILE='"$(SKIP_FILE)"' \
            $(if $(WATCHDOG_TEST),-DKEEL_WATCHDOG_TEST)
KEEL_CPPFLAGS := $(CSTD) $(DEFS) -Isrc/lib -Isrc/keel
KEEL_OPT      := $(OPT) $(DEBUG)
KEEL_LDFLAGS  :=

ifeq ($(VARIANT),asan)
  KEEL_OPT      := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
  KEEL_CPPFLAGS += -DKEEL_SPAWN_FORK
  KEEL_LDFLAGS  += -fsanitize=address,undefined
  KEEL_MALLOC := libc
endif
ifeq ($(VARIANT),clang)
  CC      := clang
endif
ifeq ($(VARIANT),musl)
  # Native: Debian's musl-gcc. Cross (CROSS_COMPILE=aarch64-linux-gnu-): the
  # cross gcc with the musl specs of Debian's musl-dev:<arch>, which put that
  # architecture's musl headers and libc.a in place of glibc's; a toolchain
  # that is musl already (CROSS_COMPILE=...-linux-musl-) is used as it is.
  CROSS_TRIPLET := $(patsubst %-,%,$(notdir $(CROSS_COMPILE)))
  ifeq ($(CROSS_TRIPLET),)
    CC    := musl-gcc
    KHDR_ROOT := /usr/include
    KHDR_ASM  := /usr/include/$(shell $(HOSTCC) -dumpmachine)/asm
  else ifeq ($(findstring musl,$(CROSS_TRIPLET)),)
    MUSL_TRIPLET := $(subst gnu,musl,$(subst gnuabi64,musl,$(CROSS_TRIPLET)))
    MUSL_SPECS ?= /usr/lib/$(MUSL_TRIPLET)/musl-gcc.specs
    CC    := $(CROSS_COMPILE)gcc -specs $(MUSL_SPECS)
    # The target's kernel headers (linux-libc-dev-<arch>-cross), never the
    # host's: asm/ differs between architectures. Multiarch linux-libc-dev:<arch>
    # (asm/ in /usr/include/<triplet>) does as well.
    KHDR_ROOT ?= $(or $(wildcard /usr/$(CROSS_TRIPLET)/include),/usr/include)
    KHDR_ASM  ?= $(or $(wildcard /usr/$(CROSS_TRIPLET)/include/asm),/usr/include/$(CROSS_TRIPLET)/asm)
  endif
  # musl-gcc sees only musl's headers; the kernel's UAPI headers (linux/,
  # asm/) are libc-independent, so point at the system's through a
  # folder of links rather than at all of /usr/include.
  ifneq ($(KHDR_ASM),)
    KHDR  := $(O)/kernel-headers
    KEEL_CPPFLAGS += -isystem $(KHDR)
  endif
  # No unwind tables (nothing unwinds: no C++, no backtraces) and one
  # segment for code and read-only data: both are pages of PID 1's memory.
  # No RELRO: musl protects it only in its dynamic linker, and in a static
  # program it only pads the file up to a page boundary for the data: 11 KiB
  # of keel with aarch64's 64 KiB max-page-size (README.md "Architectures and
  # sizes"; tests/cross/run.sh checks the layout).
  KEEL_OPT := -Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables \
              -fno-unwind-tables
  KEEL_LDFLAGS += -static -s -Wl,--gc-sections -Wl,-z,noseparate-code -Wl,-z,norelro
endif

KEEL_CFLAGS := $(WARN) $(KEEL_OPT)
# compile: project flags, then the user's
ALL_CFLAGS  = $(KEEL_CPPFLAGS) $(CPPFLAGS) $(KEEL_CFLAGS) $(CFLAGS)
# link: the user's CFLAGS too (-m..., -flto, --sysroot reach the driver)
ALL_LDFLAGS = $(KEEL_OPT) $(CFLAGS) $(KEEL_LDFLAGS) $(LDFLAGS)

LIB_SRCS    := $(wildcard src/lib/*.c)
KEEL_SRCS   := $(wildcard src/keel/*.c)
CTL_SRCS    := $(wildcard src/keelctl/*.c)
LOGREAD_SRCS := $(wildcard src/logread/*.c)
UCI_SRCS    := $(wildcard src/uci/*.c)
PRE_SRCS    := $(wildcard src/preinit/*.c)
UPG_SRCS    := $(wildcard src/upgrade/*.c)
JF_SRCS     := $(wildcard src/jsonfilter/*.c)
UBUSD_SRCS  := $(wildcard src/ubusd/*.c)
UNIT_SRCS   := $(wildcard tests/unit/test_*.c)

LIB_OBJS    := $(LIB_SRCS:%.c=$(O)/%.o)
KEEL_OBJS   := $(KEEL_SRCS:%.c=$(O)/%.o)
CTL_OBJS    := $(CTL_SRCS:%.c=$(O)/%.o)
LOGREAD_OBJS := $(LOGREAD_SRCS:%.c=$(O)/%.o) $(addprefix $(O)/src/lib/,buf.o logrec.o logfmt.o)
UCI_OBJS    := $(UCI_SRCS:%.c=$(O)/%.o)
PRE_OBJS    := $(PRE_SRCS:%.c=$(O)/%.o)
JF_OBJS     := $(JF_SRCS:%.c=$(O)/%.o)
UBUSD_OBJS  := $(UBUSD_SRCS:%.c=$(O)/%.o)
# keel objects without main(), for unit tests that need them
KEEL_LIBOBJS := $(filter-out $(O)/src/keel/main.o $(O)/src/keel/malloc.o,$(KEEL_OBJS))
# PID 1's allocator (src/lib/heap.c) replaces the C library's in the keel
# binary; KEEL_MALLOC=libc keeps the C library's (sanitizer builds do).
KEEL_MALLOC ?= own
KEEL_BINOBJS := $(if $(filter own,$(KEEL_MALLOC)),$(KEEL_OBJS),$(filter-out $(O)/src/keel/malloc.o,$(KEEL_OBJS)))

on = $(filter 1 yes y,$($(1)))
# The UCI library (libuci's API): libuci.a, and libuci.so except in static
# builds; the uci command links the same objects.
UCI_LIB_SRCS := $(filter-out src/uci/main.c src/uci/uci_cli.c,$(UCI_SRCS))
UCI_LIB_OBJS := $(UCI_LIB_SRCS:%.c=$(O)/%.o)
UCI_LIBS := $(O)/libuci.a $(if $(filter musl,$(VARIANT)),,$(O)/libuci.so) $(O)/uci.pc
PROGS := $(O)/keel $(O)/keelctl $(O)/logread \
         $(if $(call on,WITH_UCI),$(if $(UCI_SRCS),$(O)/uci $(UCI_LIBS))) \
         $(if $(call on,WITH_PREINIT),$(if $(PRE_SRCS),$(O)/preinit)) \
         $(if $(call on,WITH_PREINIT),$(if $(UPG_SRCS),$(O)/sysupgrade)) \
         $(if $(UPG_SRCS),$(O)/keel-mkimage) \
         $(if $(call on,WITH_OPENWRT),$(if $(JF_SRCS),$(O)/jsonfilter)) \
         $(if $(call on,WITH_OPENWRT),$(if $(UBUSD_SRCS),$(O)/keel-ubusd))

.PHONY: all static cross cross-tests asan musl clean install install-strip install-libuci unit-tests fuzz check test \
        man dist version

all: $(PROGS)

ifneq ($(KHDR),)
$(KHDR):
	$(if $(MUSL_SPECS),@test -f '$(MUSL_SPECS)' || { echo 'no musl for $(CROSS_TRIPLET) ($(MUSL_SPECS)): install musl-dev:<arch> (scripts/deps.sh) or give a musl toolchain (CROSS_COMPILE=...-linux-musl-)' >&2; exit 1; })
	@test -d '$(KHDR_ASM)' || { echo 'no kernel headers for $(or $(CROSS_TRIPLET),the host) ($(KHDR_ASM)): install linux-libc-dev-<arch>-cross (scripts/deps.sh)' >&2; exit 1; }
	@mkdir -p $@
	ln -sfn $(KHDR_ROOT)/linux $@/linux
	ln -sfn $(KHDR_ROOT)/asm-generic $@/asm-generic
	ln -sfn $(KHDR_ASM) $@/asm
endif

# VARIANT is musl for the whole invocation (above): `make static install` works.
static: all
# ARCH only from the command line: an ARCH in the environment is a kernel build's.
CROSS_BUILD_ARCHS := $(if $(filter command line,$(origin ARCH)),$(ARCH),$(foreach a,$(CROSS_ARCHS),$(firstword $(subst =, ,$(a)))))
cross:
	@for a in $(CROSS_BUILD_ARCHS); do \
		t=$$(echo ' $(CROSS_ARCHS) ' | sed -n "s/.* $$a=\([^ ]*\) .*/\1/p"); \
		[ -n "$$t" ] || { echo "make cross: unknown ARCH $$a (one of: $(CROSS_ARCHS))" >&2; exit 2; }; \
		$(MAKE) VARIANT=musl CROSS_COMPILE=$$t- all cross-tests || exit 1; \
	done
# The unit tests that matter per ABI, for qemu-user (tests/cross/run.sh):
# no libcmocka for the target, so tests/cross/cmocka.h stands in.
CROSS_TESTS := test_futex
cross-tests: $(CROSS_TESTS:%=$(O)/cross-tests/%)
$(O)/cross-tests/test_futex: tests/unit/test_futex.c $(O)/src/keel/futex.o
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/cross -Wno-missing-prototypes $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)
asan:
	$(MAKE) VARIANT=asan

$(O)/%.o: %.c | $(KHDR)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

# Code that only loading runs (parsers, graph, mounts, keel check), or
# that runs once just before PID 1 goes away (the upgrade's image check), is
# linked together between two markers, so that PID 1 can let go of its
# pages once booted (src/keel/trim.c). Order only: nothing else changes.
KEEL_BOOT_OBJS := $(addprefix $(O)/src/,lib/svcparse.o lib/svcparse_cond.o lib/svcparse_live.o lib/svcparse_log.o \
                  lib/svcpack.o lib/lex.o lib/cmdline.o lib/envfile.o lib/graph.o lib/condcycle.o \
                  lib/healthconf.o lib/inittab.o lib/svcparse_binds.o lib/checktrap.o \
                  lib/suggest.o keel/check.o keel/mount.o keel/svcdir.o keel/services.o \
                  keel/svcdiff.o keel/rootpath.o keel/inittab.o keel/binds.o \
                  lib/fwimage.o lib/sha256.o lib/upgradeconf.o keel/initenv.o)
KEEL_MARKS := $(O)/src/keel/trim_begin.o $(O)/src/keel/trim_end.o
KEEL_LINK  := $(O)/src/keel/trim_begin.o $(filter $(KEEL_BOOT_OBJS),$(KEEL_BINOBJS) $(LIB_OBJS)) \
              $(O)/src/keel/trim_end.o \
              $(filter-out $(KEEL_BOOT_OBJS) $(KEEL_MARKS),$(KEEL_BINOBJS) $(LIB_OBJS))

# main() holds the loop: out of the startup group the compiler puts it in,
# which lies among the cold code at the start of the text.
# (gcc's flag; clang has no such group and no such flag)
NO_REORDER := $(shell $(CC) -fno-reorder-functions -x c -c /dev/null -o /dev/null 2>/dev/null && \
                echo -fno-reorder-functions)
$(O)/src/keel/main.o: KEEL_CFLAGS += $(NO_REORDER)

# Their read-only data (messages, keyword tables) goes with them, and so
# does main.c's main_boot() (everything before the loop) with its strings:
# the linker puts all of it in one section before the code, where trim.c
# finds it between two symbols. (File names are patterns, starting with
# '*': a plain name would make ld load that file first, out of link order.)
# So do the members of a static C library that only loading, upgrading,
# the end, or a forked child (user lookup: spawn_ids.c) runs; in a static
# program all of that is before the markers, and trim.c lets go of it at
# once. Not the privilege drop: a clone(CLONE_VM) child runs it in PID 1's
# memory, where one fault among cold pages maps up to 16 of them back
# (tests/integ/test_trim.sh checks that respawns and status map none).
KEEL_BOOT_LIBC := getopt getopt_long qsort qsort_nr memmem strstr getline getdelim \
                  __libc_start_main __init_tls exit __stdio_exit lite_malloc mount chroot reboot \
                  getpw_a getpwent getpwent_a getgr_a getgrent getgrent_a getgrouplist nscd_query
KEEL_BOOT_LD := $(O)/keel-boot.ld
$(KEEL_BOOT_LD): Makefile
	@mkdir -p $(dir $@)
	@{ echo 'SECTIONS {'; echo '  .keel_boot : ALIGN(16) {'; \
	   echo '    PROVIDE_HIDDEN(keel_boot_sect_begin = .);'; \
	   for o in $(KEEL_BOOT_OBJS); do echo "    *$$o(.rodata .rodata.*)"; done; \
	   echo '    *(.text.main_boot .text.main_boot.* .rodata.main_boot.*)'; \
	   for m in $(KEEL_BOOT_LIBC); do echo "    *libc.a:$$m.lo(.text .text.* .rodata .rodata.*)"; done; \
	   echo '    PROVIDE_HIDDEN(keel_boot_sect_end = .);'; echo '  }'; echo '}'; \
	   echo 'INSERT BEFORE .text;'; } >$@.tmp && mv $@.tmp $@

$(O)/keel: $(KEEL_BINOBJS) $(LIB_OBJS) $(KEEL_BOOT_LD)
	$(CC) $(ALL_LDFLAGS) -Wl,-T,$(KEEL_BOOT_LD) -o $@ $(KEEL_LINK) $(LDLIBS)

$(O)/keelctl: $(CTL_OBJS) $(LIB_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/logread: $(LOGREAD_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/uci: $(O)/src/uci/main.o $(O)/src/uci/uci_cli.o $(O)/libuci.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/libuci.a: $(UCI_LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(O)/pic/%.o: %.c | $(KHDR)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -MMD -MP -c $< -o $@

$(O)/libuci.so: $(UCI_LIB_SRCS:%.c=$(O)/pic/%.o)
	$(CC) $(ALL_LDFLAGS) -shared -Wl,-soname,libuci.so -o $@ $^ $(LDLIBS)

$(O)/uci.pc: Makefile
	@mkdir -p $(dir $@)
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$(INCLUDEDIR)' '' \
		'Name: uci' "Description: keel's libuci-compatible UCI library" 'Version: $(VERSION)' \
		'Libs: -L$${libdir} -luci' 'Cflags: -I$${includedir}' >$@

$(O)/preinit: $(PRE_OBJS) $(LIB_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

# sysupgrade (on the device) and keel-mkimage (on the build host): docs/upgrade.md
$(O)/sysupgrade: $(O)/src/upgrade/sysupgrade.o $(LIB_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/keel-mkimage: $(O)/src/upgrade/mkimage.o $(LIB_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

# jsonfilter, and jshn (the same program under that name) for jshn.sh
$(O)/jsonfilter: $(JF_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)
	ln -sfn jsonfilter $(O)/jshn

# keel-ubusd: the ubus socket for libubus clients (docs/ubus.md)
$(UBUSD_OBJS): KEEL_CPPFLAGS += -Isrc/jsonfilter
$(O)/keel-ubusd: $(UBUSD_OBJS) $(O)/src/jsonfilter/json.o $(O)/src/lib/buf.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

# Unit tests: one cmocka program per tests/unit/test_*.c, linked with the
# library objects and keel's objects minus main().
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(O)/tests/%)
unit-tests: $(UNIT_BINS)
# preinit's modules that touch the system through a path given to them (LEDs
# under a sysfs root) are unit-tested against a fake tree: link those too.
PRE_TESTOBJS := $(filter $(O)/src/preinit/led.o,$(PRE_OBJS))
$(O)/tests/%: tests/unit/%.c $(LIB_OBJS) $(KEEL_LIBOBJS) $(filter-out $(O)/src/uci/main.o,$(UCI_OBJS)) $(PRE_TESTOBJS) \
              $(filter-out $(O)/src/jsonfilter/main.o,$(JF_OBJS)) $(filter-out $(O)/src/ubusd/main.o,$(UBUSD_OBJS))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc/uci -Isrc/preinit -Isrc/jsonfilter -Isrc/ubusd -Wno-missing-prototypes $(ALL_LDFLAGS) -o $@ $^ -lcmocka $(LDLIBS)

# Fuzz targets (clang + libFuzzer): build/fuzz/fuzz_NAME
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_CFLAGS := $(CSTD) $(WARN) -Wno-missing-prototypes $(DEFS) -Isrc/lib -Isrc/keel -Isrc/uci -Isrc/jsonfilter -g -O1 \
               -fsanitize=fuzzer,address,undefined
fuzz: $(FUZZ_SRCS:tests/fuzz/%.c=build/fuzz/%)
build/fuzz/%: tests/fuzz/%.c $(LIB_SRCS) $(filter-out src/uci/main.c,$(UCI_SRCS)) $(filter-out src/jsonfilter/main.c,$(JF_SRCS))
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $^
# keelctl's readers of keel's answers, with the request side stubbed
build/fuzz/fuzz_ctlreply: tests/fuzz/fuzz_ctlreply.c $(LIB_SRCS) src/keelctl/ctl_analyze.c src/keelctl/ctl_render.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $^

# ubus messages, blob and blobmsg (keel-ubusd's parser)
build/fuzz/fuzz_ubusmsg: tests/fuzz/fuzz_ubusmsg.c src/ubusd/blob.c src/ubusd/ubusmsg.c src/lib/buf.c src/jsonfilter/json.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -Isrc/ubusd -o $@ $^
# keel-ubusd's reader of UCI's network file
build/fuzz/fuzz_ifconf: tests/fuzz/fuzz_ifconf.c src/ubusd/ifconf.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -Isrc/ubusd -o $@ $^

# Install what this VARIANT (or BUILDDIR) built. install-strip strips the
# installed programs with $(STRIP) (the cross toolchain's, not install -s).
MAN_PAGES := man/keel.8 man/keel-check.8 man/keelctl.8 man/keel-service.5 man/logread.8 \
             $(if $(call on,WITH_PREINIT),man/preinit.8 man/preinit.conf.5 man/sysupgrade.8) \
             $(if $(call on,WITH_UCI),man/uci.1 man/libuci.3) \
             $(if $(call on,WITH_OPENWRT),man/jsonfilter.1 man/ubus.1 man/keel-ubusd.8)
INSTALLED_PROGS = $(DESTDIR)$(SBINDIR)/keel $(DESTDIR)$(SBINDIR)/keelctl \
                  $(DESTDIR)$(LOGREAD_DIR)/logread \
                  $(if $(filter $(O)/uci,$(PROGS)),$(DESTDIR)$(SBINDIR)/uci) \
                  $(if $(filter $(O)/preinit,$(PROGS)),$(DESTDIR)$(SBINDIR)/preinit) \
                  $(if $(filter $(O)/sysupgrade,$(PROGS)),$(DESTDIR)$(SBINDIR)/sysupgrade) \
                  $(if $(filter $(O)/keel-ubusd,$(PROGS)),$(DESTDIR)$(SBINDIR)/keel-ubusd)
# the preinit-format services: the files in SHARE_DIR, enabled by links
PREINIT_SERVICES := preinit-format preinit-sync

# libuci for C programs: header, libraries, pkg-config file (uci.pc)
install-libuci: $(UCI_LIBS)
	install -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 0644 src/uci/uci.h $(DESTDIR)$(INCLUDEDIR)/uci.h
	install -m 0644 $(O)/libuci.a $(DESTDIR)$(LIBDIR)/libuci.a
	$(if $(filter %.so,$(UCI_LIBS)),install -m 0755 $(O)/libuci.so $(DESTDIR)$(LIBDIR)/libuci.so)
	install -m 0644 $(O)/uci.pc $(DESTDIR)$(LIBDIR)/pkgconfig/uci.pc

install-strip: INSTALL_STRIP := 1
install-strip: install

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LOGREAD_DIR)
	install -m 0755 $(O)/keel $(DESTDIR)$(SBINDIR)/keel
	install -m 0755 $(O)/keelctl $(DESTDIR)$(SBINDIR)/keelctl
	install -m 0755 $(O)/logread $(DESTDIR)$(LOGREAD_DIR)/logread
	$(if $(filter $(O)/uci,$(PROGS)),install -m 0755 $(O)/uci $(DESTDIR)$(SBINDIR)/uci)
	$(if $(filter $(O)/uci,$(PROGS)),$(MAKE) --no-print-directory install-libuci)
	$(if $(filter $(O)/preinit,$(PROGS)),install -m 0755 $(O)/preinit $(DESTDIR)$(SBINDIR)/preinit)
	$(if $(filter $(O)/sysupgrade,$(PROGS)),install -m 0755 $(O)/sysupgrade $(DESTDIR)$(SBINDIR)/sysupgrade)
	$(if $(filter $(O)/keel-ubusd,$(PROGS)),install -m 0755 $(O)/keel-ubusd $(DESTDIR)$(SBINDIR)/keel-ubusd)
	$(if $(filter $(O)/jsonfilter,$(PROGS)),install -d $(DESTDIR)$(BINDIR) && install -m 0755 $(O)/jsonfilter $(DESTDIR)$(BINDIR)/jsonfilter && ln -sfn jsonfilter $(DESTDIR)$(BINDIR)/jshn)
	$(if $(INSTALL_STRIP),$(STRIP) $(INSTALLED_PROGS))
	$(if $(call on,WITH_INIT_LINK),ln -sfn keel $(DESTDIR)$(SBINDIR)/init)
	install -d $(DESTDIR)$(SHARE_DIR) $(DESTDIR)$(SERVICE_DIR)
ifneq ($(call on,WITH_PREINIT),)
	install -d $(DESTDIR)$(LIBEXECDIR)
	install -m 0755 examples/preinit/preinit-format $(DESTDIR)$(LIBEXECDIR)/preinit-format
	for s in $(PREINIT_SERVICES); do \
		sed 's|/usr/libexec/preinit-format|$(LIBEXECDIR)/preinit-format|' \
			examples/preinit/services/$$s >$(DESTDIR)$(SHARE_DIR)/$$s && \
		chmod 0644 $(DESTDIR)$(SHARE_DIR)/$$s && \
		ln -sfn $(SHARE_DIR)/$$s $(DESTDIR)$(SERVICE_DIR)/$$s || exit 1; \
	done
endif
ifneq ($(call on,WITH_OPENWRT),)
	SHARE_DIR='$(SHARE_DIR)' SERVICE_DIR='$(SERVICE_DIR)' SBINDIR='$(SBINDIR)' sh openwrt/install.sh $(DESTDIR)/
endif
	install -d $(addprefix $(DESTDIR)$(MANDIR)/man,$(sort $(subst .,,$(suffix $(MAN_PAGES)))))
	for m in $(MAN_PAGES); do \
		install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}/ || exit 1; \
	done
	install -d $(DESTDIR)$(DOCDIR)
	install -m 0644 README.md docs/*.md $(DESTDIR)$(DOCDIR)/
	install -D -m 0644 completion/keelctl.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/keelctl

# The man pages are generated from docs/*.md (man/pages.txt says how) and
# committed; tests/man/test_man.sh checks they are up to date.
man:
	python3 scripts/md2man.py man/pages.txt man

version:
	@echo $(VERSION)

# keel-VERSION.tar.gz of the last commit (git archive) with a VERSION file,
# in DISTDIR (default: the build folder).
DIST_VERSION = $(patsubst %-dirty,%,$(VERSION))
DISTDIR ?= $(O)
dist:
	@git -C '$(CURDIR)' rev-parse --git-dir >/dev/null 2>&1 || { echo "make dist needs a git checkout" >&2; exit 1; }
	@mkdir -p $(O)/dist.tmp $(DISTDIR)
	printf '%s\n' '$(DIST_VERSION)' >$(O)/dist.tmp/VERSION
	git archive --format=tar --prefix=keel-$(DIST_VERSION)/ --add-file=$(O)/dist.tmp/VERSION HEAD | \
		gzip -n9 >$(DISTDIR)/keel-$(DIST_VERSION).tar.gz
	@rm -rf $(O)/dist.tmp
	@echo $(DISTDIR)/keel-$(DIST_VERSION).tar.gz

test: all
	tests/run

clean:
	rm -rf build

-include $(wildcard $(O)/src/*/*.d $(O)/tests/*.d $(O)/pic/src/*/*.d)
