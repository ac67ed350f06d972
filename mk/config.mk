# mk/config.mk: compiler and flags shared by every directory's Makefile.
# Portable between GNU make and bmake: plain assignments, suffix rules only.

CC?=		cc
AR?=		ar
PREFIX?=	/usr/local
CSTD=		-std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64
WARNS=		-Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
		-Wmissing-prototypes -Wno-unused-parameter
OPT?=		-O2 -g
SAN?=
CFLAGS+=	$(CSTD) $(WARNS) $(OPT) $(SAN) -fPIC
LDFLAGS+=	$(SAN)
LIBDEPS=	-lelf -lzstd -lz -lcrypto
