# SPDX-License-Identifier: BSD-2-Clause
# mk/config.mk: compiler and flags shared by every directory's Makefile.
# Portable between GNU make (3.81 and later) and bmake: plain assignments,
# suffix rules only.  The includer sets TOP (the path to the top directory).
#
# The user's variables add to the project's flags and never replace them:
#   CPPFLAGS  -I/-D, first in the search (e.g. another libelf's headers)
#   CFLAGS    after the project's warnings, -O and -fPIC (so -O0 wins)
#   LDFLAGS   -L/-Wl,-rpath..., before the libraries
#   LDLIBS    extra libraries, after the project's
# The libraries (libelf, libzstd, zlib) are asked of pkg-config when it
# knows them, else linked as plain -lelf -lzstd -lz (mk/hostflags.sh);
# PKG_CONFIG=false asks no pkg-config, DEP_CFLAGS=... / DEP_LIBS=... replace
# the answer (ATF_CFLAGS / ATF_LIBS for the tests' atf-c).  Host-dependent
# values are backquoted: the recipe's shell runs mk/hostflags.sh, the same
# way under every make.

CC?=		cc
AR?=		ar
PREFIX?=	/usr/local
PKG_CONFIG?=	pkg-config
CSTD=		-std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64
WARNS=		-Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
		-Wmissing-prototypes -Wno-unused-parameter
OPT?=		-O2 -g
SAN?=
CPPFLAGS?=
CFLAGS?=
LDFLAGS?=
LDLIBS?=
DEP_CFLAGS?=	`sh $(TOP)/mk/hostflags.sh cflags "$(PKG_CONFIG)"`
DEP_LIBS?=	`sh $(TOP)/mk/hostflags.sh libs "$(PKG_CONFIG)"`
ATF_CFLAGS?=	`sh $(TOP)/mk/hostflags.sh cflags "$(PKG_CONFIG)" atf-c:atf-c`
ATF_LIBS?=	`sh $(TOP)/mk/hostflags.sh libs "$(PKG_CONFIG)" atf-c:atf-c`
SHLIB_LDFLAGS?=	`sh $(TOP)/mk/hostflags.sh shlib $(LIB).so.$(SOVER)`

# What the recipes use: the project's flags, then the user's.  Debian's
# bmake (sys/Linux.mk) adds "-nostdinc -idirafter $DESTDIR/usr/include" to
# CPPFLAGS whenever DESTDIR is defined, as in "bmake install DESTDIR=...",
# which would hide the compiler's own headers: -nostdinc is dropped (a
# suffix substitution, the same in both makes), the -idirafter is harmless.
M2E_CFLAGS=	$(CSTD) $(WARNS) $(OPT) $(SAN) -fPIC $(CPPFLAGS:-nostdinc=) \
		$(DEP_CFLAGS) $(CFLAGS)
M2E_LDFLAGS=	$(SAN) $(LDFLAGS)
LIBDEPS=	$(DEP_LIBS) $(LDLIBS)
