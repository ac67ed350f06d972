# SPDX-License-Identifier: BSD-2-Clause
# Top-level Makefile of md2elf: builds the library, the programs, the tests.
# Works with GNU make and bmake, serial or -jN (no GNU-only or bmake-only
# syntax).  bmake -j runs all lines of a target in one shell, so every
# sub-make runs in a subshell, "(cd DIR && $(MAKE) ...)", and a failure
# stops the loop.  The directories are built one after the other, in the
# order of SUBDIRS (the library before its users); -jN parallelises the
# compilations within each directory.

PREFIX?=	/usr/local
DESTDIR?=
SUBDIRS=	libmd2elf common md2elf savecore tests
INSTALLDIRS=	libmd2elf md2elf savecore man
CLEANDIRS=	libmd2elf common md2elf savecore tests bench

all:
	@for d in $(SUBDIRS); do \
		echo "===> $$d"; \
		(cd $$d && $(MAKE) all) || exit 1; \
	done

deps:
	sh mk/deps.sh

check: deps
	$(MAKE) all
	sh mk/check.sh

demo: deps
	$(MAKE) all
	sh mk/demo.sh

bench: all
	(cd bench && $(MAKE) bench)

install: all
	@for d in $(INSTALLDIRS); do \
		echo "===> $$d"; \
		(cd $$d && $(MAKE) install PREFIX=$(PREFIX) \
		    DESTDIR=$(DESTDIR)) || exit 1; \
	done

clean:
	@for d in $(CLEANDIRS); do \
		(cd $$d && $(MAKE) clean) || exit 1; \
	done

.PHONY: all deps check demo bench install clean
