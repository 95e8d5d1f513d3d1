# rfsec: build the module and the tools, and run the test bed.
#
#   make                 kernel/rfsec.ko (running kernel's headers, else the
#                        newest installed Debian headers) and user/ programs
#   make KDIR=DIR        build the module against the header tree DIR
#   make KVER=VERSION    build the module for one kernel version
#   make deps            install every package the build and tests need (root)
#   make check           the whole selftest suite on Debian's 6.1 and 6.12
#   make soak            the long variants (16 MiB transfers) on both
#   make check-debug     the same suite on debug kernels (KASAN, lockdep,
#                        kmemleak, ...) built from Debian's 6.12 and 6.1
#                        sources, cached in ~/.cache/rfsec/debug-kernels
#   make demo            the demonstration in a guest on the default kernel
#   make bench [LINE=6.12] [BENCH_ARGS="-s 16M -r 5 -w 1000,4096"]
#                        RFCOMM against rfsec throughput in a guest
#   make shell [LINE=6.12]  a root shell in a guest with two controllers
#   make lint            checkpatch and sparse on both kernels
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
KDIR ?= $(patsubst %/Makefile,%,$(firstword \
	$(wildcard /lib/modules/$(shell uname -r)/build/Makefile) \
	$(lastword $(shell ls -d /usr/src/linux-headers-*-amd64/Makefile \
		$(BUILD)/kernels/*/root/usr/src/linux-headers-*/Makefile \
		2>/dev/null | sort -V))))

.PHONY: all module kmod user selftests deps kernels check soak check-debug demo \
	bench shell lint clean

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

clean:
	$(MAKE) -C $(TOP)/user clean
	-$(MAKE) -C $(TOP)/selftests clean
	rm -rf $(BUILD)/kmod $(BUILD)/results
	rm -f $(TOP)/kernel/*.o $(TOP)/kernel/.*.cmd $(TOP)/kernel/*.ko \
		$(TOP)/kernel/*.mod $(TOP)/kernel/*.mod.c $(TOP)/.*.cmd \
		$(TOP)/kernel/modules.order $(TOP)/modules.order \
		$(TOP)/Module.symvers
