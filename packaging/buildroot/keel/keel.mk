################################################################################
# SPDX-License-Identifier: MIT
#
# keel
#
################################################################################

KEEL_VERSION = 0.1
KEEL_SITE = $(call qstrip,$(BR2_PACKAGE_KEEL_SITE))
KEEL_LICENSE = MIT
KEEL_LICENSE_FILES = LICENSE
ifneq ($(filter /%,$(KEEL_SITE)),)
KEEL_SITE_METHOD = local
else
KEEL_SOURCE = keel-$(KEEL_VERSION).tar.gz
endif
KEEL_INSTALL_STAGING = NO

# keel's Makefile takes the toolchain and the flags the Buildroot way: CC,
# AR, STRIP given, CPPFLAGS/CFLAGS/LDFLAGS appended to keel's own; the
# objects go to $(@D)/out.
KEEL_MAKE_OPTS = \
	CC="$(TARGET_CC)" \
	AR="$(TARGET_AR)" \
	STRIP="$(TARGET_STRIP)" \
	CPPFLAGS="$(TARGET_CPPFLAGS)" \
	CFLAGS="$(TARGET_CFLAGS)" \
	LDFLAGS="$(TARGET_LDFLAGS)$(if $(BR2_PACKAGE_KEEL_STATIC), -static)" \
	VERSION=$(KEEL_VERSION) \
	BUILDDIR=$(@D)/out \
	PREFIX=/usr \
	SBINDIR=/sbin \
	WITH_UCI=$(if $(BR2_PACKAGE_KEEL_UCI),1,0) \
	WITH_PREINIT=$(if $(BR2_PACKAGE_KEEL_PREINIT),1,0) \
	WITH_OPENWRT=$(if $(BR2_PACKAGE_KEEL_OPENWRT),1,0) \
	WITH_INIT_LINK=$(if $(BR2_INIT_KEEL),1,0)

define KEEL_BUILD_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(KEEL_MAKE_OPTS) all
endef

# Buildroot strips the target tree itself (BR2_STRIP_strip): plain install.
define KEEL_INSTALL_TARGET_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(KEEL_MAKE_OPTS) \
		DESTDIR=$(TARGET_DIR) install
endef

ifeq ($(BR2_INIT_KEEL),y)
# keel is /sbin/init: no inittab, and the getty as a keel service.
define KEEL_INSTALL_INIT_GETTY
	$(INSTALL) -d $(TARGET_DIR)/usr/share/init $(TARGET_DIR)/etc/init.d
	printf '%s\n' 'description "getty on %0"' 'type respawn' 'tty "/dev/%0"' \
		'exec /sbin/getty -L %0 $(SYSTEM_GETTY_BAUDRATE) $(SYSTEM_GETTY_TERM)' \
		>$(TARGET_DIR)/usr/share/init/getty
	ln -sfn /usr/share/init/getty \
		$(TARGET_DIR)/etc/init.d/getty@$(SYSTEM_GETTY_PORT)
endef
ifneq ($(SYSTEM_GETTY_PORT),)
KEEL_POST_INSTALL_TARGET_HOOKS += KEEL_INSTALL_INIT_GETTY
endif
endif

$(eval $(generic-package))
