// SPDX-License-Identifier: MIT
/*
 * hevc_validate.c - the checks a real HEVC encoder makes on
 * VAEncSequenceParameterBufferHEVC, VAEncPictureParameterBufferHEVC and
 * VAEncSliceParameterBufferHEVC, and the coding tools and block sizes the
 * driver offers (VAConfigAttribEncHEVCFeatures/BlockSizes).  Every coding
 * unit is PCM, so pcm_enabled_flag is required and the PCM parameters must
 * make the coding lossless.  With KMSCAP_VA_HEVC_GPB (config.hevc_gpb) P
 * slices are refused and B slices accepted when list 1 repeats list 0.
 */
#include <string.h>

#include "kmscap_va.h"

/* The block sizes offered: CTB 16..64, CB from 8, TB 4..32, PCM 8..32. */
#define KMSCAP_VA_HEVC_LOG2_MIN_CTB	4
#define KMSCAP_VA_HEVC_LOG2_MAX_CTB	6
#define KMSCAP_VA_HEVC_LOG2_MIN_CB	3
#define KMSCAP_VA_HEVC_LOG2_MIN_TB	2
#define KMSCAP_VA_HEVC_LOG2_MAX_TB	5
#define KMSCAP_VA_HEVC_MAX_TH_DEPTH	3
#define KMSCAP_VA_HEVC_LOG2_MIN_PCM	3
#define KMSCAP_VA_HEVC_LOG2_MAX_PCM	5

unsigned int kmscap_va_hevc_features(void)
{
	VAConfigAttribValEncHEVCFeatures f = { .value = 0 };

	f.bits.pcm = VA_FEATURE_REQUIRED;
	/* flags that change no coding unit of a PCM-only picture */
	f.bits.temporal_mvp = VA_FEATURE_SUPPORTED;
	f.bits.strong_intra_smoothing = VA_FEATURE_SUPPORTED;
	f.bits.constrained_intra_pred = VA_FEATURE_SUPPORTED;
	f.bits.deblocking_filter_disable = VA_FEATURE_SUPPORTED;
	return f.value;
}

unsigned int kmscap_va_hevc_block_sizes(void)
{
	VAConfigAttribValEncHEVCBlockSizes s = { .value = 0 };

	s.bits.log2_max_coding_tree_block_size_minus3 = KMSCAP_VA_HEVC_LOG2_MAX_CTB - 3;
	s.bits.log2_min_coding_tree_block_size_minus3 = KMSCAP_VA_HEVC_LOG2_MIN_CTB - 3;
	s.bits.log2_min_luma_coding_block_size_minus3 = KMSCAP_VA_HEVC_LOG2_MIN_CB - 3;
	s.bits.log2_max_luma_transform_block_size_minus2 = KMSCAP_VA_HEVC_LOG2_MAX_TB - 2;
	s.bits.log2_min_luma_transform_block_size_minus2 = KMSCAP_VA_HEVC_LOG2_MIN_TB - 2;
	s.bits.max_max_transform_hierarchy_depth_inter = KMSCAP_VA_HEVC_MAX_TH_DEPTH;
	s.bits.min_max_transform_hierarchy_depth_inter = 0;
	s.bits.max_max_transform_hierarchy_depth_intra = KMSCAP_VA_HEVC_MAX_TH_DEPTH;
	s.bits.min_max_transform_hierarchy_depth_intra = 0;
	s.bits.log2_max_pcm_coding_block_size_minus3 = KMSCAP_VA_HEVC_LOG2_MAX_PCM - 3;
	s.bits.log2_min_pcm_coding_block_size_minus3 = KMSCAP_VA_HEVC_LOG2_MIN_PCM - 3;
	return s.value;
}

#define REJECT(...) KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER, __VA_ARGS__)

/* Table A.8: general_level_idc and MaxLumaPs */
static const struct {
	unsigned int level_idc;
	unsigned int max_luma_ps;
} kmscap_va_hevc_levels[] = {
	{ 30, 36864 }, { 60, 122880 }, { 63, 245760 }, { 90, 552960 }, { 93, 983040 },
	{ 120, 2228224 }, { 123, 2228224 }, { 150, 8912896 }, { 153, 8912896 },
	{ 156, 8912896 }, { 180, 35651584 }, { 183, 35651584 }, { 186, 35651584 },
};

static unsigned int kmscap_va_isqrt(unsigned long v)
{
	unsigned long r = 0;

	while ((r + 1) * (r + 1) <= v)
		r++;
	return r;
}

void kmscap_va_hevc_sps_info_of(const VAEncSequenceParameterBufferHEVC *seq,
				struct kmscap_va_hevc_sps_info *si)
{
	memset(si, 0, sizeof(*si));
	si->width = seq->pic_width_in_luma_samples;
	si->height = seq->pic_height_in_luma_samples;
	si->bit_depth_luma = seq->seq_fields.bits.bit_depth_luma_minus8 + 8;
	si->bit_depth_chroma = seq->seq_fields.bits.bit_depth_chroma_minus8 + 8;
	si->log2_min_cb = seq->log2_min_luma_coding_block_size_minus3 + 3;
	si->log2_ctb = si->log2_min_cb + seq->log2_diff_max_min_luma_coding_block_size;
	si->log2_min_tb = seq->log2_min_transform_block_size_minus2 + 2;
	si->log2_max_tb = si->log2_min_tb + seq->log2_diff_max_min_transform_block_size;
	si->pcm_enabled = seq->seq_fields.bits.pcm_enabled_flag;
	si->pcm_loop_filter_disabled = seq->seq_fields.bits.pcm_loop_filter_disabled_flag;
	si->pcm_bit_depth_luma = seq->pcm_sample_bit_depth_luma_minus1 + 1;
	si->pcm_bit_depth_chroma = seq->pcm_sample_bit_depth_chroma_minus1 + 1;
	si->log2_min_pcm = seq->log2_min_pcm_luma_coding_block_size_minus3 + 3;
	si->log2_max_pcm = seq->log2_max_pcm_luma_coding_block_size_minus3 + 3;
	si->scaling_list = seq->seq_fields.bits.scaling_list_enabled_flag;
	si->sao = seq->seq_fields.bits.sample_adaptive_offset_enabled_flag;
}

/* A packed SPS must describe the slice data the driver writes from the parameters. */
VAStatus kmscap_va_hevc_check_sps_info(struct kmscap_va_driver *drv,
				       const struct kmscap_va_hevc_state *h,
				       const struct kmscap_va_hevc_sps_info *si)
{
	struct kmscap_va_hevc_sps_info want;

	kmscap_va_hevc_sps_info_of(&h->seq, &want);
	if (!si->pcm_enabled)
		return REJECT("packed SPS: pcm_enabled_flag 0, but every CU is PCM (VAConfigAttribEncHEVCFeatures: pcm required)");
	if (si->scaling_list || si->sao)
		return REJECT("packed SPS: scaling lists or SAO enabled (not offered)");
	if (si->width != want.width || si->height != want.height)
		return REJECT("packed SPS: %ux%u, sequence parameters %ux%u", si->width,
			      si->height, want.width, want.height);
	if (si->bit_depth_luma != want.bit_depth_luma ||
	    si->bit_depth_chroma != want.bit_depth_chroma)
		return REJECT("packed SPS: bit depth %u/%u, sequence parameters %u/%u",
			      si->bit_depth_luma, si->bit_depth_chroma, want.bit_depth_luma,
			      want.bit_depth_chroma);
	if (si->log2_min_cb != want.log2_min_cb || si->log2_ctb != want.log2_ctb)
		return REJECT("packed SPS: CTB %u / min CB %u, sequence parameters %u / %u",
			      1u << si->log2_ctb, 1u << si->log2_min_cb, 1u << want.log2_ctb,
			      1u << want.log2_min_cb);
	if (si->pcm_bit_depth_luma != want.pcm_bit_depth_luma ||
	    si->pcm_bit_depth_chroma != want.pcm_bit_depth_chroma ||
	    si->log2_min_pcm != want.log2_min_pcm || si->log2_max_pcm != want.log2_max_pcm ||
	    si->pcm_loop_filter_disabled != want.pcm_loop_filter_disabled)
		return REJECT("packed SPS: PCM bit depth %u/%u, sizes %u..%u, loop filter disabled %d; sequence parameters %u/%u, %u..%u, %d",
			      si->pcm_bit_depth_luma, si->pcm_bit_depth_chroma,
			      1u << si->log2_min_pcm, 1u << si->log2_max_pcm,
			      si->pcm_loop_filter_disabled, want.pcm_bit_depth_luma,
			      want.pcm_bit_depth_chroma, 1u << want.log2_min_pcm,
			      1u << want.log2_max_pcm, want.pcm_loop_filter_disabled);
	return VA_STATUS_SUCCESS;
}

VAStatus kmscap_va_hevc_check_pps_info(struct kmscap_va_driver *drv,
				       const struct kmscap_va_hevc_state *h,
				       const struct kmscap_va_hevc_pps_info *pi)
{
	if (pi->init_qp != h->pic.pic_init_qp)
		return REJECT("packed PPS: init_qp %d, picture parameters pic_init_qp %u",
			      pi->init_qp, h->pic.pic_init_qp);
	if (pi->transquant_bypass || pi->tiles || pi->entropy_coding_sync ||
	    pi->dependent_slices)
		return REJECT("packed PPS: transquant bypass, tiles, wavefronts or dependent slices enabled (not offered)");
	return VA_STATUS_SUCCESS;
}

VAStatus kmscap_va_hevc_check_seq(struct kmscap_va_driver *drv, struct kmscap_va_context *c)
{
	struct kmscap_va_hevc_state *h = c->hevc;
	const VAEncSequenceParameterBufferHEVC *seq = &h->seq;
	bool main10 = c->config.profile == VAProfileHEVCMain10;
	unsigned int depth = main10 ? 10 : 8, profile_idc = main10 ? 2 : 1;
	struct kmscap_va_hevc_sps_info si;
	unsigned int min_cb, w, hgt, i, th_max;
	unsigned long max_ps = 0;

	if (h->seq_in_pic && h->have_active && !h->pic.pic_fields.bits.idr_pic_flag &&
	    memcmp(&h->seq, &h->active_seq, sizeof(h->seq)))
		return REJECT("sequence parameters changed on a non-IDR picture");
	kmscap_va_hevc_sps_info_of(seq, &si);
	if (seq->general_profile_idc != profile_idc)
		return REJECT("general_profile_idc %u, %s needs %u", seq->general_profile_idc,
			      vaProfileStr(c->config.profile), profile_idc);
	if (seq->seq_fields.bits.chroma_format_idc != 1 ||
	    seq->seq_fields.bits.separate_colour_plane_flag)
		return REJECT("chroma_format_idc %u / separate planes %u: only 4:2:0",
			      seq->seq_fields.bits.chroma_format_idc,
			      seq->seq_fields.bits.separate_colour_plane_flag);
	if (si.bit_depth_luma != depth || si.bit_depth_chroma != depth)
		return REJECT("bit depth luma %u chroma %u: %s encodes %u-bit %s input",
			      si.bit_depth_luma, si.bit_depth_chroma,
			      vaProfileStr(c->config.profile), depth, main10 ? "P010" : "NV12");
	if (c->width % 2 || c->height % 2)
		return REJECT("context %ux%u: 4:2:0 needs an even size", c->width, c->height);
	/* block sizes: what VAConfigAttribEncHEVCBlockSizes offers, and H.265 7.4.3.2 */
	if (si.log2_min_cb < KMSCAP_VA_HEVC_LOG2_MIN_CB ||
	    si.log2_ctb < KMSCAP_VA_HEVC_LOG2_MIN_CTB ||
	    si.log2_ctb > KMSCAP_VA_HEVC_LOG2_MAX_CTB)
		return REJECT("CTB %u / min CB %u: offered CTB %u..%u, CB from %u",
			      1u << si.log2_ctb, 1u << si.log2_min_cb,
			      1u << KMSCAP_VA_HEVC_LOG2_MIN_CTB, 1u << KMSCAP_VA_HEVC_LOG2_MAX_CTB,
			      1u << KMSCAP_VA_HEVC_LOG2_MIN_CB);
	if (si.log2_min_tb < KMSCAP_VA_HEVC_LOG2_MIN_TB ||
	    si.log2_max_tb > KMSCAP_VA_HEVC_LOG2_MAX_TB ||
	    si.log2_min_tb >= si.log2_min_cb || si.log2_max_tb > si.log2_ctb)
		return REJECT("transform blocks %u..%u: offered %u..%u, below the min CB %u, at most the CTB %u",
			      1u << si.log2_min_tb, 1u << si.log2_max_tb,
			      1u << KMSCAP_VA_HEVC_LOG2_MIN_TB, 1u << KMSCAP_VA_HEVC_LOG2_MAX_TB,
			      1u << si.log2_min_cb, 1u << si.log2_ctb);
	th_max = si.log2_ctb - si.log2_min_tb;
	if (th_max > KMSCAP_VA_HEVC_MAX_TH_DEPTH)
		th_max = KMSCAP_VA_HEVC_MAX_TH_DEPTH;
	if (seq->max_transform_hierarchy_depth_inter > th_max ||
	    seq->max_transform_hierarchy_depth_intra > th_max)
		return REJECT("max_transform_hierarchy_depth inter %u / intra %u above %u",
			      seq->max_transform_hierarchy_depth_inter,
			      seq->max_transform_hierarchy_depth_intra, th_max);
	/* PCM: required, lossless, sizes as offered */
	if (!si.pcm_enabled)
		return REJECT("pcm_enabled_flag 0: every CU is PCM (VAConfigAttribEncHEVCFeatures: pcm required)");
	if (si.pcm_bit_depth_luma != depth || si.pcm_bit_depth_chroma != depth)
		return REJECT("PCM bit depth luma %u chroma %u: must be the bit depth %u (lossless)",
			      si.pcm_bit_depth_luma, si.pcm_bit_depth_chroma, depth);
	if (si.log2_min_pcm < KMSCAP_VA_HEVC_LOG2_MIN_PCM ||
	    si.log2_max_pcm > KMSCAP_VA_HEVC_LOG2_MAX_PCM ||
	    si.log2_min_pcm > si.log2_max_pcm || si.log2_min_pcm < si.log2_min_cb ||
	    si.log2_max_pcm > si.log2_ctb)
		return REJECT("PCM sizes %u..%u: offered %u..%u, within min CB %u..CTB %u",
			      1u << si.log2_min_pcm, 1u << si.log2_max_pcm,
			      1u << KMSCAP_VA_HEVC_LOG2_MIN_PCM, 1u << KMSCAP_VA_HEVC_LOG2_MAX_PCM,
			      1u << si.log2_min_cb, 1u << si.log2_ctb);
	if (!si.pcm_loop_filter_disabled)
		return REJECT("pcm_loop_filter_disabled_flag 0: deblocking would change the PCM samples");
	if (si.scaling_list || si.sao || seq->seq_fields.bits.amp_enabled_flag)
		return REJECT("scaling lists, SAO or AMP enabled (VAConfigAttribEncHEVCFeatures: not supported)");
	if (seq->vui_parameters_present_flag && seq->vui_fields.bits.field_seq_flag)
		return REJECT("field_seq_flag: interlaced coding is not supported");
	/* size: the context rounded up to the minimum CB; edge CUs must be PCM */
	min_cb = 1u << si.log2_min_cb;
	w = (c->width + min_cb - 1) / min_cb * min_cb;
	hgt = (c->height + min_cb - 1) / min_cb * min_cb;
	if (si.width != w || si.height != hgt)
		return REJECT("picture %ux%u: the %ux%u context needs %ux%u (a multiple of the min CB %u)",
			      si.width, si.height, c->width, c->height, w, hgt, min_cb);
	if (si.width % (1u << si.log2_min_pcm) || si.height % (1u << si.log2_min_pcm))
		return REJECT("picture %ux%u not a multiple of the minimum PCM size %u: its edge CUs could not be PCM",
			      si.width, si.height, 1u << si.log2_min_pcm);
	for (i = 0; i < sizeof(kmscap_va_hevc_levels) / sizeof(kmscap_va_hevc_levels[0]); i++)
		if (kmscap_va_hevc_levels[i].level_idc == seq->general_level_idc)
			max_ps = kmscap_va_hevc_levels[i].max_luma_ps;
	if (!max_ps)
		return REJECT("general_level_idc %u is not a level of table A.8",
			      seq->general_level_idc);
	if ((unsigned long)si.width * si.height > max_ps ||
	    si.width > kmscap_va_isqrt(8 * max_ps) || si.height > kmscap_va_isqrt(8 * max_ps))
		return REJECT("picture %ux%u too large for level %u.%u (MaxLumaPs %lu)", si.width,
			      si.height, seq->general_level_idc / 30,
			      seq->general_level_idc % 30 / 3, max_ps);
	return VA_STATUS_SUCCESS;
}

static bool kmscap_va_hevc_valid_ref(const VAPictureHEVC *r)
{
	return r->picture_id != VA_INVALID_SURFACE && !(r->flags & VA_PICTURE_HEVC_INVALID);
}

VAStatus kmscap_va_hevc_check_pic(struct kmscap_va_driver *drv, struct kmscap_va_context *c)
{
	struct kmscap_va_hevc_state *h = c->hevc;
	const VAEncPictureParameterBufferHEVC *pic = &h->pic;
	unsigned int nal = pic->nal_unit_type, type = pic->pic_fields.bits.coding_type;
	bool idr = pic->pic_fields.bits.idr_pic_flag;
	int32_t poc = pic->decoded_curr_pic.pic_order_cnt;
	unsigned int log2_ctb = h->seq.log2_min_luma_coding_block_size_minus3 + 3 +
				h->seq.log2_diff_max_min_luma_coding_block_size;
	struct kmscap_va_surface *recon, *src;
	VAStatus st = VA_STATUS_SUCCESS;
	unsigned int i, j, nrefs = 0;

	if (!h->started && !idr)
		return REJECT("the first picture must be an IDR picture");
	if (idr && (nal != 19 && nal != 20))
		return REJECT("IDR picture with nal_unit_type %u (IDR_W_RADL 19 or IDR_N_LP 20)", nal);
	if (!idr && nal != 0 && nal != 1 && nal != 21)
		return REJECT("nal_unit_type %u: only TRAIL_N, TRAIL_R, CRA and IDR pictures", nal);
	if (nal == 0 && pic->pic_fields.bits.reference_pic_flag)
		return REJECT("TRAIL_N picture marked as a reference (reference_pic_flag)");
	if (!c->config.hevc_gpb && (type == 3 || type > 3 || type == 0))
		return REJECT("coding_type %u: only I (1) and P (2); no B, EncMaxRefFrames offers no list 1",
			      type);
	/* GPB: a P or B picture, coded in B slices with list 1 = list 0 */
	if (c->config.hevc_gpb && (type > 3 || type == 0))
		return REJECT("coding_type %u: only I (1), P (2) and B (3)", type);
	if ((idr || nal == 21) && type != 1)
		return REJECT("IRAP picture (nal_unit_type %u) with coding_type %u, not I", nal, type);
	if (idr && poc != 0)
		return REJECT("IDR picture with pic_order_cnt %d, must be 0", poc);
	if (!kmscap_va_hevc_valid_ref(&pic->decoded_curr_pic))
		return REJECT("decoded_curr_pic is invalid");
	recon = kmscap_va_surface_get(drv, pic->decoded_curr_pic.picture_id, &st, __func__);
	if (!recon)
		return st;
	src = kmscap_va_obj_get(drv, KMSCAP_VA_OBJ_SURFACE, c->render_target, NULL);
	if (src && recon->fourcc != src->fourcc)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_SURFACE,
					"reconstructed surface %#x of another format than the input %#x",
					recon->id, src->id);
	if (pic->pic_init_qp > 51)
		return REJECT("pic_init_qp %u above 51", pic->pic_init_qp);
	if (pic->pps_cb_qp_offset < -12 || pic->pps_cb_qp_offset > 12 ||
	    pic->pps_cr_qp_offset < -12 || pic->pps_cr_qp_offset > 12)
		return REJECT("pps_cb/cr_qp_offset %d/%d outside -12..12", pic->pps_cb_qp_offset,
			      pic->pps_cr_qp_offset);
	if (pic->pic_fields.bits.dependent_slice_segments_enabled_flag ||
	    pic->pic_fields.bits.sign_data_hiding_enabled_flag ||
	    pic->pic_fields.bits.transform_skip_enabled_flag ||
	    pic->pic_fields.bits.cu_qp_delta_enabled_flag ||
	    pic->pic_fields.bits.weighted_pred_flag || pic->pic_fields.bits.weighted_bipred_flag ||
	    pic->pic_fields.bits.transquant_bypass_enabled_flag ||
	    pic->pic_fields.bits.scaling_list_data_present_flag ||
	    pic->pic_fields.bits.screen_content_flag)
		return REJECT("pic_fields %#x: dependent slices, sign data hiding, transform skip, CU QP delta, weighted prediction, transquant bypass, scaling lists or SCC (VAConfigAttribEncHEVCFeatures: not supported)",
			      pic->pic_fields.value);
	if (pic->pic_fields.bits.tiles_enabled_flag ||
	    pic->pic_fields.bits.entropy_coding_sync_enabled_flag)
		return REJECT("tiles or wavefront parallel processing requested (not supported)");
	if (pic->log2_parallel_merge_level_minus2 > log2_ctb - 2)
		return REJECT("log2_parallel_merge_level_minus2 %u above %u",
			      pic->log2_parallel_merge_level_minus2, log2_ctb - 2);
	if (pic->num_ref_idx_l0_default_active_minus1 > 14 ||
	    pic->num_ref_idx_l1_default_active_minus1 > 14)
		return REJECT("num_ref_idx_l0/l1_default_active_minus1 %u/%u above 14",
			      pic->num_ref_idx_l0_default_active_minus1,
			      pic->num_ref_idx_l1_default_active_minus1);
	if (pic->slice_pic_parameter_set_id > 63)
		return REJECT("slice_pic_parameter_set_id %u above 63",
			      pic->slice_pic_parameter_set_id);
	if (idr)
		return VA_STATUS_SUCCESS;
	if (poc <= h->prev_poc - 32768 || poc >= h->prev_poc + 32768)
		return REJECT("pic_order_cnt %d too far from the previous %d (POC LSB of 16 bits)",
			      poc, h->prev_poc);
	for (i = 0; i < 15; i++) {
		const VAPictureHEVC *r = &pic->reference_frames[i];
		bool found = false;

		if (!kmscap_va_hevc_valid_ref(r))
			continue;
		if (!kmscap_va_surface_get(drv, r->picture_id, &st, __func__))
			return st;
		if (r->picture_id == pic->decoded_curr_pic.picture_id)
			return REJECT("reference_frames[%u] is the current picture's surface %#x", i,
				      r->picture_id);
		if (r->pic_order_cnt >= poc)
			return REJECT("reference_frames[%u] has POC %d, not before the current %d (low delay only, no list 1)",
				      i, r->pic_order_cnt, poc);
		for (j = 0; j < h->dpb_count; j++)
			found |= h->dpb[j].surface == r->picture_id &&
				 h->dpb[j].poc == r->pic_order_cnt;
		if (!found)
			return REJECT("reference_frames[%u] (surface %#x, POC %d) is not a reference picture in the DPB",
				      i, r->picture_id, r->pic_order_cnt);
		nrefs++;
	}
	if (nrefs > KMSCAP_VA_HEVC_MAX_REFS)
		return REJECT("%u reference frames, at most %d", nrefs, KMSCAP_VA_HEVC_MAX_REFS);
	if (type != 1 && !nrefs)
		return REJECT("%s picture without a reference frame", type == 2 ? "P" : "B");
	return VA_STATUS_SUCCESS;
}

static bool kmscap_va_hevc_in_refs(const VAEncPictureParameterBufferHEVC *pic,
				   const VAPictureHEVC *r)
{
	unsigned int i;

	for (i = 0; i < 15; i++)
		if (kmscap_va_hevc_valid_ref(&pic->reference_frames[i]) &&
		    pic->reference_frames[i].picture_id == r->picture_id &&
		    pic->reference_frames[i].pic_order_cnt == r->pic_order_cnt)
			return true;
	return false;
}

VAStatus kmscap_va_hevc_check_slices(struct kmscap_va_driver *drv, struct kmscap_va_context *c)
{
	struct kmscap_va_hevc_state *h = c->hevc;
	const VAEncPictureParameterBufferHEVC *pic = &h->pic;
	const VAEncSequenceParameterBufferHEVC *seq = &h->seq;
	unsigned int ctb = 1u << (seq->log2_min_luma_coding_block_size_minus3 + 3 +
				  seq->log2_diff_max_min_luma_coding_block_size);
	unsigned int ctbs = ((seq->pic_width_in_luma_samples + ctb - 1) / ctb) *
			    ((seq->pic_height_in_luma_samples + ctb - 1) / ctb);
	int qp_min = -6 * (int)seq->seq_fields.bits.bit_depth_luma_minus8;
	unsigned int next = 0, i, k;

	if (!h->num_slices)
		return REJECT("picture without a slice parameter buffer");
	for (i = 0; i < h->num_slices; i++) {
		const VAEncSliceParameterBufferHEVC *sl = &h->slices[i];
		int qp = (int)pic->pic_init_qp + sl->slice_qp_delta;
		unsigned int nref, nref1;

		if (sl->slice_segment_address != next || !sl->num_ctu_in_slice ||
		    sl->slice_segment_address + sl->num_ctu_in_slice > ctbs)
			return REJECT("slice %u covers CTUs %u..+%u, expected to start at %u (%u CTUs in the picture)",
				      i, sl->slice_segment_address, sl->num_ctu_in_slice, next,
				      ctbs);
		next = sl->slice_segment_address + sl->num_ctu_in_slice;
		if (sl->slice_type > 2 || (sl->slice_type == 0 && !c->config.hevc_gpb))
			return REJECT("slice %u: slice_type %u (B or unknown): only P (1) and I (2)",
				      i, sl->slice_type);
		if (sl->slice_type == 1 && c->config.hevc_gpb)
			return REJECT("slice %u: P slice, but this encoder codes no P slices (KMSCAP_VA_HEVC_GPB, VA_PREDICTION_DIRECTION_BI_NOT_EMPTY): send a B slice whose RefPicList1 repeats RefPicList0",
				      i);
		if (sl->slice_type != 2 && pic->pic_fields.bits.coding_type == 1)
			return REJECT("slice %u: %s slice in an I picture", i,
				      sl->slice_type ? "P" : "B");
		if (sl->slice_pic_parameter_set_id != pic->slice_pic_parameter_set_id)
			return REJECT("slice %u: slice_pic_parameter_set_id %u, picture's %u", i,
				      sl->slice_pic_parameter_set_id,
				      pic->slice_pic_parameter_set_id);
		if (qp < qp_min || qp > 51)
			return REJECT("slice %u: QP %d (pic_init_qp %u + slice_qp_delta %d) outside %d..51",
				      i, qp, pic->pic_init_qp, sl->slice_qp_delta, qp_min);
		if (sl->slice_cb_qp_offset < -12 || sl->slice_cb_qp_offset > 12 ||
		    sl->slice_cr_qp_offset < -12 || sl->slice_cr_qp_offset > 12 ||
		    pic->pps_cb_qp_offset + sl->slice_cb_qp_offset < -12 ||
		    pic->pps_cb_qp_offset + sl->slice_cb_qp_offset > 12 ||
		    pic->pps_cr_qp_offset + sl->slice_cr_qp_offset < -12 ||
		    pic->pps_cr_qp_offset + sl->slice_cr_qp_offset > 12)
			return REJECT("slice %u: chroma QP offsets %d/%d (with the picture's %d/%d) outside -12..12",
				      i, sl->slice_cb_qp_offset, sl->slice_cr_qp_offset,
				      pic->pps_cb_qp_offset, pic->pps_cr_qp_offset);
		if (sl->slice_fields.bits.slice_deblocking_filter_disabled_flag > 1)
			return REJECT("slice %u: slice_deblocking_filter_disabled_flag %u", i,
				      sl->slice_fields.bits.slice_deblocking_filter_disabled_flag);
		if (!sl->slice_fields.bits.slice_deblocking_filter_disabled_flag &&
		    (sl->slice_beta_offset_div2 < -6 || sl->slice_beta_offset_div2 > 6 ||
		     sl->slice_tc_offset_div2 < -6 || sl->slice_tc_offset_div2 > 6))
			return REJECT("slice %u: beta/tc offsets %d/%d outside -6..6", i,
				      sl->slice_beta_offset_div2, sl->slice_tc_offset_div2);
		if (sl->slice_fields.bits.dependent_slice_segment_flag ||
		    sl->slice_fields.bits.colour_plane_id ||
		    sl->slice_fields.bits.slice_sao_luma_flag ||
		    sl->slice_fields.bits.slice_sao_chroma_flag)
			return REJECT("slice %u: dependent slice segment, colour plane or SAO (not supported)",
				      i);
		if (sl->slice_fields.bits.slice_temporal_mvp_enabled_flag &&
		    !seq->seq_fields.bits.sps_temporal_mvp_enabled_flag)
			return REJECT("slice %u: slice_temporal_mvp_enabled_flag without sps_temporal_mvp_enabled_flag",
				      i);
		if (sl->slice_type == 2)
			continue;
		if (sl->max_num_merge_cand < 1 || sl->max_num_merge_cand > 5)
			return REJECT("slice %u: max_num_merge_cand %u outside 1..5", i,
				      sl->max_num_merge_cand);
		nref = sl->slice_fields.bits.num_ref_idx_active_override_flag ?
		       sl->num_ref_idx_l0_active_minus1 + 1u :
		       pic->num_ref_idx_l0_default_active_minus1 + 1u;
		if (nref > KMSCAP_VA_HEVC_MAX_REFS)
			return REJECT("slice %u: %u active list 0 references, at most %d", i, nref,
				      KMSCAP_VA_HEVC_MAX_REFS);
		for (k = 0; k < nref; k++)
			if (!kmscap_va_hevc_in_refs(pic, &sl->ref_pic_list0[k]))
				return REJECT("slice %u: ref_pic_list0[%u] (surface %#x, POC %d) is not in reference_frames",
					      i, k, sl->ref_pic_list0[k].picture_id,
					      sl->ref_pic_list0[k].pic_order_cnt);
		if (sl->slice_type != 0)
			continue;
		/* generalised P and B: list 1 is list 0, entry for entry */
		nref1 = sl->slice_fields.bits.num_ref_idx_active_override_flag ?
			sl->num_ref_idx_l1_active_minus1 + 1u :
			pic->num_ref_idx_l1_default_active_minus1 + 1u;
		if (nref1 != nref)
			return REJECT("slice %u: B slice with %u active list 1 references and %u in list 0: this encoder codes only B slices whose RefPicList1 repeats RefPicList0",
				      i, nref1, nref);
		for (k = 0; k < nref; k++)
			if (sl->ref_pic_list1[k].picture_id != sl->ref_pic_list0[k].picture_id ||
			    sl->ref_pic_list1[k].pic_order_cnt !=
			    sl->ref_pic_list0[k].pic_order_cnt ||
			    !kmscap_va_hevc_valid_ref(&sl->ref_pic_list1[k]))
				return REJECT("slice %u: ref_pic_list1[%u] (surface %#x, POC %d) is not ref_pic_list0[%u] (surface %#x, POC %d): this encoder codes only B slices whose RefPicList1 repeats RefPicList0",
					      i, k, sl->ref_pic_list1[k].picture_id,
					      sl->ref_pic_list1[k].pic_order_cnt, k,
					      sl->ref_pic_list0[k].picture_id,
					      sl->ref_pic_list0[k].pic_order_cnt);
	}
	if (next != ctbs)
		return REJECT("slices cover %u of the %u CTUs", next, ctbs);
	return VA_STATUS_SUCCESS;
}
