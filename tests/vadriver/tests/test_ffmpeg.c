// SPDX-License-Identifier: MIT
#include "va_test.h"

Suite *kmscap_vat_suite_ffmpeg(void)
{
	return suite_create("ffmpeg");
}
