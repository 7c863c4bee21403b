# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# memtrace: build, test, install. Objects go under $(OUTPUT); V=1 shows every command.

OUTPUT ?= build
PREFIX ?= /usr/local
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= gcc
CLANG_FORMAT ?= clang-format-19
VERSION := 0.1.0

ARCH ?= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/i.86/x86/' -e 's/aarch64/arm64/' \
		-e 's/riscv64/riscv/' -e 's/s390x/s390/' -e 's/ppc64le/powerpc/')
ifeq ($(wildcard vmlinux/$(ARCH)/vmlinux.h),)
$(error unsupported ARCH '$(ARCH)': no vmlinux/$(ARCH)/vmlinux.h (make vmlinux ARCH=$(ARCH) on a BTF kernel))
endif

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# Debian packages the build, the tests, `make run` and `make bench` need (jq: bench/run.sh
# reads bpftool's and memtrace's JSON with it; chromium: the --html page test loads the page
# headless; protobuf-c: --pprof, its C code generated from the profile.proto that the Go pprof
# package ships; golang-go: the live test reads that profile back with `go tool pprof`).
DEB_PKGS := clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config make gcc \
	    libcmocka-dev libjson-c-dev bpftrace linux-perf cppcheck clang-tidy tmux prometheus \
	    jq clang-format-19 mandoc man-db chromium libprotobuf-c-dev protobuf-c-compiler \
	    golang-go golang-github-google-pprof-dev

# speedscope, for the test that its importer accepts memtrace's folded stacks; installed by
# `make deps` into the (git-ignored) output tree when npm is there, else that test skips.
NPM_DIR := $(OUTPUT)/npm
SPEEDSCOPE := speedscope@1.25.0

WARNINGS := -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
CFLAGS ?= -O2 -g
MT_CFLAGS := $(CFLAGS) $(WARNINGS) -std=gnu11 -D_GNU_SOURCE -MMD -MP -Iinclude -Isrc \
	     -I$(OUTPUT) -DMEMTRACE_VERSION='"$(VERSION)"'
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Ivmlinux/$(ARCH) -Iinclude -Ibpf \
	      -Wall -Werror -Wno-unused-function -MMD -MP
ifeq ($(STATIC),1)
STATIC_LDFLAGS := -static
endif
# --pprof: a gzip'd profile.proto (src/render/render_pprof.c) through libprotobuf-c, its C code
# generated at build time from the profile.proto that the Go pprof package ships. PPROF=0
# builds without it (the i386 guest's static userland has no libprotobuf-c): --pprof then
# fails with one line saying so.
PPROF ?= 1
PROFILE_PROTO ?= /usr/share/gocode/src/github.com/google/pprof/proto/profile.proto
PROTOC_C ?= protoc-c
MT_CFLAGS += -DMT_PPROF=$(PPROF)
LDLIBS := $(STATIC_LDFLAGS) -lbpf -lelf -lz -lpthread
ifeq ($(PPROF),1)
PROTO_OBJS := $(OUTPUT)/proto/profile.pb-c.o
PROTO_LIBS := -lprotobuf-c
MT_CFLAGS += -I$(OUTPUT)/proto
LDLIBS += $(PROTO_LIBS)
endif

# src/ has a folder per layer (docs/architecture.md). The plain-C core (model, renderers,
# recordings, system helpers and the collector's map readers) builds without libbpf and is
# what the unit tests link; the binary adds the CLI and the BPF side of collect/.
COLLECT_PLAIN := collect.c collect_classes.c collect_stalls.c collect_tasks.c map_read.c \
		 kernel_info.c calib_solve.c alloclat_pick.c
CORE_SRCS := $(sort $(wildcard src/model/*.c src/render/*.c src/record/*.c src/sys/*.c)) \
	     $(addprefix src/collect/,$(COLLECT_PLAIN))
APP_SRCS := $(sort $(wildcard src/cli/*.c) \
	      $(filter-out $(CORE_SRCS),$(wildcard src/collect/*.c)))
BPF_SRCS := bpf/maps.bpf.c bpf/slab.bpf.c bpf/page.bpf.c bpf/scope.bpf.c bpf/task.bpf.c \
	    bpf/vmalloc.bpf.c \
	    bpf/fault.bpf.c bpf/dma.bpf.c bpf/kmap.bpf.c bpf/lat_maps.bpf.c bpf/stall.bpf.c
# Allocator call latency: its own object, so a kernel that refuses fentry/kprobes fails
# only it. It shares the filter and latency maps' definitions (not their instances).
ALLOCLAT_OBJS := $(OUTPUT)/bpf/maps.bpf.o $(OUTPUT)/bpf/lat_maps.bpf.o $(OUTPUT)/bpf/alloclat.bpf.o
CORE_OBJS := $(CORE_SRCS:%.c=$(OUTPUT)/%.o) $(PROTO_OBJS)
APP_OBJS := $(APP_SRCS:%.c=$(OUTPUT)/%.o)
BPF_OBJS := $(BPF_SRCS:%.c=$(OUTPUT)/%.o)
BIN := $(OUTPUT)/memtrace

UNIT_TESTS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(wildcard tests/unit/test_*.c))
# Live tests: one binary per tests/live/live_<topic>.c, all linked with the shared harness.
LIVE_TESTS := $(patsubst tests/live/%.c,$(OUTPUT)/tests/%,$(wildcard tests/live/live_*.c))
LIVE_HELPERS := $(OUTPUT)/tests/workload $(OUTPUT)/tests/cli $(LIVE_TESTS)

.DELETE_ON_ERROR:
.PHONY: all deps run test unit-bins live-bins test-sanitize lint fuzz fuzz-bins install uninstall clean vmlinux \
	format format-check help deb vmdeps vmtest vmtest-i386 vm-bins bench bench-bins

all: $(BIN)

help:
	@echo 'make            build $(BIN)'
	@echo 'make run        install missing packages, build, trace the system for 5 s (root)'
	@echo 'make test       install missing packages, build, run every test'
	@echo 'make bench      overhead benchmark against the floor and other tracers (root, <10 min)'
	@echo 'make deps       install missing Debian packages ($(DEB_PKGS))'
	@echo 'make lint       cppcheck, clang-tidy, the layering rule and clang-format: zero findings'
	@echo 'make format    clang-format every C file in place (make lint checks it changes nothing)'
	@echo 'make fuzz       run each libFuzzer target for FUZZ_SECONDS (default 20)'
	@echo 'make install    install memtrace, its man pages and bash completion under $(DESTDIR)$(PREFIX)'
	@echo 'make uninstall  remove what make install put there'
	@echo 'make deb        build $(OUTPUT)/memtrace_VERSION_ARCH.deb (dpkg-deb)'
	@echo 'make vmlinux    regenerate vmlinux/$(ARCH)/vmlinux.h from this kernel'
	@echo 'make vmtest     boot Debian kernels ($(VM_KERNELS)) in QEMU, run the tests in each'
	@echo 'make vmtest-i386  the same on the 32-bit HIGHMEM kernel (686-pae; downloads 765 MB once)'
	@echo 'options: V=1 (show commands) STATIC=1 (static binary) OUTPUT=dir'

# Installs only what is missing; needs root (or sudo) when something is.
deps:
	$(Q)missing=$$(for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || \
		echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "  DEPS     installing:" $$missing; \
		SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
			$$missing >/dev/null || { echo "make deps: apt-get install failed" >&2; exit 1; }; \
	fi
	$(Q)if [ -d $(NPM_DIR)/node_modules/speedscope ]; then :; \
	elif command -v npm >/dev/null 2>&1; then \
		echo "  DEPS     npm install $(SPEEDSCOPE) into $(NPM_DIR)"; \
		npm install --prefix $(NPM_DIR) --no-audit --no-fund --silent $(SPEEDSCOPE) || \
			echo "make deps: npm install failed: the speedscope test will skip"; \
	else echo "  DEPS     no npm: the speedscope test will skip"; fi

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(BIN) run -d 5

test: deps
	$(Q)$(MAKE) --no-print-directory all unit-bins live-bins test-sanitize fuzz-bins
	$(Q)tests/run.sh $(OUTPUT)

unit-bins: $(UNIT_TESTS)
live-bins: $(LIVE_HELPERS)

$(OUTPUT) $(OUTPUT)/src $(OUTPUT)/bpf $(OUTPUT)/tests $(OUTPUT)/bench:
	$(Q)mkdir -p $@

# BPF: compile each file, link into one object, generate one skeleton.
$(OUTPUT)/bpf/%.bpf.o: bpf/%.bpf.c | $(OUTPUT)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/memtrace.bpf.o: $(BPF_OBJS)
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(OUTPUT)/memtrace.skel.h: $(OUTPUT)/memtrace.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name memtrace_bpf > $@

$(OUTPUT)/calib.bpf.lo: $(OUTPUT)/bpf/calib.bpf.o
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(OUTPUT)/calib.skel.h: $(OUTPUT)/calib.bpf.lo
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name calib_bpf > $@

$(OUTPUT)/check.bpf.lo: $(OUTPUT)/bpf/check.bpf.o
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(OUTPUT)/check.skel.h: $(OUTPUT)/check.bpf.lo
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name check_bpf > $@

$(OUTPUT)/src/collect/check_hook.o: $(OUTPUT)/check.skel.h
$(OUTPUT)/src/collect/loader.o $(OUTPUT)/src/collect/collect_pair.o \
	$(OUTPUT)/src/collect/mapsrc_live.o $(OUTPUT)/src/collect/record_live.o \
	$(OUTPUT)/src/collect/proc_reap.o: $(OUTPUT)/memtrace.skel.h

$(OUTPUT)/alloclat.bpf.lo: $(ALLOCLAT_OBJS)
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(OUTPUT)/alloclat.skel.h: $(OUTPUT)/alloclat.bpf.lo
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name alloclat_bpf > $@

$(OUTPUT)/src/collect/alloclat.o: $(OUTPUT)/alloclat.skel.h
$(OUTPUT)/src/collect/collect_latency.o: $(OUTPUT)/memtrace.skel.h
$(OUTPUT)/src/collect/calib.o: $(OUTPUT)/calib.skel.h

$(OUTPUT)/src/%.o: src/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(MT_CFLAGS) -c $< -o $@

# The --html page's template, style and script are real files (src/render/html/), built into
# the binary as byte arrays so the page needs nothing at run time. od, not xxd: coreutils is
# on every build host, xxd is a vim package.
HTML_ASSETS := $(wildcard src/render/html/*)
HTML_INCS := $(patsubst src/%,$(OUTPUT)/%.inc,$(HTML_ASSETS))

$(OUTPUT)/render/html/%.inc: src/render/html/%
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)od -An -v -tx1 $< | sed -e 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g' > $@

$(OUTPUT)/src/render/render_html.o: $(HTML_INCS)

# Generated, never committed; compiled with the build's CFLAGS but not src/'s warnings, which
# are ours to keep (protoc-c's output is not).
$(OUTPUT)/proto/profile.pb-c.c $(OUTPUT)/proto/profile.pb-c.h &: $(PROFILE_PROTO)
	$(call msg,PROTOC-C,$(OUTPUT)/proto/profile.pb-c.c)
	$(Q)mkdir -p $(OUTPUT)/proto
	$(Q)$(PROTOC_C) --c_out=$(OUTPUT)/proto -I$(dir $<) $<

$(PROFILE_PROTO):
	@echo "no $@: make deps (golang-github-google-pprof-dev has it), or PPROF=0" >&2; exit 1

$(OUTPUT)/proto/profile.pb-c.o: $(OUTPUT)/proto/profile.pb-c.c
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -I$(OUTPUT)/proto -c $< -o $@

ifeq ($(PPROF),1)
$(OUTPUT)/src/render/render_pprof.o: $(OUTPUT)/proto/profile.pb-c.h
endif

$(BIN): $(CORE_OBJS) $(APP_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

# Unit tests link the plain-C core only: no BPF, no root.
$(OUTPUT)/tests/%: tests/unit/%.c $(CORE_OBJS) | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(MT_CFLAGS) $< $(CORE_OBJS) -lcmocka -ljson-c -lz $(PROTO_LIBS) -o $@

$(OUTPUT)/tests/workload: tests/live/workload.c | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(MT_CFLAGS) $< $(STATIC_LDFLAGS) -o $@

$(OUTPUT)/tests/cli: tests/cli/test_cli.c | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(MT_CFLAGS) $< -lcmocka -ljson-c -o $@

$(OUTPUT)/tests/harness.o: tests/live/harness.c | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(MT_CFLAGS) -Itests/live -c $< -o $@

$(OUTPUT)/tests/live_%: tests/live/live_%.c $(OUTPUT)/tests/harness.o | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(MT_CFLAGS) -Itests/live $< $(OUTPUT)/tests/harness.o -lcmocka -ljson-c -lbpf \
		-o $@

# The in-guest test driver of `make vmtest`: no libraries, so it links static for any guest.
$(OUTPUT)/tests/minijson.o: src/sys/minijson.c | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(MT_CFLAGS) -c $< -o $@

# its JSON reader is unit-tested against json-c
$(OUTPUT)/tests/test_minijson: tests/unit/test_minijson.c $(OUTPUT)/tests/minijson.o | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(MT_CFLAGS) $< $(OUTPUT)/tests/minijson.o -lcmocka -ljson-c -o $@

$(OUTPUT)/tests/vmcheck: tests/vm/vmcheck.c $(OUTPUT)/tests/minijson.o | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(MT_CFLAGS) $< $(OUTPUT)/tests/minijson.o $(STATIC_LDFLAGS) -o $@

# VM tests (tests/vm/): Debian kernels booted in QEMU (TCG), memtrace's in-guest tests run in
# each, a results table at the end. Kernels are cached in $(VM_CACHE) (git-ignored).
VM_KERNELS ?= 6.1 6.12 7.x 7.x:swiotlb 6.12:direct
VM_CACHE ?= .vmtest-cache
VM_DEB_PKGS := qemu-system-x86 busybox-static cpio zstd xz-utils file

vmdeps:
	$(Q)$(MAKE) --no-print-directory deps DEB_PKGS='$(VM_DEB_PKGS)'

vm-bins: $(BIN) $(OUTPUT)/tests/workload $(OUTPUT)/tests/vmcheck

vmtest: vmdeps
	$(Q)$(MAKE) --no-print-directory OUTPUT=$(OUTPUT)/vm STATIC=1 vm-bins
	$(Q)MT_VM_CACHE=$(VM_CACHE) tests/vm/run.sh $(OUTPUT)/vm $(VM_KERNELS)

# The 32-bit HIGHMEM kernel (686-pae, no built-in BTF): memtrace built for i386 against
# Debian's i386 static libraries (fetched, never installed: the system's dpkg does not get
# i386), BTF generated with pahole from the kernel's -dbg package (a 765 MB download, cached
# as 4 MB). A target of its own, one kernel in one VM; .ci/run runs it after vmtest.
vmtest-i386: vmdeps
	$(Q)$(MAKE) --no-print-directory deps DEB_PKGS='gcc-multilib dwarves'
	$(Q)root=$$(tests/vm/fetch-userland.sh $(VM_CACHE) i386) && \
	$(MAKE) --no-print-directory OUTPUT=$(OUTPUT)/vm-i386 STATIC=1 CC='$(CC) -m32' PPROF=0 \
		STATIC_LDFLAGS="-static -L$$root/usr/lib/i386-linux-gnu" vm-bins
	$(Q)MT_VM_ARCH=i386 MT_VM_CACHE=$(VM_CACHE) tests/vm/run.sh $(OUTPUT)/vm-i386 6.1-686-pae

# The unit tests and the binary again under ASan+UBSan, in their own output tree
# (tests/run.sh runs the unit tests and the CLI test against that binary).
test-sanitize:
	$(Q)$(MAKE) --no-print-directory OUTPUT=$(OUTPUT)/san \
		CFLAGS='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all' \
		unit-bins $(OUTPUT)/san/memtrace

# libFuzzer targets (clang): tests/fuzz/fuzz_<x>.c against the plain-C core, each run for
# FUZZ_SECONDS by `make fuzz` (part of `make test`).
FUZZ_SECONDS ?= 20
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(OUTPUT)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -D_GNU_SOURCE -Iinclude \
	       -Isrc -I$(OUTPUT) -I$(OUTPUT)/proto -DMEMTRACE_VERSION='"fuzz"' -DMT_PPROF=$(PPROF)

$(OUTPUT)/fuzz:
	$(Q)mkdir -p $@

$(OUTPUT)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(CORE_SRCS) $(HTML_INCS) $(PROTO_OBJS) | $(OUTPUT)/fuzz
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $< $(CORE_SRCS) $(PROTO_OBJS) -lz $(PROTO_LIBS) -o $@

fuzz-bins: $(FUZZ_TARGETS)

fuzz: fuzz-bins
	$(Q)tests/fuzz/run.sh $(OUTPUT) $(FUZZ_SECONDS)

export FUZZ_SECONDS

# cppcheck + clang-tidy over src/, zero findings (tests/lint.sh says which checks and why).
lint: $(OUTPUT)/memtrace.skel.h $(OUTPUT)/calib.skel.h $(OUTPUT)/check.skel.h \
      $(OUTPUT)/alloclat.skel.h $(HTML_INCS) $(OUTPUT)/proto/profile.pb-c.h
	$(Q)tests/lint.sh $(OUTPUT)
	$(Q)tests/layering.sh
	$(Q)tests/man/lint.sh
	$(Q)$(MAKE) --no-print-directory format-check

# The overhead benchmark (bench/README.md): its workload, the floor (empty BPF programs with
# their own skeleton) and the driver. Ratios from one run on a noisy machine, never pass/fail.
BENCH_BINS := $(OUTPUT)/bench/workload $(OUTPUT)/bench/floor

# SOAK=SECS: the soak mode instead (bench/soak.sh): memtrace's own memory over SECS seconds of
# short processes coming and going.
bench: deps
	$(Q)$(MAKE) --no-print-directory all bench-bins
	$(Q)if [ -n "$(SOAK)" ]; then OUTPUT=$(OUTPUT) SOAK=$(SOAK) bench/soak.sh; \
	else OUTPUT=$(OUTPUT) bench/run.sh; fi

bench-bins: $(BENCH_BINS) $(OUTPUT)/tests/workload

$(OUTPUT)/bench/workload: bench/workload.c | $(OUTPUT)/bench
	$(call msg,CC,$@)
	$(Q)$(CC) $(MT_CFLAGS) $< -o $@

$(OUTPUT)/bench/floor.bpf.o: bench/floor.bpf.c | $(OUTPUT)/bench
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/bench/floor.skel.h: $(OUTPUT)/bench/floor.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name floor_bpf > $@

$(OUTPUT)/bench/floor: bench/floor.c $(OUTPUT)/bench/floor.skel.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(MT_CFLAGS) -I$(OUTPUT)/bench $< $(LDLIBS) -o $@

MAN_PAGES := $(sort $(wildcard man/*.8))
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
COMPDIR ?= $(PREFIX)/share/bash-completion/completions

install: $(BIN)
	$(call msg,INSTALL,$(DESTDIR)$(BINDIR)/memtrace)
	$(Q)install -D -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/memtrace
	$(Q)install -d $(DESTDIR)$(MANDIR)/man8
	$(Q)install -m 0644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man8/
	$(Q)install -D -m 0644 completion/memtrace.bash $(DESTDIR)$(COMPDIR)/memtrace

# removes exactly what install put there
uninstall:
	$(Q)rm -f $(DESTDIR)$(BINDIR)/memtrace $(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(MAN_PAGES))) \
		$(DESTDIR)$(COMPDIR)/memtrace

# A Debian package from make install (PREFIX=/usr, binary in /usr/bin), man pages gzip'd,
# Depends: the package of each shared library the binary links (dpkg -S on ldd's paths).
DEB_ARCH = $(shell dpkg --print-architecture)
DEB := $(OUTPUT)/memtrace_$(VERSION)_$(DEB_ARCH).deb
DEB_ROOT := $(OUTPUT)/deb-root

deb: $(BIN)
	$(call msg,DEB,$(DEB))
	$(Q)rm -rf $(DEB_ROOT)
	$(Q)$(MAKE) --no-print-directory install DESTDIR=$(abspath $(DEB_ROOT)) PREFIX=/usr
	$(Q)gzip -9n $(DEB_ROOT)/usr/share/man/man8/*.8
	$(Q)install -D -m 0644 packaging/copyright $(DEB_ROOT)/usr/share/doc/memtrace/copyright
	$(Q)mkdir -p $(DEB_ROOT)/DEBIAN
	$(Q)deps=$$(ldd $(BIN) | awk '/=> \//{print $$3}' | while read -r l; do \
		dpkg -S "$$(readlink -f $$l)" 2>/dev/null || dpkg -S "$$l"; done | \
		cut -d: -f1 | sort -u | while read -r p; do \
		echo "$$p (>= $$(dpkg-query -W -f='$${Version}' $$p | sed 's/-[^-]*$$//'))"; done | \
		paste -sd, | sed 's/,/, /g'); \
	[ -n "$$deps" ] || { echo "make deb: no Depends from ldd $(BIN)" >&2; exit 1; }; \
	sed -e 's/@VERSION@/$(VERSION)/' -e 's/@ARCH@/$(DEB_ARCH)/' -e "s/@DEPENDS@/$$deps/" \
		-e "s/@SIZE@/$$(du -sk $(DEB_ROOT)/usr | cut -f1)/" packaging/control.in \
		> $(DEB_ROOT)/DEBIAN/control
	$(Q)dpkg-deb --root-owner-group --build $(DEB_ROOT) $(DEB) >/dev/null

vmlinux:
	$(Q)BPFTOOL=$(BPFTOOL) vmlinux/gen.sh $(ARCH)

# Every C file the project writes; `make lint` fails when clang-format would change one.
FORMAT_FILES = $(wildcard src/*/*.c src/*/*.h include/*.h bpf/*.c bpf/*.h tests/*/*.c \
		 tests/*/*.h bench/*.c)

format:
	$(Q)$(CLANG_FORMAT) -i $(FORMAT_FILES)

format-check:
	$(Q)$(CLANG_FORMAT) --dry-run -Werror $(FORMAT_FILES) && echo "format: no changes"

clean:
	$(call msg,CLEAN,$(OUTPUT))
	$(Q)rm -rf $(OUTPUT)

-include $(wildcard $(OUTPUT)/src/*/*.d $(OUTPUT)/bpf/*.d $(OUTPUT)/tests/*.d $(OUTPUT)/bench/*.d)
