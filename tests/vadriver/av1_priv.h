/* SPDX-License-Identifier: MIT */
/*
 * av1_priv.h - the AV1 encoder of the test driver: entropy coder
 * (av1_entropy.c), lossless tile coder (av1_tile.c), sequence and frame
 * header parser (av1_obu.c), default CDFs (av1_tables.c).  The VA hooks are
 * in av1_enc.c.
 *
 * The tile coder writes one tile of a CodedLossless frame (base_q_idx 0,
 * no delta q): 64x64 superblocks, PARTITION_NONE wherever the block has
 * both halves inside the frame (split at the edges), DC_PRED for luma and
 * chroma, 4x4 Walsh-Hadamard transforms of source minus prediction, so the
 * decoded frame equals the input exactly.  Every block is intra, also in
 * inter frames (is_inter 0).
 */
#ifndef KMSCAP_AV1_PRIV_H
#define KMSCAP_AV1_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* av1_tables.c: default CDFs (see there) */
extern const uint16_t kmscap_av1_partition_w8_cdf[4][5];
extern const uint16_t kmscap_av1_partition_w16_cdf[4][11];
extern const uint16_t kmscap_av1_partition_w32_cdf[4][11];
extern const uint16_t kmscap_av1_partition_w64_cdf[4][11];
extern const uint16_t kmscap_av1_skip_cdf[3][3];
extern const uint16_t kmscap_av1_intra_frame_y_mode_dc_cdf[14];
extern const uint16_t kmscap_av1_y_mode_cdf[4][14];
extern const uint16_t kmscap_av1_uv_mode_cfl_not_allowed_dc_cdf[14];
extern const uint16_t kmscap_av1_uv_mode_cfl_allowed_dc_cdf[15];
extern const uint16_t kmscap_av1_is_inter_cdf[4][3];
extern const uint16_t kmscap_av1_filter_intra_cdf[22][3];
extern const uint16_t kmscap_av1_txb_skip_cdf[13][3];
extern const uint16_t kmscap_av1_eob_pt_16_cdf[2][2][6];
extern const uint16_t kmscap_av1_eob_extra_cdf[2][9][3];
extern const uint16_t kmscap_av1_dc_sign_cdf[2][3][3];
extern const uint16_t kmscap_av1_coeff_base_eob_cdf[2][4][4];
extern const uint16_t kmscap_av1_coeff_base_cdf[2][42][5];
extern const uint16_t kmscap_av1_coeff_br_cdf[2][21][5];

/*
 * av1_entropy.c: the encoder matching the specification's symbol decoder
 * (init_symbol/read_symbol/read_bool/exit_symbol).  CDFs are in the
 * specification's layout (N values, the last 32768, then a counter); with
 * adapt, kmscap_av1_ec_symbol() updates them as read_symbol does when
 * disable_cdf_update is 0.
 */
struct kmscap_av1_ec {
	uint8_t *buf;
	size_t len, cap;
	bool oom;
	bool adapt;
	uint64_t low;		/* the interval's base, below the bytes in buf */
	uint32_t rng;
	unsigned int bits;	/* bits of low below the bytes in buf */
};

void kmscap_av1_ec_init(struct kmscap_av1_ec *e, bool adapt);
void kmscap_av1_ec_symbol(struct kmscap_av1_ec *e, uint16_t *cdf, unsigned int n,
			  unsigned int sym);
void kmscap_av1_ec_literal(struct kmscap_av1_ec *e, unsigned int nbits, uint32_t value);
/* Writes the padding exit_symbol() expects; returns false if out of memory. */
bool kmscap_av1_ec_finish(struct kmscap_av1_ec *e);
void kmscap_av1_ec_free(struct kmscap_av1_ec *e);

/* av1_tile.c */
/*
 * The CDFs the tile coder uses (a frame context reduced to them): the
 * defaults, or those a reference slot saved (load_cdfs()).
 */
struct kmscap_av1_cdfs {
	uint16_t partition_w8[4][5];
	uint16_t partition_w16[4][11];
	uint16_t partition_w32[4][11];
	uint16_t partition_w64[4][11];
	uint16_t skip[3][3];
	uint16_t intra_frame_y_mode_dc[14];
	uint16_t y_mode[4][14];
	uint16_t uv_cfl_not_allowed_dc[14];
	uint16_t uv_cfl_allowed_dc[15];
	uint16_t is_inter[4][3];
	uint16_t filter_intra[22][3];
	uint16_t txb_skip[13][3];
	uint16_t eob_pt_16[2][2][6];
	uint16_t eob_extra[2][9][3];
	uint16_t dc_sign[2][3][3];
	uint16_t coeff_base_eob[2][4][4];
	uint16_t coeff_base[2][42][5];
	uint16_t coeff_br[2][21][5];
};

void kmscap_av1_cdfs_default(struct kmscap_av1_cdfs *c);
void kmscap_av1_cdfs_clear_counts(struct kmscap_av1_cdfs *c);

struct kmscap_av1_picture {
	unsigned int width, height;	/* FrameWidth, FrameHeight */
	unsigned int bit_depth;		/* 8 (NV12) or 10 (P010) */
	const uint8_t *luma, *chroma;	/* NV12 or P010 planes */
	unsigned int luma_pitch, chroma_pitch;	/* bytes */
};

struct kmscap_av1_tile_params {
	bool intra_frame;		/* FrameIsIntra: intra_frame_mode_info */
	bool disable_cdf_update;
	bool enable_filter_intra;	/* sequence header: use_filter_intra is coded */
};

/*
 * Encodes the single tile of the frame into e (initialised by the caller
 * with kmscap_av1_ec_init(e, !p->disable_cdf_update)) and finishes it,
 * starting from the frame's CDFs in *cdfs and leaving the tile's final
 * (adapted) CDFs there.  Returns false if out of memory.
 */
bool kmscap_av1_encode_tile(struct kmscap_av1_ec *e, const struct kmscap_av1_picture *pic,
			    const struct kmscap_av1_tile_params *p, struct kmscap_av1_cdfs *cdfs);

/* av1_obu.c: OBU types and header parsing */
enum {
	KMSCAP_AV1_OBU_SEQUENCE_HEADER = 1,
	KMSCAP_AV1_OBU_TEMPORAL_DELIMITER = 2,
	KMSCAP_AV1_OBU_FRAME_HEADER = 3,
	KMSCAP_AV1_OBU_TILE_GROUP = 4,
	KMSCAP_AV1_OBU_FRAME = 6,
};

enum {
	KMSCAP_AV1_KEY_FRAME = 0,
	KMSCAP_AV1_INTER_FRAME = 1,
	KMSCAP_AV1_INTRA_ONLY_FRAME = 2,
	KMSCAP_AV1_SWITCH_FRAME = 3,
};

#define KMSCAP_AV1_PRIMARY_REF_NONE	7
#define KMSCAP_AV1_MAX_TILE_AREA	(4096 * 2304)

/* The sequence header fields the driver checks or needs. */
struct kmscap_av1_seq {
	unsigned int profile, still_picture, reduced_still_picture_header;
	unsigned int timing_info_present, decoder_model_info_present;
	unsigned int operating_points, level_idx0, tier0;
	unsigned int max_width, max_height;
	unsigned int frame_id_numbers_present, id_len, delta_frame_id_len;
	unsigned int use_128x128_superblock, enable_filter_intra, enable_intra_edge_filter;
	unsigned int enable_interintra_compound, enable_masked_compound;
	unsigned int enable_warped_motion, enable_dual_filter, enable_order_hint;
	unsigned int enable_jnt_comp, enable_ref_frame_mvs;
	unsigned int force_screen_content_tools;	/* 2 = SELECT */
	unsigned int force_integer_mv;			/* 2 = SELECT */
	unsigned int order_hint_bits;
	unsigned int enable_superres, enable_cdef, enable_restoration;
	unsigned int bit_depth, mono_chrome, subsampling_x, subsampling_y;
	unsigned int color_range, separate_uv_delta_q, film_grain_params_present;
};

/* The frame header fields the driver checks or needs. */
struct kmscap_av1_frame_hdr {
	unsigned int show_existing_frame, frame_type, show_frame, showable_frame;
	unsigned int error_resilient_mode, disable_cdf_update, allow_screen_content_tools;
	unsigned int frame_size_override_flag, order_hint, primary_ref_frame;
	unsigned int refresh_frame_flags;
	unsigned int ref_frame_idx[7];
	unsigned int frame_width, frame_height, use_superres;
	unsigned int allow_intrabc, disable_frame_end_update_cdf;
	unsigned int tile_cols_log2, tile_rows_log2, uniform_tile_spacing;
	unsigned int base_q_idx, delta_q_nonzero, using_qmatrix;
	unsigned int segmentation_enabled, reference_select, allow_warped_motion;
	unsigned int reduced_tx_set, global_motion;
};

/*
 * Parse one OBU from data[0..size): header with obu_has_size_field set.
 * Returns the payload (*payload, *payload_size) and the OBU type, or -1 with
 * a message in err.
 */
int kmscap_av1_obu_split(const uint8_t *data, size_t size, const uint8_t **payload,
			 size_t *payload_size, size_t *obu_total, char *err, size_t errlen);
/* Parse a sequence header OBU payload.  Returns false with a message in err. */
bool kmscap_av1_parse_seq(const uint8_t *p, size_t n, struct kmscap_av1_seq *s, char *err,
			  size_t errlen);
/*
 * Parse an uncompressed header (frame header OBU payload) under sequence
 * header s, with ref_order_hint[] the order hints of the 8 reference slots.
 * Returns false with a message in err (also for syntax this driver does not
 * support, e.g. a decoder model).
 */
bool kmscap_av1_parse_frame(const uint8_t *p, size_t n, const struct kmscap_av1_seq *s,
			    struct kmscap_av1_frame_hdr *f, char *err, size_t errlen);

#endif /* KMSCAP_AV1_PRIV_H */
