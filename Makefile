# vqr - build, test and install.
#
#   make                 build bin: build/bin/vqr, vqr-extract, vqr-transform, vqr-load
#   make check           unit, CLI and end-to-end tests on a real PostgreSQL, the
#                        same suite again built with -fsanitize=address,undefined, and
#                        a short fuzz run (check-fuzz: 5,000 inputs per target from
#                        a fixed seed, the same on every machine), side by side
#                        (CHECK_JOBS), then check-deb
#   make fuzz            libFuzzer targets tests/fuzz/fuzz_<name>.c (the names in
#                        tests/fuzz/targets; FUZZ_RUN=NAME runs one) built with
#                        clang -fsanitize=fuzzer,address,undefined into
#                        build-fuzz/, each run FUZZ_SECONDS (default 60) from a corpus of
#                        the fixtures (scripts/fuzz-corpus.sh); a crash is left in
#                        build-fuzz/crash/ (copy it to tests/data/fuzz/<name>/, where
#                        build/tests/replay_<name> replays it in every test run).
#                        Skipped with a message when clang is missing (scripts/deps.sh).
#   make install         PREFIX=/usr/local DESTDIR= (binaries, SQL, config catalogs and
#                        report layouts into DATADIR, docs and examples into DOCDIR,
#                        man pages into MANDIR=$(PREFIX)/share/man)
#   make check-deb       tests/cli/deb.t: builds, installs (dpkg -i), uses and purges the
#                        package on this machine; as root, alone (make check runs it last)
#   make deb             the Debian package BUILD/vqr_<version>_<arch>.deb (scripts/deb.sh:
#                        make install PREFIX=/usr plus pkg/deb/, with dpkg-deb, offline)
#   make bench           vqr end to end against COPY and pgloader, 1M and 10M rows
#                        (bench/e2e.sh; needs the time and pgloader packages)
#   make BUILD=dir SAN=1 a sanitizer build in another directory
#
# Flags come from pkg-config (libpq, yaml-0.1, zlib, libcrypto, minizip, expat,
# freexl, xlsxwriter); libcsv has no .pc file.

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
DATADIR  ?= $(PREFIX)/share/vqr
DOCDIR   ?= $(PREFIX)/share/doc/vqr
MANDIR   ?= $(PREFIX)/share/man
BUILD    ?= build
CC       ?= cc
CFLAGS   ?= -O2 -g
PKGS      = libpq yaml-0.1 zlib libcrypto minizip expat freexl xlsxwriter
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))

VQR_CFLAGS = -std=c11 -Wall -Wextra -Werror \
             -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
             $(PKG_CFLAGS) -I. -I$(BUILD)/gen \
             -DVQR_DATADIR='"$(DATADIR)"'
VQR_LIBS   = $(PKG_LIBS) -lcsv -lm
ifeq ($(SAN),1)
VQR_CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
VQR_LDFLAGS += -fsanitize=address,undefined
endif

# The layers, lowest first (docs/ARCHITECTURE.md; tests/cli/layers.t keeps
# them): lib/util, lib/catalog, lib/readers, lib/staging, lib/db, then each
# stage's own modules in stages/<stage>/, then pipeline/.  Every .c file but
# a program's main.c (and pipeline/vqr.c) goes into libvqr.a.
LAYER_DIRS = lib/util lib/catalog lib/readers lib/staging lib/db \
             stages/extract stages/transform stages/load pipeline
MAINS    = stages/extract/main.c stages/transform/main.c stages/load/main.c pipeline/vqr.c
LIB_SRC  = $(filter-out $(MAINS),$(foreach d,$(LAYER_DIRS),$(wildcard $(d)/*.c)))
LIB_HDR  = $(foreach d,$(LAYER_DIRS),$(wildcard $(d)/*.h))
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/sql_embedded.o
PROGS    = $(BUILD)/bin/vqr $(BUILD)/bin/vqr-extract $(BUILD)/bin/vqr-transform $(BUILD)/bin/vqr-load
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# the fuzz targets: the one list is tests/fuzz/targets
FUZZ_NAMES := $(shell grep '^[a-z]' tests/fuzz/targets)
# The targets make fuzz runs (all; `make fuzz FUZZ_RUN=xls` runs one).
FUZZ_RUN ?= $(FUZZ_NAMES)
REPLAY_BIN = $(FUZZ_NAMES:%=$(BUILD)/tests/replay_%)
# tools the shell tests run (tests/tools/<name>.c)
TOOL_BIN = $(BUILD)/tests/readdump
FUZZ_SECONDS ?= 60
FUZZ_BUILD = build-fuzz
# the library for the fuzz targets: coverage for libFuzzer, no main
ifeq ($(FUZZ),1)
VQR_CFLAGS += -Wno-unknown-warning-option -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
endif
SQL      = $(sort $(wildcard sql/[0-9]*.sql))

.PHONY: all check check-all check-fast check-san check-deb check-deb-after check-fuzz fuzz fuzz-bins unit install clean bench deb
all: $(PROGS) $(UNIT_BIN) $(REPLAY_BIN) $(TOOL_BIN)

$(BUILD)/obj/%.o: %.c $(LIB_HDR) $(wildcard tests/fuzz/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(VQR_CFLAGS) -c -o $@ $<

$(BUILD)/gen/sql_embedded.c: $(SQL) scripts/embed-sql.sh
	@mkdir -p $(dir $@)
	sh scripts/embed-sql.sh $(SQL) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/sql_embedded.o: $(BUILD)/gen/sql_embedded.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(VQR_CFLAGS) -c -o $@ $<

$(BUILD)/libvqr.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/bin/vqr: $(BUILD)/obj/pipeline/vqr.o $(BUILD)/libvqr.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(VQR_LDFLAGS) -o $@ $^ $(VQR_LIBS)

$(BUILD)/bin/vqr-%: $(BUILD)/obj/stages/%/main.o $(BUILD)/libvqr.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(VQR_LDFLAGS) -o $@ $^ $(VQR_LIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(BUILD)/libvqr.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(VQR_LDFLAGS) -o $@ $^ $(VQR_LIBS)

$(TOOL_BIN): $(BUILD)/tests/%: $(BUILD)/obj/tests/tools/%.o $(BUILD)/libvqr.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(VQR_LDFLAGS) -o $@ $^ $(VQR_LIBS)
# (kept: make would remove them as intermediate files and rebuild them next time)
.SECONDARY: $(FUZZ_NAMES:%=$(BUILD)/obj/tests/fuzz/fuzz_%.o) $(BUILD)/obj/tests/fuzz/fuzz_util.o \
	    $(BUILD)/obj/tests/fuzz/replay.o

# The fuzz targets' regression inputs, replayed with the suite's compiler.
$(BUILD)/tests/replay_%: $(BUILD)/obj/tests/fuzz/replay.o $(BUILD)/obj/tests/fuzz/fuzz_util.o \
		$(BUILD)/obj/tests/fuzz/fuzz_%.o $(BUILD)/libvqr.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(VQR_LDFLAGS) -o $@ $^ $(VQR_LIBS)

# The whole suite, twice: plain build and AddressSanitizer + UBSan build;
# a short fuzz run; then the Debian package test.  The parts run side by
# side, CHECK_JOBS jobs in all (builds included; each suite also runs
# VQR_TEST_JOBS test files at once, tests/run.sh), each part's output
# printed whole when it ends (make -O); every part runs even when another
# fails (-k), and make check fails when any does.  The sanitizer build is
# listed first: its suite takes longest.
CHECK_JOBS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 2 )))
check:
	@$(MAKE) --no-print-directory -k -O -j$(CHECK_JOBS) check-all

check-all: check-san check-fuzz check-fast check-deb-after

# the suite on the sanitizer build (build-san)
check-san:
	$(MAKE) BUILD=build-san SAN=1 all
	sh tests/run.sh build-san

# check-deb, once no suite runs beside it (the fuzz run may)
check-deb-after: check-fast check-san
	$(MAKE) check-deb

# tests/cli/deb.t with the package installed for real (root and dpkg):
# alone, after the suite, because the installed /etc/vqr/vqr.yaml is the
# default deployment of every vqr on the machine while it is there.
check-deb: all
	VQR_TEST_DEB=1 sh tests/run.sh $(BUILD) tests/cli/deb.t

# 5,000 inputs a target from a fixed random seed: the same run on every
# machine (scripts/fuzz-run.sh), so that a crash it finds is found again.
# FUZZ_SECONDS is a bound for a target that hangs, high enough that every
# target runs its 5,000 inputs on a slow or busy machine.
check-fuzz:
	$(MAKE) fuzz FUZZ_SECONDS=600 FUZZ_SEED=1 FUZZ_RUNS=5000

# libFuzzer: clang builds the library and the targets in $(FUZZ_BUILD),
# then each target runs FUZZ_SECONDS on its corpus.
fuzz:
	@if ! command -v clang >/dev/null 2>&1; then \
		echo "make fuzz: skipped: clang is not installed (sh scripts/deps.sh installs clang and libFuzzer)"; \
	else \
		$(MAKE) BUILD=$(FUZZ_BUILD) CC=clang FUZZ=1 fuzz-bins && \
		sh scripts/fuzz-corpus.sh $(FUZZ_BUILD)/corpus && \
		sh scripts/fuzz-run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_RUN); \
	fi

fuzz-bins: $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz_%)

# The fuzz targets' library: only the layers the parsers they fuzz are in
# (and the header paths of stages/extract), so that the clang build
# compiles half the code.  A target of a module elsewhere adds it here.
FUZZ_LIB_OBJ = $(foreach d,lib/util lib/catalog lib/readers,$(filter $(BUILD)/obj/$(d)/%,$(LIB_OBJ))) \
	       $(BUILD)/obj/stages/extract/hpath.o
$(BUILD)/libvqr-fuzz.a: $(FUZZ_LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/fuzz/fuzz_%: $(BUILD)/obj/tests/fuzz/fuzz_util.o $(BUILD)/obj/tests/fuzz/fuzz_%.o $(BUILD)/libvqr-fuzz.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $^ $(VQR_LIBS)

# The suite once, on the plain build (quicker while developing).
check-fast: all
	sh tests/run.sh $(BUILD)

bench: all
	sh bench/e2e.sh

install: $(PROGS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/sql $(DESTDIR)$(DATADIR)/config
	install -m 755 $(PROGS) $(DESTDIR)$(BINDIR)/
	install -m 644 $(SQL) $(DESTDIR)$(DATADIR)/sql/
	cp -R config/. $(DESTDIR)$(DATADIR)/config/
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 644 $(wildcard man/*.1) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(wildcard man/*.5) $(DESTDIR)$(MANDIR)/man5/
	install -d $(DESTDIR)$(DOCDIR)/examples
	install -m 644 README.md docs/*.md docs/summary.schema.json $(DESTDIR)$(DOCDIR)/
	install -m 644 docs/examples/* $(DESTDIR)$(DOCDIR)/examples/

deb: $(PROGS)
	sh scripts/deb.sh $(BUILD)

clean:
	rm -rf build build-san $(FUZZ_BUILD)
