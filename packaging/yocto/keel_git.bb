# SPDX-License-Identifier: MIT
SUMMARY = "keel: boot and init system (PID 1) for embedded Linux"
DESCRIPTION = "keel starts services from service files in dependency order and in \
parallel, supervises and respawns them, follows the kernel's events for start \
conditions, keeps the whole log in a RAM ring (logread), feeds the hardware \
watchdog, and is controlled with keelctl. preinit prepares an overlay root; uci \
and the OpenWrt shell layer run OpenWrt init scripts."
HOMEPAGE = "${KEEL_GIT_URI}"
SECTION = "base"
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://LICENSE;md5=558c0149f83690cb7f8a02505e03b769"

# Set KEEL_GIT_URI (local.conf or a bbappend) to where keel's repository is.
KEEL_GIT_URI ??= "git:///srv/git/keel.git;protocol=file"
KEEL_GIT_BRANCH ??= "main"
SRC_URI = "${KEEL_GIT_URI};branch=${KEEL_GIT_BRANCH}"
SRCREV ?= "${AUTOREV}"
PV = "0.1+git${SRCPV}"
S = "${WORKDIR}/git"
B = "${WORKDIR}/build"

# To boot with keel: VIRTUAL-RUNTIME_init_manager = "keel" (and
# VIRTUAL-RUNTIME_initscripts = "") in the distro or local.conf. /sbin/init
# is then keel through update-alternatives.
inherit update-alternatives

PACKAGECONFIG ??= "preinit"
PACKAGECONFIG[uci] = "WITH_UCI=1,WITH_UCI=0"
PACKAGECONFIG[preinit] = "WITH_PREINIT=1,WITH_PREINIT=0"
PACKAGECONFIG[openwrt] = "WITH_OPENWRT=1 WITH_UCI=1,WITH_OPENWRT=0"

# keel's Makefile appends CPPFLAGS, CFLAGS and LDFLAGS to its own flags and
# builds out of tree in ${B}; update-alternatives makes /sbin/init.
EXTRA_OEMAKE = " \
    -C ${S} \
    CC='${CC}' AR='${AR}' STRIP='${STRIP}' \
    CPPFLAGS='${CPPFLAGS}' CFLAGS='${CFLAGS}' LDFLAGS='${LDFLAGS}' \
    BUILDDIR='${B}' VERSION='${PV}' \
    PREFIX='${prefix}' SBINDIR='${base_sbindir}' BINDIR='${bindir}' \
    LIBEXECDIR='${libexecdir}' MANDIR='${mandir}' DOCDIR='${docdir}/keel' \
    WITH_INIT_LINK=0 \
    ${PACKAGECONFIG_CONFARGS} \
"

do_configure[noexec] = "1"

do_compile() {
    oe_runmake all
}

do_install() {
    oe_runmake DESTDIR='${D}' install
}

FILES:${PN} += " \
    ${datadir}/init \
    ${sysconfdir}/init.d \
    ${sysconfdir}/rc.d \
    ${sysconfdir}/config \
    ${sysconfdir}/rc.common \
    ${base_libdir}/functions.sh \
    ${base_libdir}/config \
"

ALTERNATIVE:${PN} = "init logread"
ALTERNATIVE_LINK_NAME[init] = "${base_sbindir}/init"
ALTERNATIVE_TARGET[init] = "${base_sbindir}/keel"
ALTERNATIVE_PRIORITY[init] = "300"
ALTERNATIVE_LINK_NAME[logread] = "${base_sbindir}/logread"
ALTERNATIVE_PRIORITY[logread] = "100"
