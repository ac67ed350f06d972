# Top-level Makefile of md2elf: builds the library, the programs, the tests.
# Works with GNU make and bmake (no GNU-only or bmake-only syntax).

PREFIX?=	/usr/local
DESTDIR?=
SUBDIRS=	libmd2elf md2elf savecore tests bench

all:
	cd libmd2elf && $(MAKE) all
	cd md2elf && $(MAKE) all
	cd savecore && $(MAKE) all
	cd tests && $(MAKE) all

deps:
	sh mk/deps.sh

check: deps
	$(MAKE) all
	sh mk/check.sh

demo: deps
	$(MAKE) all
	sh mk/demo.sh

bench: all
	cd bench && $(MAKE) bench

install: all
	cd libmd2elf && $(MAKE) install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	cd md2elf && $(MAKE) install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	cd savecore && $(MAKE) install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	cd man && $(MAKE) install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

clean:
	cd libmd2elf && $(MAKE) clean
	cd md2elf && $(MAKE) clean
	cd savecore && $(MAKE) clean
	cd tests && $(MAKE) clean
	cd bench && $(MAKE) clean

.PHONY: all deps check demo bench install clean
