# rfsec: build the module and the tools, and run the test bed.
#
#   make                 kernel/rfsec.ko (running kernel's headers, else the
#                        newest installed Debian headers) and user/ programs
#   make KDIR=DIR        build the module against the header tree DIR
#   make KVER=VERSION    build the module for one kernel version
#   make deps            install every package the build and tests need (root)
#   make check           the whole selftest suite on Debian's 6.1 and 6.12
#   make soak            the long variants (16 MiB transfers) and the
#                        30 x 1,000-cycle soak on both
#   make fuzz            the netlink fuzzer and the socket-call torture,
#                        long runs, on both
#   make check-debug     the same suite on debug kernels (KASAN, lockdep,
#                        kmemleak, ...) built from Debian's 6.12 and 6.1
#                        sources, cached in ~/.cache/rfsec/debug-kernels
#   make demo            the demonstration in a guest on the default kernel
#   make bench [LINE=6.12] [BENCH_ARGS="-s 16M -r 5 -w 1000,4096"]
#                        RFCOMM against rfsec throughput in a guest
#   make shell [LINE=6.12]  a root shell in a guest with two controllers
#   make lint            checkpatch and sparse on both kernels
#   make install         (root) rfsec.ko for KVER (default: the kernel of
#                        KDIR) under /lib/modules/KVER/updates, then depmod;
#                        the tool, man page, completion and unit under PREFIX
#   make install-dkms    (root) the module's source to DKMS instead, which
#                        builds it for every kernel, now and after updates
#   make uninstall       undoes either (same PREFIX, KVER)
#   make deb             Debian packages rfsec and rfsec-dkms in build/deb
#   make clean

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILD := $(TOP)/build
KERNELS := $(TOP)/selftests/vm/kernels.sh
LINE ?= 6.1

# Where the headers for KVER live: the host's own, or the extracted cache.
kdir_of = $(firstword $(wildcard /lib/modules/$(1)/build/Makefile \
	/usr/src/linux-headers-$(1)/Makefile \
	$(BUILD)/kernels/$(1)/root/usr/src/linux-headers-$(1)/Makefile \
	$(shell $(KERNELS) kdir $(1) 2>/dev/null)/Makefile))

ifneq ($(KVER),)
KDIR ?= $(patsubst %/Makefile,%,$(call kdir_of,$(KVER)))
endif
# (A configured tree has auto.conf; Debian's -common half has none.)
KDIR ?= $(patsubst %/include/config/auto.conf,%,$(firstword \
	$(wildcard /lib/modules/$(shell uname -r)/build/include/config/auto.conf) \
	$(lastword $(shell ls -d /usr/src/linux-headers-*/include/config/auto.conf \
		$(BUILD)/kernels/*/root/usr/src/linux-headers-*/include/config/auto.conf \
		2>/dev/null | sort -V))))

.PHONY: all module kmod user selftests deps kernels check soak fuzz check-debug demo \
	bench shell lint clean install install-module install-user install-dkms \
	install-dkms-src uninstall deb

all: module user

module:
	@test -n "$(KDIR)" || { echo "no kernel headers found: run 'make deps' or give KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(TOP) W=1 modules

# The module for one exact kernel, built in its own folder so that builds
# for several kernels (and Kbuild's clean) never touch each other.
kmod:
	@test -n "$(KVER)" -a -n "$(KDIR)" || { echo "kmod: give KVER= of a fetched kernel" >&2; exit 1; }
	@mkdir -p $(BUILD)/kmod/$(KVER)
	@cp -a $(TOP)/Kbuild $(TOP)/kernel $(BUILD)/kmod/$(KVER)/
	$(MAKE) -s -C $(KDIR) M=$(BUILD)/kmod/$(KVER) W=1 modules

user:
	$(MAKE) -C $(TOP)/user

selftests:
	$(MAKE) -C $(TOP)/selftests

deps:
	$(TOP)/selftests/vm/deps.sh

kernels:
	for l in $$($(KERNELS) lines); do $(KERNELS) fetch $$l || exit 1; done

check: deps
	$(TOP)/selftests/check.sh

# The long variants (selftests/soak.list), run before an issue closes.
soak: deps
	RFSEC_SUITE=soak RFSEC_GUEST_TIMEOUT=3600 $(TOP)/selftests/check.sh

# The netlink fuzzer and the socket-call torture (selftests/fuzz.list).
fuzz: deps
	RFSEC_SUITE=fuzz RFSEC_GUEST_TIMEOUT=3600 $(TOP)/selftests/check.sh

# One debug kernel at a time; the first run builds each (about 15-30 min).
check-debug:
	$(TOP)/selftests/vm/deps.sh debug
	$(TOP)/selftests/vm/check-debug.sh

demo: deps user selftests
	@v=$$($(KERNELS) fetch $(LINE)) && \
	$(MAKE) -s kmod KVER=$$v && \
	$(TOP)/selftests/vm/run-guest.sh $$v demo && \
	cat $(BUILD)/results/$$v/demo.log

# BENCH_ARGS reach the guest through build/bench.args (see selftests/bench.sh).
bench: deps user selftests
	@v=$$($(KERNELS) fetch $(LINE)) && \
	$(MAKE) -s kmod KVER=$$v && \
	echo '$(BENCH_ARGS)' > $(BUILD)/bench.args && \
	$(TOP)/selftests/vm/run-guest.sh -t 3600 $$v bench && \
	cat $(BUILD)/results/$$v/bench.txt

shell: user selftests
	@v=$$($(KERNELS) fetch $(LINE)) && \
	$(MAKE) -s kmod KVER=$$v && \
	$(TOP)/selftests/vm/run-guest.sh $$v shell

lint: deps
	$(TOP)/selftests/lint.sh
	for l in $$($(KERNELS) lines); do \
		v=$$($(KERNELS) fetch $$l) && $(MAKE) -s kmod KVER=$$v C=2 || exit 1; \
	done

# Installation. DESTDIR and PREFIX are honoured. systemd and bash-completion
# search PREFIX=/usr/local's own folders; for PREFIX=/usr their pkg-config
# files say where (Debian 12: /lib/systemd/system).
PREFIX ?= /usr/local
ifeq ($(PREFIX),/usr)
pc_var = $(shell pkg-config --variable=$(1) $(2) 2>/dev/null)
SYSTEMDUNITDIR ?= $(or $(call pc_var,systemdsystemunitdir,systemd),/lib/systemd/system)
BASHCOMPDIR ?= $(or $(call pc_var,completionsdir,bash-completion),/usr/share/bash-completion/completions)
else
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
endif
USER_DIRS = PREFIX=$(PREFIX) SYSTEMDUNITDIR=$(SYSTEMDUNITDIR) \
	BASHCOMPDIR=$(BASHCOMPDIR)
VERSION := $(shell sed -n 's/^\#define RFSEC_VERSION "\(.*\)"/\1/p' \
	$(TOP)/kernel/version.h)
# The kernel the module is installed for: the one KDIR's headers belong to.
INSTALL_KVER = $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null)
DKMS_SRC = $(DESTDIR)/usr/src/rfsec-$(VERSION)

install: install-module install-user

# Kbuild's modules_install runs depmod itself (against DESTDIR if given).
# Not signed with the kernel's key, which only its builder has (Debian
# kernels ask for it); on Secure Boot machines use make install-dkms, which
# signs with DKMS's own key (README).
install-module: module
	$(MAKE) -C $(KDIR) M=$(TOP) INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=updates CONFIG_MODULE_SIG_ALL= modules_install

# The same PREFIX for build and install: it is built into the tool.
install-user:
	$(MAKE) -C $(TOP)/user $(USER_DIRS)
	$(MAKE) -C $(TOP)/user $(USER_DIRS) install

# What DKMS builds from: Kbuild, kernel/ and dkms.conf, nothing else.
install-dkms-src:
	install -d $(DKMS_SRC)/kernel/uapi
	install -m 644 $(TOP)/Kbuild $(TOP)/dkms.conf $(DKMS_SRC)/
	install -m 644 $(TOP)/kernel/Kbuild $(wildcard $(TOP)/kernel/*.[ch]) \
		$(DKMS_SRC)/kernel/
	install -m 644 $(wildcard $(TOP)/kernel/uapi/*.h) $(DKMS_SRC)/kernel/uapi/

# DKMS builds for every kernel that has headers now, and AUTOINSTALL
# builds for each kernel installed later.
install-dkms: install-dkms-src install-user
	dkms add rfsec/$(VERSION)
	for k in $$(ls /lib/modules); do \
		[ -e /lib/modules/$$k/build ] || continue; \
		dkms install rfsec/$(VERSION) -k $$k || exit 1; \
	done

uninstall:
	-dkms remove rfsec/$(VERSION) --all 2>/dev/null
	rm -rf $(DKMS_SRC)
	rm -f $(DESTDIR)/lib/modules/$(INSTALL_KVER)/updates/kernel/rfsec.ko*
	$(if $(DESTDIR),,depmod -a $(INSTALL_KVER))
	$(MAKE) -C $(TOP)/user $(USER_DIRS) uninstall

# From a copy of the files git tracks (as they are in the working tree), so
# that the packages hold nothing else; lintian judges the result.
deb:
	$(TOP)/selftests/vm/deps.sh deb
	rm -rf $(BUILD)/deb && mkdir -p $(BUILD)/deb/rfsec-$(VERSION)
	cd $(TOP) && git ls-files -z | xargs -0 cp -a --parents -t $(BUILD)/deb/rfsec-$(VERSION)
	cd $(BUILD)/deb/rfsec-$(VERSION) && dpkg-buildpackage -us -uc
	lintian --fail-on error,warning --info $(BUILD)/deb/rfsec_$(VERSION)_*.changes
	@ls $(BUILD)/deb/*.deb

clean:
	$(MAKE) -C $(TOP)/user clean
	-$(MAKE) -C $(TOP)/selftests clean
	rm -rf $(BUILD)/kmod $(BUILD)/results
	rm -f $(TOP)/kernel/*.o $(TOP)/kernel/.*.cmd $(TOP)/kernel/*.ko \
		$(TOP)/kernel/*.mod $(TOP)/kernel/*.mod.c $(TOP)/.*.cmd \
		$(TOP)/kernel/modules.order $(TOP)/modules.order \
		$(TOP)/Module.symvers
