# SPDX-License-Identifier: MIT
#
# kmscap top-level Makefile.  "make help" lists the targets.
# Quiet by default; V=1 shows every command.  Output goes to build/.

# The kernel kmscap is built and tested for: the newest Debian 6.1 amd64
# headers installed (never the running kernel: the host runs another one).
KVER ?= $(shell ls -d /usr/src/linux-headers-6.1.*-amd64 2>/dev/null | \
	sed 's|.*/linux-headers-||' | sort -V | tail -n 1)
KDIR ?= /lib/modules/$(KVER)/build

B := $(CURDIR)/build
R := $(B)/results

# One value per run of make, for its sub-makes too: tests/vm/accel.sh
# probes KVM once per kernel and run (tests/vm/README.md).
ifndef KMSCAP_MAKE_RUN
KMSCAP_MAKE_RUN := $(shell date +%s%N)-$(shell echo $$PPID)
endif
export KMSCAP_MAKE_RUN

# The debug kernel of make check-debug (tests/vm/debug-kernel.sh) and
# kmscap.ko built for it, out of the tree's own kmod/.
DEBUG_KERNEL := $(B)/debug-kernel
DEBUG_KMOD := $(B)/debug-kmod
DEBUG_R := $(B)/results-debug

# make vm-check VM_TESTS="version hotplug": run only these selftests.
VM_TESTS ?=
# Extra options for tests/vm/run-vm.sh, e.g. VM_FLAGS="--append drm.debug=0x1e".
VM_FLAGS ?=
BENCH_ARGS ?=
DEMO_ARGS ?=
# These are ours: keep them from the sub-makes (which may use the same names).
kmscap_own_vars := VM_TESTS VM_FLAGS BENCH_ARGS DEMO_ARGS
MAKEOVERRIDES := $(filter-out $(addsuffix =%,$(kmscap_own_vars)),$(MAKEOVERRIDES))
unexport $(kmscap_own_vars)

ifeq ($(V),1)
Q :=
VM_VERBOSE := --verbose
else
Q := @
VM_VERBOSE :=
endif
MAKEFLAGS += --no-print-directory

have = $(wildcard $(CURDIR)/$(1))
vm_run = $(CURDIR)/tests/vm/run-vm.sh --kver "$(KVER)" $(VM_VERBOSE) $(VM_FLAGS)
# The kmscapctl, kmscap_top, perf_oneliners and bpftrace_oneliners
# selftests run the real tools (perf and bpftrace: Debian's linux-perf and
# bpftrace), bench_syscalls kmscap-bench under strace, modetest_gamma
# libdrm's modetest, example_capture examples/capture: put them into the
# VM at the same path when they are built or installed (tested in the
# recipe: check-run builds them first).
MODETEST ?= /usr/bin/modetest
vm_selftest_extra = $$(test -x $(B)/user/kmscapctl && echo --extra $(B)/user/kmscapctl) \
	$$(test -x $(B)/user/kmscap-top && echo --extra $(B)/user/kmscap-top) \
	$$(test -x $(B)/selftests/bench/kmscap-bench && test -x /usr/bin/strace && \
	   echo --extra $(B)/selftests/bench/kmscap-bench --extra /usr/bin/strace) \
	$$(test -x /usr/bin/perf && echo --extra /usr/bin/perf) \
	$$(test -x /usr/bin/bpftrace && echo --extra /usr/bin/bpftrace) \
	$$(test -x $(MODETEST) && echo --extra $(MODETEST)) \
	$$(test -x $(B)/selftests/examples/capture && echo --extra $(B)/selftests/examples/capture)

.PHONY: all kmod kmod-if-present user selftests unit unit-build vadriver vadriver-build \
	tests check check-run vm-check vm-harness-check bench bench-instr demo deps clean help \
	debug-kernel kmod-debug check-debug check-debug-run dmabuf-peer

all: kmod-if-present user tests

help:
	@echo "make [V=1] [KVER=$(KVER)] TARGET"
	@echo "  all        kmod + user + tests (the default)"
	@echo "  kmod       kmod/kmscap.ko for $(KVER)"
	@echo "  user       libkmscap (user/lib), kmscapctl, kmscap-top and kmscap-stream in build/user"
	@echo "  selftests  VM selftests, bench and demo programs in build/selftests"
	@echo "  unit       build and run the unit tests (build/results/unit.tap)"
	@echo "  vm-check   boot the test VM, run the selftests (build/results/vm.tap);"
	@echo "             VM_TESTS=\"a b\" runs only those"
	@echo "  vm-harness-check  test the VM harness itself (build/results/harness.tap)"
	@echo "  check      deps, build everything, run every suite, one summary line"
	@echo "  check-debug  the VM suites again on a debug kernel (KASAN, lockdep,"
	@echo "             kmemleak, UBSAN; built from linux-source-6.1 into"
	@echo "             build/debug-kernel once, about 16 minutes on 2 cores)"
	@echo "  debug-kernel, kmod-debug  build only that kernel, or kmscap.ko for it"
	@echo "  bench      capture bench (+ kmscap-top's overhead when it is built), the"
	@echo "             16-display capture bench, then the streaming pipeline bench, in"
	@echo "             the VM (out/bench/, out/bench-scale/, out/bench-pipeline/),"
	@echo "             then bench-instr"
	@echo "  bench-instr  kmscap-stream's instructions per frame outside VA-API (callgrind"
	@echo "             in the VM) against the copy baseline's (out/bench-instr/)"
	@echo "  demo       a test renderer streamed through kmscap-stream in the VM:"
	@echo "             out/demo.h264 and the contact sheet out/demo.png"
	@echo "  demo-capture  the capture-only demo (out/demo/)"
	@echo "  install    module, udev rules, sysusers.d group, library and tools"
	@echo "             (DESTDIR=, PREFIX=/usr/local, KVER=); uninstall undoes it"
	@echo "  install-dkms  module sources to /usr/src/kmscap-$(KMSCAP_VERSION) for DKMS"
	@echo "  deps       install the Debian packages needed (tests/deps.sh)"
	@echo "  clean      remove build/ and the module build products"

deps:
	$(Q)$(CURDIR)/tests/deps.sh

# ---- building ----------------------------------------------------------------

kmod:
	@if [ ! -f kmod/Kbuild ]; then \
		echo "make kmod: kmod/Kbuild does not exist yet (the module sources are not in this tree)" >&2; \
		exit 1; fi
	@if [ -z "$(KVER)" ] || [ ! -d "$(KDIR)" ]; then \
		echo "make kmod: kernel build directory '$(KDIR)' missing: install" \
		     "linux-headers-amd64 (make deps) or pass KVER=" >&2; \
		exit 1; fi
	$(Q)$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod modules
	$(Q)$(CURDIR)/scripts/module-btf.sh --kdir $(KDIR) --ko kmod/kmscap.ko \
		--vmlinuz /boot/vmlinuz-$(KVER) --cache $(B)/vmlinux/$(KVER)/vmlinux

# kmscap_peer.ko, a test-only dma-buf peer the VM selftests load
# (tests/dmabuf-peer/; tests/selftests/export_dynamic.c).
dmabuf-peer:
	$(Q)$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/dmabuf-peer modules

# "all" builds the module only once its sources exist.
kmod-if-present:
ifneq ($(call have,kmod/Kbuild),)
	$(Q)$(MAKE) kmod
else
	@echo "  SKIP    kmod (kmod/Kbuild not present)"
endif

user:
ifneq ($(call have,user/Makefile),)
	$(Q)$(MAKE) -C user O=$(B)/user
ifneq ($(call have,user/stream/Makefile),)
	$(Q)$(MAKE) -C user/stream O=$(B)/user/stream
endif
else
	@echo "  SKIP    user (user/Makefile not present)"
endif

selftests: user
	$(Q)$(MAKE) -C tests/selftests O=$(B)/selftests

unit-build: user
ifneq ($(call have,tests/unit/Makefile),)
	$(Q)$(MAKE) -C tests/unit O=$(B)/unit
else
	@echo "  SKIP    unit tests (tests/unit/Makefile not present)"
endif

vadriver-build: user
ifneq ($(call have,tests/vadriver/Makefile),)
	$(Q)$(MAKE) -C tests/vadriver O=$(B)/vadriver
else
	@echo "  SKIP    vadriver (tests/vadriver/Makefile not present)"
endif

tests: selftests unit-build vadriver-build

debug-kernel:
	$(Q)$(CURDIR)/tests/vm/debug-kernel.sh --out $(DEBUG_KERNEL)

# kbuild writes next to the sources: build a copy of kmod/ (and the uapi
# header it includes) so that kmod/kmscap.ko stays Debian's.
kmod-debug: debug-kernel
	$(Q)rm -rf $(DEBUG_KMOD)
	$(Q)mkdir -p $(DEBUG_KMOD)/kmod $(DEBUG_KMOD)/include/uapi
	$(Q)cp kmod/Kbuild kmod/*.c kmod/*.h $(DEBUG_KMOD)/kmod/
	$(Q)cp include/uapi/*.h $(DEBUG_KMOD)/include/uapi/
	$(Q)$(MAKE) -C $(DEBUG_KERNEL)/obj M=$(DEBUG_KMOD)/kmod modules
	$(Q)$(CURDIR)/scripts/module-btf.sh --kdir $(DEBUG_KERNEL)/obj \
		--ko $(DEBUG_KMOD)/kmod/kmscap.ko --vmlinux $(DEBUG_KERNEL)/obj/vmlinux
	$(Q)mkdir -p $(DEBUG_KMOD)/dmabuf-peer
	$(Q)cp tests/dmabuf-peer/Kbuild tests/dmabuf-peer/*.[ch] $(DEBUG_KMOD)/dmabuf-peer/
	$(Q)$(MAKE) -C $(DEBUG_KERNEL)/obj M=$(DEBUG_KMOD)/dmabuf-peer modules

# ---- running -------------------------------------------------------------------

unit: user
ifneq ($(call have,tests/unit/Makefile),)
	@mkdir -p $(R)
	$(Q)$(MAKE) -C tests/unit O=$(B)/unit RESULTS=$(R) check
else
	@echo "  SKIP    unit tests (tests/unit/Makefile not present)"
endif

vadriver: user
ifneq ($(call have,tests/vadriver/Makefile),)
	@mkdir -p $(R)
	$(Q)$(MAKE) -C tests/vadriver O=$(B)/vadriver RESULTS=$(R) check
else
	@echo "  SKIP    vadriver (tests/vadriver/Makefile not present)"
endif

vm-check: kmod-if-present dmabuf-peer selftests
	$(Q)$(vm_run) $(vm_selftest_extra) $(if $(VM_TESTS),--only "$(VM_TESTS)")

# The harness's own test (no kmscap.ko needed): build/results/harness.tap.
vm-harness-check:
	$(Q)$(CURDIR)/tests/vm/harness-test.sh --tap $(R)/harness.tap

# make bench: the capture bench (kmscap-bench, BENCH_ARGS=, out/bench; with
# kmscap-top attached too when it is built: its overhead), then the
# 16-display capture bench in a second VM boot (kmscap-bench-scale,
# BENCH_SCALE_ARGS="SECONDS DISPLAYS", out/bench-scale), then
# the pipeline bench in a second VM boot: kmscap-stream (--threads 1 and 2)
# against the copy baseline of tests/bench/pipeline at 1080p and 2160p with
# the test VA driver (BENCH_PIPE_FRAMES="N1080 N2160"), then both thread
# models under a renderer flipping at 60 Hz (BENCH_PIPE_FLIPS flips); results
# in out/bench-pipeline (Documentation/stream-threads.md).
BENCH_PIPE_FRAMES ?= 10 4
BENCH_PIPE_FLIPS ?= 180
BENCH_SCALE_ARGS ?= 5 16
bench_pipe := $(B)/selftests/bench/kmscap-bench-pipeline
bench_copy := $(B)/bench-pipeline/kmscap-bench-copy
stream_bin := $(B)/user/stream/kmscap-stream
va_driver := $(B)/vadriver/kmscap_test_drv_video.so
bench_pipe_args = $(stream_bin) $(bench_copy) $(B)/vadriver $(BENCH_PIPE_FRAMES) \
	flips=$(BENCH_PIPE_FLIPS)

bench: kmod selftests vadriver-build
	@if [ ! -x $(B)/selftests/bench/kmscap-bench ]; then \
		echo "make bench: build/selftests/bench/kmscap-bench was not built" \
		     "(tests/bench/kmscap-bench.c missing?)" >&2; exit 1; fi
	$(Q)top=$(B)/user/kmscap-top; if [ -x $$top ]; then set -- --extra $$top; else top=; set --; fi; \
		$(vm_run) --run $(B)/selftests/bench/kmscap-bench \
		--args "$(BENCH_ARGS)$${top:+ top=$$top}" "$$@" --out $(CURDIR)/out/bench
	@if [ ! -x $(B)/selftests/bench/kmscap-bench-scale ]; then \
		echo "make bench: build/selftests/bench/kmscap-bench-scale was not built" >&2; \
		exit 1; fi
	$(Q)$(vm_run) --run $(B)/selftests/bench/kmscap-bench-scale \
		--args "$(BENCH_SCALE_ARGS)" --out $(CURDIR)/out/bench-scale
	$(Q)$(MAKE) -C tests/bench/pipeline O=$(B)/bench-pipeline
	@for f in $(bench_pipe) $(stream_bin) $(va_driver); do if [ ! -e $$f ]; then \
		echo "make bench: $${f#$(CURDIR)/} was not built" >&2; exit 1; fi; done
	$(Q)$(vm_run) --run $(bench_pipe) --timeout 1700 \
		--args "$(bench_pipe_args)" \
		--extra $(stream_bin) --extra $(bench_copy) --extra $(va_driver) \
		--out $(CURDIR)/out/bench-pipeline
	@for f in $(CURDIR)/out/bench-pipeline/*.h264; do \
		echo "  DECODE  $${f#$(CURDIR)/}: $$(ffprobe -v error -f h264 -show_entries \
			frame=width,height -of csv=p=0 $$f | sort | uniq -c | \
			awk '{ gsub(",", "x", $$2); printf "%s%d frames at %s", s, $$1, $$2; s = ", " }')"; \
	done
	$(Q)$(MAKE) bench-instr

# make bench-instr (part of make bench): kmscap-stream's and the copy
# baseline's user-space instructions per frame outside VA-API, counted by
# callgrind in the VM (tests/bench/kmscap-bench-instr.c; BENCH_INSTR_FRAMES
# at 1080p and 2160p, the first two and the last not measured), and as a
# fraction of a core at 60 Hz with this machine's instructions a second
# (tests/bench/host-ips.sh).  Results in out/bench-instr.
# (Debian's /usr/bin/valgrind is a shell wrapper around valgrind.bin.)
BENCH_INSTR_FRAMES ?= 5 4
vg_dir := /usr/libexec/valgrind
vg_files := /usr/bin/valgrind.bin $(vg_dir)/callgrind-amd64-linux \
	$(vg_dir)/vgpreload_core-amd64-linux.so $(vg_dir)/default.supp
bench_instr_args = /usr/bin/valgrind.bin $(stream_bin) $(bench_copy) $(B)/vadriver \
	$(BENCH_INSTR_FRAMES)

bench-instr: kmod selftests vadriver-build
	$(Q)$(MAKE) -C tests/bench/pipeline O=$(B)/bench-pipeline
	@for f in $(B)/selftests/bench/kmscap-bench-instr $(stream_bin) $(bench_copy) \
		$(va_driver); do if [ ! -e $$f ]; then \
		echo "make bench-instr: $${f#$(CURDIR)/} was not built" >&2; exit 1; fi; done
	@for f in $(vg_files); do if [ ! -e $$f ]; then \
		echo "make bench-instr: $$f does not exist: install valgrind (tests/deps.sh)" >&2; \
		exit 1; fi; done
	$(Q)ips=$$($(CURDIR)/tests/bench/host-ips.sh) && \
	$(vm_run) --run $(B)/selftests/bench/kmscap-bench-instr --timeout 3400 --vm-timeout 3600 \
		--args "$(bench_instr_args) ips=$$ips" \
		--extra $(stream_bin) --extra $(bench_copy) --extra $(va_driver) \
		$(addprefix --extra ,$(vg_files)) --out $(CURDIR)/out/bench-instr

# make demo (issue 4): tests/demo/kmscap-stream-demo renders onto a
# 1920x1080@60 display (mode change to 1280x720 halfway) while kmscap-stream
# encodes it with the test VA driver on vgem, for DEMO_SECONDS of VM time at
# DEMO_FPS rendered frames a second; the stream comes back as out/demo.h264
# and is decoded on the host into the contact sheet out/demo.png.
# make demo-capture: the capture-only demo (kmscap-demo, DEMO_ARGS=, out/demo).
DEMO_SECONDS ?= 10
DEMO_FPS ?= 30
# composite: the cursor blended into the picture; separate: side records
DEMO_CURSOR ?= composite
demo_stream := $(B)/selftests/demo/kmscap-stream-demo

.PHONY: demo-capture
demo: kmod selftests vadriver-build
	@for f in $(demo_stream) $(stream_bin) $(va_driver); do if [ ! -e $$f ]; then \
		echo "make demo: $${f#$(CURDIR)/} was not built" >&2; exit 1; fi; done
	@rm -f $(CURDIR)/out/demo.h264 $(CURDIR)/out/demo.png
	$(Q)$(vm_run) --run $(demo_stream) --timeout 900 \
		--args "$(stream_bin) $(B)/vadriver $(DEMO_SECONDS) $(DEMO_FPS) $(DEMO_CURSOR)" \
		--extra $(stream_bin) --extra $(va_driver) --out $(CURDIR)/out/demo-stream
	$(Q)cp $(CURDIR)/out/demo-stream/demo.h264 $(CURDIR)/out/demo.h264
	$(Q)$(CURDIR)/tests/demo/contact-sheet.sh $(CURDIR)/out/demo.h264 $(CURDIR)/out/demo.png 12 \
		"$$(sed -n 's/.*"type":"summary".*"encoded":\([0-9]*\).*/\1/p' \
		$(CURDIR)/out/demo-stream/stream.log)"
	@echo "  DEMO    out/demo.h264, out/demo.png; kmscap-stream's statistics:"
	@sed 's/^/    /' $(CURDIR)/out/demo-stream/stream.log

demo-capture: kmod selftests
	@if [ ! -x $(B)/selftests/demo/kmscap-demo ]; then \
		echo "make demo-capture: build/selftests/demo/kmscap-demo was not built" \
		     "(tests/demo/kmscap-demo.c missing?)" >&2; exit 1; fi
	$(Q)$(vm_run) --run $(B)/selftests/demo/kmscap-demo --args "$(DEMO_ARGS)" \
		--out $(CURDIR)/out/demo

# check: install what is missing, then build and run everything in a fresh
# make (so that KVER sees freshly installed headers).  Every build step and
# every suite is recorded in build/results/*.tap; a failing step does not
# stop the later ones; tests/summary.sh prints the one-line verdict.
check:
	$(Q)$(CURDIR)/tests/deps.sh
	$(Q)$(MAKE) check-run VM_TESTS="$(VM_TESTS)" VM_FLAGS='$(VM_FLAGS)'

# $(call kmscap_step_in,RESULTS,NAME,COMMAND): run COMMAND, record NAME in
# RESULTS/build.tap; kmscap_step records into build/results.
kmscap_step_in = if $(3); then echo "ok - $(2)" >>$(1)/build.tap; \
	else echo "not ok - $(2)" >>$(1)/build.tap; echo "  FAIL    $(2)"; fi
kmscap_step = $(call kmscap_step_in,$(R),$(1),$(2))
# $(call kmscap_absent,NAME,FILE): FILE is missing, NAME is skipped.
kmscap_absent = echo "ok - $(1) \# SKIP $(2) not present" >>$(R)/build.tap; \
	echo "  SKIP    $(1) ($(2) not present)"

# Suites with "make -C tests/<suite> RESULTS=build/results check" that
# write build/results/<suite>*.tap: every tests/*/Makefile but the
# selftests and the compositors (only in the VM); vadriver is built before
# them (tests/stream uses its driver) and its tests run after the VM.  unit and vadriver
# get O=build/<suite>; the others use their own default output directory
# (an O= on the command line would reach their own sub-makes too).
host_suites = $(filter-out selftests vadriver compositors,$(patsubst tests/%/Makefile,%,$(wildcard tests/*/Makefile)))
# Suites whose Makefile also has a "vm-check" target (their own programs in
# the VM, with tests/vm/run-vm.sh --run): run after the VM selftests; each
# must write at least one build/results/*.tap.
vm_suites = $(patsubst tests/%/Makefile,%,$(shell grep -l '^vm-check:' tests/*/Makefile 2>/dev/null))

# $(call kmscap_vm_suites,RESULTS,RUN-VM-ARGS): the VM selftests into
# RESULTS/vm.tap, then every suite's vm-check; a suite that writes no TAP
# file is a failure in RESULTS/build.tap.
kmscap_vm_suites = $(vm_run) $(2) --tap $(1)/vm.tap $(vm_selftest_extra) \
		$(if $(VM_TESTS),--only "$(VM_TESTS)") || true; \
	for s in $(vm_suites); do \
		touch $(1)/.stamp; \
		$(MAKE) -C tests/$$s RESULTS=$(1) vm-check || \
			echo "  FAIL    $$s vm-check (exit status $$?)"; \
		if [ -z "$$(find $(1) -name '*.tap' -newer $(1)/.stamp)" ]; then \
			echo "not ok - $$s vm-check \# it wrote no TAP file in $(1)" \
				>>$(1)/build.tap; \
			echo "  FAIL    $$s vm-check wrote no TAP file"; \
		fi; \
	done

# The unit tests again, with libkmscap and kmscapctl, built with
# AddressSanitizer and UndefinedBehaviorSanitizer (any report fails).
unit_asan = O=$(B)/asan/unit USER_O=$(B)/asan/user TAP_NAME=unit-asan \
	CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
	LDFLAGS="-fsanitize=address,undefined"

# test_threads (one handle, a reader and an exporting thread) and
# test_ring_threads (the frame ring: a module thread, a taker, a giver-back)
# once more, with libkmscap, built with ThreadSanitizer: a race stops it at once.
unit_tsan = O=$(B)/tsan/unit USER_O=$(B)/tsan/user TAP_NAME=unit-tsan \
	UNIT_TESTS="test_threads test_ring_threads" \
	CFLAGS="-O1 -g -fsanitize=thread" LDFLAGS="-fsanitize=thread" TSAN_OPTIONS=halt_on_error=1

# The host tests of kmscap-stream likewise (tests/stream), with libkmscap
# and kmscap-stream built into build/asan too.
stream_asan = O=$(B)/asan/stream-tests USER_O=$(B)/asan/user TAP_NAME=stream-asan \
	CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
	LDFLAGS="-fsanitize=address,undefined"

check-run:
	@rm -rf $(R)
	@mkdir -p $(R)
	@suites="build vm"; \
	if [ -f kmod/Kbuild ]; then \
		$(call kmscap_step,build kmod,$(MAKE) kmod); \
	else \
		echo "not ok - build kmod # kmod/Kbuild not present" >>$(R)/build.tap; \
		echo "  FAIL    build kmod (kmod/Kbuild not present)"; \
	fi; \
	if grep -q '^ok - build kmod' $(R)/build.tap; then vmko=; else vmko=--no-ko; fi; \
	$(call kmscap_step,build dmabuf peer,$(MAKE) dmabuf-peer); \
	if [ -f user/Makefile ]; then \
		$(call kmscap_step,build user,$(MAKE) -C user O=$(B)/user); \
	else $(call kmscap_absent,build user,user/Makefile); fi; \
	$(call kmscap_step,build selftests,$(MAKE) -C tests/selftests O=$(B)/selftests); \
	if [ -f tests/vadriver/Makefile ]; then \
		$(call kmscap_step,build vadriver,$(MAKE) -C tests/vadriver O=$(B)/vadriver); \
	fi; \
	for s in $(host_suites); do \
		suites="$$suites $$s"; \
		if [ $$s = unit ]; then o=O=$(B)/unit; else o=; fi; \
		$(MAKE) -C tests/$$s $$o RESULTS=$(R) check || \
			echo "  FAIL    $$s tests (exit status $$?)"; \
	done; \
	$(if $(wildcard tests/unit/Makefile),,$(call kmscap_absent,unit tests,tests/unit/Makefile);) \
	if [ -f tests/unit/Makefile ]; then \
		suites="$$suites unit-asan"; \
		$(MAKE) -C tests/unit $(unit_asan) RESULTS=$(R) check || \
			echo "  FAIL    unit tests under ASan and UBSan (exit status $$?)"; \
		suites="$$suites unit-tsan"; \
		$(MAKE) -C tests/unit $(unit_tsan) RESULTS=$(R) check || \
			echo "  FAIL    test_threads under TSan (exit status $$?)"; \
	fi; \
	if [ -f tests/stream/Makefile ]; then \
		suites="$$suites stream-asan"; \
		$(MAKE) -C tests/stream $(stream_asan) RESULTS=$(R) check || \
			echo "  FAIL    stream tests under ASan and UBSan (exit status $$?)"; \
	fi; \
	$(call kmscap_vm_suites,$(R),$$vmko); \
	suites="$$suites harness"; \
	$(CURDIR)/tests/vm/harness-test.sh --tap $(R)/harness.tap || true; \
	if [ -f tests/vadriver/Makefile ]; then \
		suites="$$suites vadriver"; \
		$(MAKE) -C tests/vadriver O=$(B)/vadriver RESULTS=$(R) check || \
			echo "  FAIL    vadriver tests (exit status $$?)"; \
	else $(call kmscap_absent,vadriver tests,tests/vadriver/Makefile); fi; \
	$(CURDIR)/tests/summary.sh $(R) $$suites

# check-debug: the same VM selftests and VM suites on the debug kernel,
# results in build/results-debug, after tests/vm/debug-canary.sh proved
# that the kernel's checkers report what they should; a kernel or module
# that cannot be built fails the run (it is never skipped).  .ci/run runs
# check, then this.
check-debug:
	$(Q)$(CURDIR)/tests/deps.sh
	$(Q)$(MAKE) check-debug-run VM_TESTS="$(VM_TESTS)" VM_FLAGS='$(VM_FLAGS)'

check-debug-run:
	@rm -rf $(DEBUG_R)
	@mkdir -p $(DEBUG_R)
	@suites="build vm"; \
	$(call kmscap_step_in,$(DEBUG_R),build debug kernel,$(MAKE) debug-kernel); \
	if grep -q '^ok - build debug kernel' $(DEBUG_R)/build.tap; then \
		$(call kmscap_step_in,$(DEBUG_R),build kmod for the debug kernel,$(MAKE) kmod-debug); \
	fi; \
	$(call kmscap_step_in,$(DEBUG_R),build user,$(MAKE) -C user O=$(B)/user); \
	$(call kmscap_step_in,$(DEBUG_R),build selftests,$(MAKE) -C tests/selftests O=$(B)/selftests); \
	if [ -f tests/vadriver/Makefile ]; then \
		$(call kmscap_step_in,$(DEBUG_R),build vadriver,$(MAKE) -C tests/vadriver O=$(B)/vadriver); \
	fi; \
	if [ -f $(DEBUG_KERNEL)/release ] && [ -f $(DEBUG_KMOD)/kmod/kmscap.ko ]; then \
		suites="$$suites debug-canary"; \
		$(CURDIR)/tests/vm/debug-canary.sh --kernel $(DEBUG_KERNEL) \
			--tap $(DEBUG_R)/debug-canary.tap || true; \
		export KMSCAP_VM_KERNEL=$(DEBUG_KERNEL) KMSCAP_VM_KO=$(DEBUG_KMOD)/kmod/kmscap.ko \
			KMSCAP_VM_PEER_KO=$(DEBUG_KMOD)/dmabuf-peer/kmscap_peer.ko; \
		$(call kmscap_vm_suites,$(DEBUG_R),); \
	else \
		echo "not ok - vm: the debug kernel or its kmscap.ko was not built # see above" \
			>>$(DEBUG_R)/vm.tap; \
	fi; \
	$(CURDIR)/tests/summary.sh $(DEBUG_R) $$suites

# ---- installing -----------------------------------------------------------------

# make install [DESTDIR=] [PREFIX=/usr/local] [KVER=]: kmscap.ko into
# /lib/modules/$(KVER)/extra (then depmod, unless DESTDIR is set), the udev
# rules, the sysusers.d file that creates group kmscap, and libkmscap (+ header,
# pkg-config file), kmscapctl and kmscap-stream with their man pages under PREFIX, and
# kmscap-stream's container plugin in STREAM_MUXDIR (lib/kmscap beside BINDIR's
# parent: where kmscap-stream looks, relative to itself).  make uninstall
# removes exactly that.  make install-dkms copies the module's sources to
# /usr/src/kmscap-$(KMSCAP_VERSION) for "dkms install kmscap/$(KMSCAP_VERSION)";
# with DKMS, "make install KMOD_INSTALL=no" installs all but the module.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
# Not settable: kmscap-stream finds its plugin there (user/stream/mux.h).
STREAM_MUXDIR := $(patsubst %/,%,$(dir $(BINDIR)))/lib/kmscap
stream_mux := kmscap-stream-mux.so
UDEVRULESDIR ?= /etc/udev/rules.d
SYSUSERSDIR ?= /usr/lib/sysusers.d
KMOD_INSTALL ?= yes
# 60-: group and mode of the nodes; 72-: the cards leave the seat (between
# systemd's 71-seat.rules and 73-seat-late.rules: the number matters).
udev_rules := 60-kmscap.rules 72-kmscap-seat.rules
KMSCAP_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' $(CURDIR)/dkms.conf)
inst_mod := $(DESTDIR)/lib/modules/$(KVER)/extra/kmscap.ko
inst_dkms := $(DESTDIR)/usr/src/kmscap-$(KMSCAP_VERSION)
user_inst = $(MAKE) -C user O=$(B)/user DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) BINDIR=$(BINDIR) \
	MANDIR=$(MANDIR)

.PHONY: install uninstall install-dkms uninstall-dkms
install: $(if $(filter no,$(KMOD_INSTALL)),,kmod) user
ifneq ($(KMOD_INSTALL),no)
	@echo "  INSTALL $(inst_mod)"
	$(Q)install -D -m 0644 kmod/kmscap.ko $(inst_mod)
	$(Q)if [ -z "$(DESTDIR)" ]; then depmod -a $(KVER); fi
endif
	@echo "  INSTALL $(addprefix $(DESTDIR)$(UDEVRULESDIR)/,$(udev_rules)), $(DESTDIR)$(SYSUSERSDIR)/kmscap.conf"
	$(Q)for r in $(udev_rules); do \
		install -D -m 0644 udev/$$r $(DESTDIR)$(UDEVRULESDIR)/$$r || exit 1; done
	$(Q)install -D -m 0644 udev/kmscap.sysusers $(DESTDIR)$(SYSUSERSDIR)/kmscap.conf
	$(Q)$(user_inst) install
	@echo "  INSTALL $(DESTDIR)$(BINDIR)/kmscap-stream, $(DESTDIR)$(MANDIR)/man1/kmscap-stream.1"
	$(Q)install -D -m 0755 $(B)/user/stream/kmscap-stream $(DESTDIR)$(BINDIR)/kmscap-stream
	$(Q)install -D -m 0644 user/stream/kmscap-stream.1 $(DESTDIR)$(MANDIR)/man1/kmscap-stream.1
	@echo "  INSTALL $(DESTDIR)$(STREAM_MUXDIR)/$(stream_mux)"
	$(Q)install -D -m 0644 $(B)/user/stream/$(stream_mux) $(DESTDIR)$(STREAM_MUXDIR)/$(stream_mux)
	@if [ -z "$(DESTDIR)" ]; then \
		echo "  next: systemd-sysusers; udevadm control --reload;" \
		     "usermod -aG kmscap USER; modprobe kmscap"; fi

uninstall:
	@echo "  UNINST  $(inst_mod)"
	$(Q)rm -f $(inst_mod) $(addprefix $(DESTDIR)$(UDEVRULESDIR)/,$(udev_rules)) \
		$(DESTDIR)$(SYSUSERSDIR)/kmscap.conf $(DESTDIR)$(BINDIR)/kmscap-stream \
		$(DESTDIR)$(MANDIR)/man1/kmscap-stream.1 $(DESTDIR)$(STREAM_MUXDIR)/$(stream_mux)
	$(Q)rmdir $(DESTDIR)$(STREAM_MUXDIR) 2>/dev/null || true
	$(Q)if [ -z "$(DESTDIR)" ] && [ -d /lib/modules/$(KVER) ]; then depmod -a $(KVER); fi
	$(Q)$(user_inst) uninstall

install-dkms:
	@echo "  INSTALL $(inst_dkms)"
	$(Q)install -d $(inst_dkms)/kmod $(inst_dkms)/include/uapi
	$(Q)install -m 0644 dkms.conf $(inst_dkms)/
	$(Q)install -m 0644 kmod/Kbuild kmod/*.c kmod/*.h $(inst_dkms)/kmod/
	$(Q)install -m 0644 include/uapi/kmscap.h $(inst_dkms)/include/uapi/
	@if [ -z "$(DESTDIR)" ]; then echo "  next: dkms install kmscap/$(KMSCAP_VERSION)"; fi

uninstall-dkms:
	@echo "  UNINST  $(inst_dkms) (run \"dkms remove kmscap/$(KMSCAP_VERSION) --all\" first)"
	$(Q)rm -rf $(inst_dkms)

# ---- cleaning -------------------------------------------------------------------

clean:
ifneq ($(call have,kmod/Kbuild),)
	$(Q)if [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR)/kmod clean; fi
endif
	@echo "  CLEAN   build"
	$(Q)rm -rf $(B)
