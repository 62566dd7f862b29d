// SPDX-License-Identifier: MIT
/*
 * va_modifiers.c - the DRM format modifiers the VA-API driver imports, for
 * --create: kmscap's display then offers them to the compositor
 * (KMSCAP_CAP_MODIFIERS), which may render tiled buffers that the VPP reads
 * as they are, no linear copy on the GPU.  The driver's video-processing
 * config reports them as a gettable VASurfaceAttribDRMFormatModifiers (a
 * VADRMFormatModifierList); a driver that does not gets a linear display.
 */
#include <stdlib.h>

#include <drm_fourcc.h>
#include <va/va.h>
#include <va/va_drmcommon.h>

#include "vapipe_priv.h"

unsigned int ks_vapipe_import_modifiers(const struct ks_vapipe *p, uint64_t *mods,
					unsigned int max)
{
	const VADRMFormatModifierList *ml = NULL;
	unsigned int n = 0, num = 0, i, j, k;
	VASurfaceAttrib *a;

	if (vaQuerySurfaceAttributes(p->dpy, p->vpp_config, NULL, &num) != VA_STATUS_SUCCESS ||
	    !num)
		return 0;
	a = calloc(num, sizeof(*a));
	if (!a)
		return 0;
	if (vaQuerySurfaceAttributes(p->dpy, p->vpp_config, a, &num) != VA_STATUS_SUCCESS)
		num = 0;
	for (i = 0; i < num; i++)
		if (a[i].type == VASurfaceAttribDRMFormatModifiers &&
		    (a[i].flags & VA_SURFACE_ATTRIB_GETTABLE) &&
		    a[i].value.type == VAGenericValueTypePointer)
			ml = a[i].value.value.p;
	/* linear goes without saying; INVALID and repeats would be refused */
	for (j = 0; ml && ml->modifiers && j < ml->num_modifiers && n < max; j++) {
		uint64_t m = ml->modifiers[j];

		if (m == DRM_FORMAT_MOD_LINEAR || m == DRM_FORMAT_MOD_INVALID)
			continue;
		for (k = 0; k < n && mods[k] != m; k++)
			;
		if (k == n)
			mods[n++] = m;
	}
	free(a);
	return n;
}
