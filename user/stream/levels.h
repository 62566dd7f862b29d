/* SPDX-License-Identifier: MIT */
/*
 * kmscap-stream: the lowest level of each codec whose limits hold a
 * picture of the size given, at @refresh_mhz frames per 1000 s, and
 * @bitrate bit/s (0: not rate-controlled).  Past the highest level: the
 * highest (H.264, HEVC), 31 (AV1: unconstrained).
 */
#ifndef KMSCAP_STREAM_LEVELS_H
#define KMSCAP_STREAM_LEVELS_H

#include <stdbool.h>
#include <stdint.h>

/* level_idc; @wmb x @hmb macroblocks; @high: the High profile's bit rate factor. */
unsigned int ks_h264_level(unsigned int wmb, unsigned int hmb, uint32_t refresh_mhz,
			   uint64_t bitrate, bool high);
/* general_level_idc (30 x level), Main tier; @w x @h coded luma samples. */
unsigned int ks_hevc_level(unsigned int w, unsigned int h, uint32_t refresh_mhz,
			   uint64_t bitrate);
/* seq_level_idx. */
unsigned int ks_av1_level(unsigned int w, unsigned int h, uint32_t refresh_mhz, uint64_t bitrate);

#endif /* KMSCAP_STREAM_LEVELS_H */
