// SPDX-License-Identifier: MIT
/* kmscap-stream: VA-API pipeline (next increment). */
#include "ks.h"
