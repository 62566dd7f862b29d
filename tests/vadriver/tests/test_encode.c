// SPDX-License-Identifier: MIT
#include "va_test.h"

Suite *kmscap_vat_suite_encode(void)
{
	return suite_create("encode");
}
