// SPDX-License-Identifier: MIT
/* placeholder, replaced by the VA pipeline tests */
#include "ks_test.h"

Suite *ks_suite_vapipe(void)
{
	return suite_create("vapipe");
}
