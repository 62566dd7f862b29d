// SPDX-License-Identifier: MIT
/*
 * config.c - profiles, entrypoints and configuration attributes.
 *
 * Advertised: H.264 Constrained Baseline/Main/High, HEVC Main/Main10 and
 * (when av1_enc.c says it is available) AV1 Profile 0, each with EncSlice
 * and EncSliceLP, and VAProfileNone with VideoProc.  The attributes of
 * each codec come from its own file (kmscap_va_hevc_attrib(),
 * kmscap_va_av1_attrib()); the H.264 ones are here.  The HEVC ones
 * depend on KMSCAP_VA_HEVC_GPB, which a config records when it is created.
 */
#include <stdlib.h>

#include "kmscap_va.h"

static const VAProfile kmscap_va_profiles[] = {
	VAProfileH264ConstrainedBaseline,
	VAProfileH264Main,
	VAProfileH264High,
	VAProfileHEVCMain,
	VAProfileHEVCMain10,
	VAProfileAV1Profile0,	/* only if kmscap_va_av1_available() */
	VAProfileNone,
};

#define KMSCAP_VA_ENC_RT_FORMATS	VA_RT_FORMAT_YUV420
#define KMSCAP_VA_VPP_RT_FORMATS	(VA_RT_FORMAT_YUV420 | VA_RT_FORMAT_YUV420_10 | \
					 VA_RT_FORMAT_RGB32 | VA_RT_FORMAT_RGB32_10)
#define KMSCAP_VA_PACKED_HEADERS	(VA_ENC_PACKED_HEADER_SEQUENCE | \
					 VA_ENC_PACKED_HEADER_PICTURE | \
					 VA_ENC_PACKED_HEADER_SLICE | \
					 VA_ENC_PACKED_HEADER_MISC | \
					 VA_ENC_PACKED_HEADER_RAW_DATA)
#define KMSCAP_VA_SLICE_STRUCTURE	(VA_ENC_SLICE_STRUCTURE_ARBITRARY_MACROBLOCKS | \
					 VA_ENC_SLICE_STRUCTURE_ARBITRARY_ROWS | \
					 VA_ENC_SLICE_STRUCTURE_POWER_OF_TWO_ROWS)
/* Every macroblock is intra (I_PCM), so any intra refresh pattern holds. */
#define KMSCAP_VA_INTRA_REFRESH		(VA_ENC_INTRA_REFRESH_ROLLING_COLUMN | \
					 VA_ENC_INTRA_REFRESH_ROLLING_ROW)

bool kmscap_va_is_h264(VAProfile profile)
{
	return profile == VAProfileH264ConstrainedBaseline || profile == VAProfileH264Main ||
	       profile == VAProfileH264High;
}

enum kmscap_va_codec kmscap_va_codec_of(VAProfile profile)
{
	if (kmscap_va_is_h264(profile))
		return KMSCAP_VA_CODEC_H264;
	if (profile == VAProfileHEVCMain || profile == VAProfileHEVCMain10)
		return KMSCAP_VA_CODEC_HEVC;
	if (profile == VAProfileAV1Profile0 && kmscap_va_av1_available())
		return KMSCAP_VA_CODEC_AV1;
	if (profile == VAProfileNone)
		return KMSCAP_VA_CODEC_NONE;
	return KMSCAP_VA_CODEC_UNSUPPORTED;
}

bool kmscap_va_is_encode(VAEntrypoint ep)
{
	return ep == VAEntrypointEncSlice || ep == VAEntrypointEncSliceLP;
}

VAStatus kmscap_va_query_config_profiles(VADriverContextP ctx, VAProfile *list, int *num)
{
	unsigned int i;
	int n = 0;

	for (i = 0; i < sizeof(kmscap_va_profiles) / sizeof(kmscap_va_profiles[0]); i++)
		if (kmscap_va_codec_of(kmscap_va_profiles[i]) != KMSCAP_VA_CODEC_UNSUPPORTED)
			list[n++] = kmscap_va_profiles[i];
	*num = n;
	return VA_STATUS_SUCCESS;
}

VAStatus kmscap_va_query_config_entrypoints(VADriverContextP ctx, VAProfile profile,
					    VAEntrypoint *list, int *num)
{
	enum kmscap_va_codec codec = kmscap_va_codec_of(profile);

	if (codec == KMSCAP_VA_CODEC_H264 || codec == KMSCAP_VA_CODEC_HEVC ||
	    codec == KMSCAP_VA_CODEC_AV1) {
		list[0] = VAEntrypointEncSlice;
		list[1] = VAEntrypointEncSliceLP;
		*num = 2;
		return VA_STATUS_SUCCESS;
	}
	if (profile == VAProfileNone) {
		list[0] = VAEntrypointVideoProc;
		*num = 1;
		return VA_STATUS_SUCCESS;
	}
	*num = 0;
	return KMSCAP_VA_REJECT(kmscap_va_drv(ctx), VA_STATUS_ERROR_UNSUPPORTED_PROFILE,
				"profile %d (%s) is not supported", profile,
				vaProfileStr(profile));
}

static VAStatus kmscap_va_check_pair(struct kmscap_va_driver *drv, VAProfile profile,
				     VAEntrypoint ep, const char *func)
{
	enum kmscap_va_codec codec = kmscap_va_codec_of(profile);

	if (codec == KMSCAP_VA_CODEC_H264 || codec == KMSCAP_VA_CODEC_HEVC ||
	    codec == KMSCAP_VA_CODEC_AV1) {
		if (kmscap_va_is_encode(ep))
			return VA_STATUS_SUCCESS;
		return kmscap_va_reject(drv, VA_STATUS_ERROR_UNSUPPORTED_ENTRYPOINT, func,
					"entrypoint %s is not supported for %s",
					vaEntrypointStr(ep), vaProfileStr(profile));
	}
	if (profile == VAProfileNone) {
		if (ep == VAEntrypointVideoProc)
			return VA_STATUS_SUCCESS;
		return kmscap_va_reject(drv, VA_STATUS_ERROR_UNSUPPORTED_ENTRYPOINT, func,
					"entrypoint %s is not supported for VAProfileNone",
					vaEntrypointStr(ep));
	}
	return kmscap_va_reject(drv, VA_STATUS_ERROR_UNSUPPORTED_PROFILE, func,
				"profile %d (%s) is not supported", profile,
				vaProfileStr(profile));
}

static uint32_t kmscap_va_attrib_value(struct kmscap_va_driver *drv, VAProfile profile,
				       VAEntrypoint ep, VAConfigAttribType type)
{
	if (ep == VAEntrypointVideoProc) {
		switch (type) {
		case VAConfigAttribRTFormat:
			return KMSCAP_VA_VPP_RT_FORMATS;
		case VAConfigAttribMaxPictureWidth:
			return KMSCAP_VA_MAX_WIDTH;
		case VAConfigAttribMaxPictureHeight:
			return KMSCAP_VA_MAX_HEIGHT;
		default:
			return VA_ATTRIB_NOT_SUPPORTED;
		}
	}
	switch (kmscap_va_codec_of(profile)) {
	case KMSCAP_VA_CODEC_HEVC:
		return kmscap_va_hevc_attrib(profile, ep, type, kmscap_va_hevc_gpb(drv));
	case KMSCAP_VA_CODEC_AV1:
		return kmscap_va_av1_attrib(ep, type);
	case KMSCAP_VA_CODEC_H264:
		break;
	default:
		return VA_ATTRIB_NOT_SUPPORTED;
	}
	switch (type) {
	case VAConfigAttribRTFormat:
		return KMSCAP_VA_ENC_RT_FORMATS;
	case VAConfigAttribRateControl:
		return VA_RC_CQP | VA_RC_CBR | VA_RC_VBR;
	case VAConfigAttribEncPackedHeaders:
		return KMSCAP_VA_PACKED_HEADERS;
	case VAConfigAttribEncInterlaced:
		return VA_ENC_INTERLACED_NONE;
	case VAConfigAttribEncMaxRefFrames:
		/* L0, and one L1 for B frames, which Constrained Baseline forbids */
		return KMSCAP_VA_MAX_REFS |
		       (profile == VAProfileH264ConstrainedBaseline ? 0 : 1 << 16);
	case VAConfigAttribEncMaxSlices:
		return KMSCAP_VA_MAX_SLICES;
	case VAConfigAttribEncSliceStructure:
		return KMSCAP_VA_SLICE_STRUCTURE;
	case VAConfigAttribEncIntraRefresh:
		return KMSCAP_VA_INTRA_REFRESH;
	case VAConfigAttribMaxPictureWidth:
		return KMSCAP_VA_MAX_WIDTH;
	case VAConfigAttribMaxPictureHeight:
		return KMSCAP_VA_MAX_HEIGHT;
	default:
		return VA_ATTRIB_NOT_SUPPORTED;
	}
}

VAStatus kmscap_va_get_config_attributes(VADriverContextP ctx, VAProfile profile,
					 VAEntrypoint entrypoint, VAConfigAttrib *list, int num)
{
	struct kmscap_va_driver *drv = kmscap_va_drv(ctx);
	VAStatus st = kmscap_va_check_pair(drv, profile, entrypoint, __func__);
	int i;

	if (st != VA_STATUS_SUCCESS)
		return st;
	for (i = 0; i < num; i++)
		list[i].value = kmscap_va_attrib_value(drv, profile, entrypoint, list[i].type);
	return VA_STATUS_SUCCESS;
}

static bool kmscap_va_one_bit(uint32_t v)
{
	return v && !(v & (v - 1));
}

/*
 * Unsupported attributes and values are refused with
 * VA_STATUS_ERROR_INVALID_VALUE, as Mesa and the i965 driver do.
 */
VAStatus kmscap_va_create_config(VADriverContextP ctx, VAProfile profile,
				 VAEntrypoint entrypoint, VAConfigAttrib *list, int num,
				 VAConfigID *config_id)
{
	struct kmscap_va_driver *drv = kmscap_va_drv(ctx);
	struct kmscap_va_config *cfg;
	VAStatus st = kmscap_va_check_pair(drv, profile, entrypoint, __func__);
	uint32_t rt;
	int i;

	if (st != VA_STATUS_SUCCESS)
		return st;
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return VA_STATUS_ERROR_ALLOCATION_FAILED;
	cfg->profile = profile;
	cfg->codec = kmscap_va_codec_of(profile);
	cfg->entrypoint = entrypoint;
	/* default: the lowest RT format offered (YUV420_10 for HEVC Main10) */
	rt = kmscap_va_attrib_value(drv, profile, entrypoint, VAConfigAttribRTFormat);
	cfg->rt_format = rt & (~rt + 1);
	cfg->rc_mode = entrypoint == VAEntrypointVideoProc ? VA_RC_NONE : VA_RC_CQP;
	cfg->packed_headers = VA_ENC_PACKED_HEADER_NONE;
	cfg->hevc_gpb = cfg->codec == KMSCAP_VA_CODEC_HEVC && kmscap_va_hevc_gpb(drv);

	for (i = 0; i < num; i++) {
		uint32_t sup = kmscap_va_attrib_value(drv, profile, entrypoint, list[i].type);
		uint32_t v = list[i].value;

		if (sup == VA_ATTRIB_NOT_SUPPORTED) {
			st = KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_VALUE,
					      "attribute %s is not supported for %s/%s",
					      vaConfigAttribTypeStr(list[i].type),
					      vaProfileStr(profile), vaEntrypointStr(entrypoint));
			goto fail;
		}
		switch (list[i].type) {
		case VAConfigAttribRTFormat:
			if (!kmscap_va_one_bit(v) || (v & ~sup)) {
				st = KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_UNSUPPORTED_RT_FORMAT,
						      "RT format %#x not supported (supported %#x)",
						      v, sup);
				goto fail;
			}
			cfg->rt_format = v;
			break;
		case VAConfigAttribRateControl:
			if (!kmscap_va_one_bit(v) || (v & ~sup)) {
				st = KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_VALUE,
						      "rate control mode %#x not supported (supported %#x: CQP, CBR, VBR)",
						      v, sup);
				goto fail;
			}
			cfg->rc_mode = v;
			break;
		case VAConfigAttribEncPackedHeaders:
			if (v & ~sup) {
				st = KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_VALUE,
						      "packed headers %#x not supported (supported %#x)",
						      v, sup);
				goto fail;
			}
			cfg->packed_headers = v;
			break;
		case VAConfigAttribEncInterlaced:
		case VAConfigAttribEncIntraRefresh:
		case VAConfigAttribEncSliceStructure:
		case VAConfigAttribPredictionDirection:
			if (v & ~sup) {
				st = KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_VALUE,
						      "%s value %#x not supported (supported %#x)",
						      vaConfigAttribTypeStr(list[i].type), v, sup);
				goto fail;
			}
			break;
		case VAConfigAttribEncHEVCFeatures:
		case VAConfigAttribEncHEVCBlockSizes:
		case VAConfigAttribEncAV1:
		case VAConfigAttribEncAV1Ext1:
		case VAConfigAttribEncAV1Ext2:
			/* capabilities, not choices: only the offered value is accepted */
			if (v != sup) {
				st = KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_VALUE,
						      "%s value %#x is not the one offered (%#x)",
						      vaConfigAttribTypeStr(list[i].type), v, sup);
				goto fail;
			}
			break;
		default:
			if (v > sup) {
				st = KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_VALUE,
						      "%s value %u exceeds %u",
						      vaConfigAttribTypeStr(list[i].type), v, sup);
				goto fail;
			}
			break;
		}
	}
	*config_id = kmscap_va_obj_add(drv, KMSCAP_VA_OBJ_CONFIG, cfg);
	if (*config_id == VA_INVALID_ID) {
		st = VA_STATUS_ERROR_ALLOCATION_FAILED;
		goto fail;
	}
	return VA_STATUS_SUCCESS;
fail:
	free(cfg);
	return st;
}

VAStatus kmscap_va_destroy_config(VADriverContextP ctx, VAConfigID config_id)
{
	struct kmscap_va_driver *drv = kmscap_va_drv(ctx);
	struct kmscap_va_config *cfg = kmscap_va_obj_remove(drv, KMSCAP_VA_OBJ_CONFIG, config_id);

	if (!cfg)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_CONFIG,
					"config %#x does not exist or was destroyed", config_id);
	free(cfg);
	return VA_STATUS_SUCCESS;
}

VAStatus kmscap_va_query_config_attributes(VADriverContextP ctx, VAConfigID config_id,
					   VAProfile *profile, VAEntrypoint *entrypoint,
					   VAConfigAttrib *list, int *num)
{
	struct kmscap_va_driver *drv = kmscap_va_drv(ctx);
	struct kmscap_va_config *cfg = kmscap_va_obj_get(drv, KMSCAP_VA_OBJ_CONFIG, config_id,
							 NULL);
	int n = 0;

	if (!cfg)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_CONFIG,
					"config %#x does not exist or was destroyed", config_id);
	*profile = cfg->profile;
	*entrypoint = cfg->entrypoint;
	list[n].type = VAConfigAttribRTFormat;
	list[n++].value = cfg->rt_format;
	if (kmscap_va_is_encode(cfg->entrypoint)) {
		list[n].type = VAConfigAttribRateControl;
		list[n++].value = cfg->rc_mode;
		list[n].type = VAConfigAttribEncPackedHeaders;
		list[n++].value = cfg->packed_headers;
	}
	*num = n;
	return VA_STATUS_SUCCESS;
}
