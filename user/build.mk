# SPDX-License-Identifier: MIT
#
# What the Makefiles of user/lib, user/kmscapctl and user/top share: the
# output directory O (default build/user; a relative O= is taken relative
# to the top of the repository), the install directories, the compiler
# flags and the quiet output.  Each includes it first.

top := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)

O ?= $(top)/build/user
ifeq ($(strip $(O)),)
override O := $(top)/build/user
endif
override O := $(abspath $(if $(filter /%,$(O)),$(O),$(top)/$(O)))

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig

CC ?= cc
AR ?= ar
PKG_CONFIG ?= pkg-config
CFLAGS ?= -O2 -g
KMSCAP_CFLAGS := -std=gnu11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-fPIC -fvisibility=hidden -D_GNU_SOURCE -DKMSCAP_BUILDING_LIB \
	-I$(top)/user/lib -I$(top)/include/uapi -MMD -MP

ifeq ($(V),1)
Q :=
say := @true
else
Q := @
say := @printf '  %-7s %s\n'
endif

