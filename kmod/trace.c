// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tracepoints of trace.h, instantiated once.
 */

#include "kmscap_drv.h"

#define CREATE_TRACE_POINTS
#include "trace.h"
