// SPDX-License-Identifier: MIT
/* placeholder, replaced by the error path tests */
#include "ks_test.h"

Suite *ks_suite_errors(void)
{
	return suite_create("errors");
}
