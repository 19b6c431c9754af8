# keel — build. `make`, `make static`, `make install DESTDIR= PREFIX=`, `make CC=...`.
# Variants go to their own folder so tests can run several side by side:
#   make                  -> build/        (CC, CFLAGS as given)
#   make VARIANT=asan     -> build/asan/   (ASan + UBSan, for the tests)
#   make VARIANT=musl     -> build/musl/   (musl-gcc, static)
#   make VARIANT=clang    -> build/clang/  (clang, same warnings as errors)
#   make static           == make VARIANT=musl

CC       ?= cc
PREFIX   ?= /usr
SBINDIR  ?= /sbin
BINDIR   ?= $(PREFIX)/bin
DOCDIR   ?= $(PREFIX)/share/doc/keel
DESTDIR  ?=
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

VERSION  := 0.1
# Wall clocks before this are not trusted (`timer at`): the last commit's date.
BUILD_EPOCH ?= $(or $(SOURCE_DATE_EPOCH),$(shell git log -1 --format=%ct 2>/dev/null),1764547200)
VARIANT  ?=
O        := build$(if $(VARIANT),/$(VARIANT))

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat=2 -Wno-format-nonliteral -Wvla -Wpointer-arith
CSTD     := -std=c11 -D_GNU_SOURCE
OPT      ?= -Os
CFLAGS   ?= $(OPT) -g
LDFLAGS  ?=
DEFS     := -DKEEL_SERVICE_DIR='"$(SERVICE_DIR)"' -DKEEL_SHARE_DIR='"$(SHARE_DIR)"' \
            -DKEEL_SOCKET_PATH='"$(SOCKET_PATH)"' -DKEEL_VERSION='"$(VERSION)"' \
            -DKEEL_RUNTIME_DIR='"$(RUNTIME_DIR)"' -DKEEL_RCD_DIR='"$(RCD_DIR)"' \
            -DKEEL_ENV_FILE='"$(ENV_FILE)"' -DKEEL_LOG_SOCKET='"$(LOG_SOCKET)"' \
            -DKEEL_LOG_RING_SIZE=$(LOG_RING_SIZE) -DKEEL_LOG_FILE='"$(LOG_FILE)"' \
            -DKEEL_BUILD_EPOCH=$(BUILD_EPOCH) -DKEEL_WATCHDOG_DEV='"$(WATCHDOG_DEV)"' \
            -DKEEL_WATCHDOG_TIMEOUT=$(WATCHDOG_TIMEOUT) -DKEEL_NOTIFY_SOCKET='"$(NOTIFY_SOCKET)"' \
            -DKEEL_HEALTH_FILE='"$(HEALTH_FILE)"' \
            $(if $(WATCHDOG_TEST),-DKEEL_WATCHDOG_TEST)

ifeq ($(VARIANT),asan)
  CFLAGS  := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all \
             -DKEEL_SPAWN_FORK
  LDFLAGS += -fsanitize=address,undefined
  KEEL_MALLOC := libc
endif
ifeq ($(VARIANT),clang)
  CC      := clang
endif
ifeq ($(VARIANT),musl)
  CC      := musl-gcc
  # musl-gcc sees only musl's headers; the kernel's UAPI headers (linux/,
  # asm/) are libc-independent, so point at the system's through a
  # folder of links rather than at all of /usr/include.
  KHDR    := $(O)/kernel-headers
  # No unwind tables (nothing unwinds: no C++, no backtraces) and one
  # segment for code and read-only data: both are pages of PID 1's memory.
  CFLAGS  := -Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables \
             -fno-unwind-tables -isystem $(KHDR)
  LDFLAGS += -static -s -Wl,--gc-sections -Wl,-z,noseparate-code
endif

ALL_CFLAGS := $(CSTD) $(WARN) $(DEFS) -Isrc/lib -Isrc/keel $(CFLAGS)

LIB_SRCS    := $(wildcard src/lib/*.c)
KEEL_SRCS   := $(wildcard src/keel/*.c)
CTL_SRCS    := $(wildcard src/keelctl/*.c)
LOGREAD_SRCS := $(wildcard src/logread/*.c)
UCI_SRCS    := $(wildcard src/uci/*.c)
PRE_SRCS    := $(wildcard src/preinit/*.c)
UNIT_SRCS   := $(wildcard tests/unit/test_*.c)

LIB_OBJS    := $(LIB_SRCS:%.c=$(O)/%.o)
KEEL_OBJS   := $(KEEL_SRCS:%.c=$(O)/%.o)
CTL_OBJS    := $(CTL_SRCS:%.c=$(O)/%.o)
LOGREAD_OBJS := $(LOGREAD_SRCS:%.c=$(O)/%.o) $(addprefix $(O)/src/lib/,buf.o logrec.o logfmt.o)
UCI_OBJS    := $(UCI_SRCS:%.c=$(O)/%.o)
PRE_OBJS    := $(PRE_SRCS:%.c=$(O)/%.o)
# keel objects without main(), for unit tests that need them
KEEL_LIBOBJS := $(filter-out $(O)/src/keel/main.o $(O)/src/keel/malloc.o,$(KEEL_OBJS))
# PID 1's allocator (src/lib/heap.c) replaces the C library's in the keel
# binary; KEEL_MALLOC=libc keeps the C library's (sanitizer builds do).
KEEL_MALLOC ?= own
KEEL_BINOBJS := $(if $(filter own,$(KEEL_MALLOC)),$(KEEL_OBJS),$(filter-out $(O)/src/keel/malloc.o,$(KEEL_OBJS)))

PROGS := $(O)/keel $(O)/keelctl $(O)/logread $(if $(UCI_SRCS),$(O)/uci) $(if $(PRE_SRCS),$(O)/preinit)

.PHONY: all static asan musl clean install unit-tests fuzz check test

all: $(PROGS)

ifneq ($(KHDR),)
$(KHDR):
	@mkdir -p $@
	ln -sfn /usr/include/linux $@/linux
	ln -sfn /usr/include/asm-generic $@/asm-generic
	ln -sfn /usr/include/$$($(HOSTCC) -dumpmachine)/asm $@/asm
endif
HOSTCC ?= gcc

static:
	$(MAKE) VARIANT=musl
asan:
	$(MAKE) VARIANT=asan

$(O)/%.o: %.c | $(KHDR)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(O)/keel: $(KEEL_BINOBJS) $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^

$(O)/keelctl: $(CTL_OBJS) $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^

$(O)/logread: $(LOGREAD_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^

$(O)/uci: $(UCI_OBJS) $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^

$(O)/preinit: $(PRE_OBJS) $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^

# Unit tests: one cmocka program per tests/unit/test_*.c, linked with the
# library objects and keel's objects minus main().
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(O)/tests/%)
unit-tests: $(UNIT_BINS)
# preinit's modules that touch the system through a path given to them (LEDs
# under a sysfs root) are unit-tested against a fake tree: link those too.
PRE_TESTOBJS := $(filter $(O)/src/preinit/led.o,$(PRE_OBJS))
$(O)/tests/%: tests/unit/%.c $(LIB_OBJS) $(KEEL_LIBOBJS) $(filter-out $(O)/src/uci/main.o,$(UCI_OBJS)) $(PRE_TESTOBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc/uci -Isrc/preinit -Wno-missing-prototypes $(LDFLAGS) -o $@ $^ -lcmocka

# Fuzz targets (clang + libFuzzer): build/fuzz/fuzz_NAME
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_CFLAGS := $(CSTD) $(WARN) -Wno-missing-prototypes $(DEFS) -Isrc/lib -Isrc/keel -Isrc/uci -g -O1 \
               -fsanitize=fuzzer,address,undefined
fuzz: $(FUZZ_SRCS:tests/fuzz/%.c=build/fuzz/%)
build/fuzz/%: tests/fuzz/%.c $(LIB_SRCS) $(filter-out src/uci/main.c,$(UCI_SRCS))
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $^

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(SHARE_DIR) $(DESTDIR)$(SERVICE_DIR)
	install -m 0755 $(O)/keel $(DESTDIR)$(SBINDIR)/keel
	install -m 0755 $(O)/keelctl $(DESTDIR)$(SBINDIR)/keelctl
	install -m 0755 $(O)/logread $(DESTDIR)$(SBINDIR)/logread
	$(if $(UCI_SRCS),install -m 0755 $(O)/uci $(DESTDIR)$(SBINDIR)/uci)
	$(if $(PRE_SRCS),install -m 0755 $(O)/preinit $(DESTDIR)$(SBINDIR)/preinit)
	install -d $(DESTDIR)$(DOCDIR)
	install -m 0644 README.md docs/*.md $(DESTDIR)$(DOCDIR)/

test: all
	tests/run

clean:
	rm -rf build

-include $(wildcard $(O)/src/*/*.d $(O)/tests/*.d)
