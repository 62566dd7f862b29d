// SPDX-License-Identifier: MIT
/*
 * uapi layout check: every field of every structure of
 * include/uapi/kmscap.h sits at the offset computed by hand from the rule
 * "naturally aligned, no implicit padding".  Built and run as a 64-bit
 * program (TAP, one line per structure), and compiled with -m32 and
 * KMSCAP_LAYOUT_STATIC, where every check is a static assertion: the same
 * table holding on both ABIs proves the layouts are identical.  (The 32-bit
 * build is only compiled: the host kernel may not run 32-bit programs.)
 */
#include <stddef.h>
#include <stdio.h>

#include "kmscap.h"

/* A field holding a file descriptor or a coordinate must be signed. */
#define KMSCAP_IS_SIGNED(s, f)	_Generic(((struct s *)0)->f, __s32: 1, __s64: 1, default: 0)

#ifdef KMSCAP_LAYOUT_STATIC

#define KMSCAP_CHECK_FIELD(s, f, off) \
	_Static_assert(offsetof(struct s, f) == (off), #s "." #f " offset")
#define KMSCAP_CHECK_SIZE(s, size) \
	_Static_assert(sizeof(struct s) == (size), "sizeof " #s)
#define KMSCAP_CHECK_SIGNED(s, f) \
	_Static_assert(KMSCAP_IS_SIGNED(s, f), #s "." #f " is signed")

#else

static int kmscap_failed, kmscap_struct_bad, kmscap_n;

#define KMSCAP_CHECK_FIELD(s, f, off)						\
	do {									\
		if (offsetof(struct s, f) != (off)) {				\
			printf("# %s.%s at %zu, expected %d\n", #s, #f,		\
			       offsetof(struct s, f), (off));			\
			kmscap_struct_bad = 1;					\
		}								\
	} while (0)

#define KMSCAP_CHECK_SIGNED(s, f)						\
	do {									\
		if (!KMSCAP_IS_SIGNED(s, f)) {					\
			printf("# %s.%s is unsigned\n", #s, #f);		\
			kmscap_struct_bad = 1;					\
		}								\
	} while (0)

#define KMSCAP_CHECK_SIZE(s, size)						\
	do {									\
		if (sizeof(struct s) != (size)) {				\
			printf("# sizeof(%s) is %zu, expected %d\n", #s,	\
			       sizeof(struct s), (size));			\
			kmscap_struct_bad = 1;					\
		}								\
		printf("%s %d - %s layout (%zu-bit)\n",				\
		       kmscap_struct_bad ? "not ok" : "ok", ++kmscap_n, #s,	\
		       sizeof(void *) * 8);					\
		kmscap_failed |= kmscap_struct_bad;				\
		kmscap_struct_bad = 0;						\
	} while (0)

#endif

#ifdef KMSCAP_LAYOUT_STATIC
static inline void kmscap_layout(void)
{
#else
int main(void)
{
#endif
	KMSCAP_CHECK_FIELD(kmscap_version, major, 0);
	KMSCAP_CHECK_FIELD(kmscap_version, minor, 4);
	KMSCAP_CHECK_FIELD(kmscap_version, caps, 8);
	KMSCAP_CHECK_FIELD(kmscap_version, max_displays, 16);
	KMSCAP_CHECK_FIELD(kmscap_version, event_size, 20);
	KMSCAP_CHECK_FIELD(kmscap_version, max_event_size, 24);
	KMSCAP_CHECK_FIELD(kmscap_version, pad, 28);
	KMSCAP_CHECK_SIZE(kmscap_version, 32);
	KMSCAP_CHECK_FIELD(kmscap_display_create, width, 0);
	KMSCAP_CHECK_FIELD(kmscap_display_create, height, 4);
	KMSCAP_CHECK_FIELD(kmscap_display_create, refresh_mhz, 8);
	KMSCAP_CHECK_FIELD(kmscap_display_create, flags, 12);
	KMSCAP_CHECK_FIELD(kmscap_display_create, id, 16);
	KMSCAP_CHECK_FIELD(kmscap_display_create, card_minor, 20);
	KMSCAP_CHECK_FIELD(kmscap_display_create, modifiers_ptr, 24);
	KMSCAP_CHECK_FIELD(kmscap_display_create, num_modifiers, 32);
	KMSCAP_CHECK_FIELD(kmscap_display_create, pad, 36);
	KMSCAP_CHECK_SIZE(kmscap_display_create, 40);
	KMSCAP_CHECK_FIELD(kmscap_display_info, id, 0);
	KMSCAP_CHECK_FIELD(kmscap_display_info, flags, 4);
	KMSCAP_CHECK_FIELD(kmscap_display_info, width, 8);
	KMSCAP_CHECK_FIELD(kmscap_display_info, height, 12);
	KMSCAP_CHECK_FIELD(kmscap_display_info, refresh_mhz, 16);
	KMSCAP_CHECK_FIELD(kmscap_display_info, owner_uid, 20);
	KMSCAP_CHECK_FIELD(kmscap_display_info, card_minor, 24);
	KMSCAP_CHECK_FIELD(kmscap_display_info, clients, 28);
	KMSCAP_CHECK_FIELD(kmscap_display_info, frames, 32);
	KMSCAP_CHECK_SIZE(kmscap_display_info, 40);
	KMSCAP_CHECK_FIELD(kmscap_display_list, ids_ptr, 0);
	KMSCAP_CHECK_FIELD(kmscap_display_list, count, 8);
	KMSCAP_CHECK_FIELD(kmscap_display_list, pad, 12);
	KMSCAP_CHECK_SIZE(kmscap_display_list, 16);
	KMSCAP_CHECK_FIELD(kmscap_display_config, id, 0);
	KMSCAP_CHECK_FIELD(kmscap_display_config, flags, 4);
	KMSCAP_CHECK_FIELD(kmscap_display_config, width, 8);
	KMSCAP_CHECK_FIELD(kmscap_display_config, height, 12);
	KMSCAP_CHECK_FIELD(kmscap_display_config, refresh_mhz, 16);
	KMSCAP_CHECK_FIELD(kmscap_display_config, pad, 20);
	KMSCAP_CHECK_SIZE(kmscap_display_config, 24);
	KMSCAP_CHECK_FIELD(kmscap_display_destroy, id, 0);
	KMSCAP_CHECK_FIELD(kmscap_display_destroy, pad, 4);
	KMSCAP_CHECK_SIZE(kmscap_display_destroy, 8);
	KMSCAP_CHECK_FIELD(kmscap_attach, display_id, 0);
	KMSCAP_CHECK_FIELD(kmscap_attach, flags, 4);
	KMSCAP_CHECK_FIELD(kmscap_attach, queue_depth, 8);
	KMSCAP_CHECK_FIELD(kmscap_attach, pad, 12);
	KMSCAP_CHECK_FIELD(kmscap_attach, hold_timeout_ns, 16);
	KMSCAP_CHECK_SIZE(kmscap_attach, 24);
	KMSCAP_CHECK_FIELD(kmscap_export, buffer_id, 0);
	KMSCAP_CHECK_FIELD(kmscap_export, flags, 4);
	KMSCAP_CHECK_FIELD(kmscap_export, fd, 8);
	KMSCAP_CHECK_SIGNED(kmscap_export, fd);
	KMSCAP_CHECK_FIELD(kmscap_export, pad, 12);
	KMSCAP_CHECK_FIELD(kmscap_export, size, 16);
	KMSCAP_CHECK_SIZE(kmscap_export, 24);
	KMSCAP_CHECK_FIELD(kmscap_release, seq, 0);
	KMSCAP_CHECK_SIZE(kmscap_release, 8);
	KMSCAP_CHECK_FIELD(kmscap_client_stats, flips, 0);
	KMSCAP_CHECK_FIELD(kmscap_client_stats, delivered, 8);
	KMSCAP_CHECK_FIELD(kmscap_client_stats, dropped_queue, 16);
	KMSCAP_CHECK_FIELD(kmscap_client_stats, dropped_timeout, 24);
	KMSCAP_CHECK_FIELD(kmscap_client_stats, queued, 32);
	KMSCAP_CHECK_FIELD(kmscap_client_stats, held, 40);
	KMSCAP_CHECK_FIELD(kmscap_client_stats, revoked_unreleased, 48);
	KMSCAP_CHECK_FIELD(kmscap_client_stats, max_hold_wait_ns, 56);
	KMSCAP_CHECK_SIZE(kmscap_client_stats, 64);
	KMSCAP_CHECK_FIELD(kmscap_rect, x1, 0);
	KMSCAP_CHECK_FIELD(kmscap_rect, y1, 4);
	KMSCAP_CHECK_FIELD(kmscap_rect, x2, 8);
	KMSCAP_CHECK_FIELD(kmscap_rect, y2, 12);
	KMSCAP_CHECK_SIZE(kmscap_rect, 16);
	KMSCAP_CHECK_FIELD(kmscap_event, type, 0);
	KMSCAP_CHECK_FIELD(kmscap_event, flags, 4);
	KMSCAP_CHECK_FIELD(kmscap_event, seq, 8);
	KMSCAP_CHECK_FIELD(kmscap_event, timestamp_ns, 16);
	KMSCAP_CHECK_FIELD(kmscap_event, display_id, 24);
	KMSCAP_CHECK_FIELD(kmscap_event, buffer_id, 28);
	KMSCAP_CHECK_FIELD(kmscap_event, format, 32);
	KMSCAP_CHECK_FIELD(kmscap_event, width, 36);
	KMSCAP_CHECK_FIELD(kmscap_event, height, 40);
	KMSCAP_CHECK_FIELD(kmscap_event, num_planes, 44);
	KMSCAP_CHECK_FIELD(kmscap_event, modifier, 48);
	KMSCAP_CHECK_FIELD(kmscap_event, pitches, 56);
	KMSCAP_CHECK_FIELD(kmscap_event, offsets, 72);
	KMSCAP_CHECK_FIELD(kmscap_event, src_x, 88);
	KMSCAP_CHECK_FIELD(kmscap_event, src_y, 92);
	KMSCAP_CHECK_FIELD(kmscap_event, src_w, 96);
	KMSCAP_CHECK_FIELD(kmscap_event, src_h, 100);
	KMSCAP_CHECK_FIELD(kmscap_event, mode_width, 104);
	KMSCAP_CHECK_FIELD(kmscap_event, mode_height, 108);
	KMSCAP_CHECK_FIELD(kmscap_event, refresh_mhz, 112);
	KMSCAP_CHECK_FIELD(kmscap_event, num_damage, 116);
	KMSCAP_CHECK_FIELD(kmscap_event, damage, 120);
	KMSCAP_CHECK_FIELD(kmscap_event, cursor_x, 248);
	KMSCAP_CHECK_FIELD(kmscap_event, cursor_y, 256);
	KMSCAP_CHECK_SIGNED(kmscap_event, cursor_x);
	KMSCAP_CHECK_SIGNED(kmscap_event, cursor_y);
	KMSCAP_CHECK_FIELD(kmscap_event, cursor_buffer_id, 264);
	KMSCAP_CHECK_FIELD(kmscap_event, cursor_format, 268);
	KMSCAP_CHECK_FIELD(kmscap_event, cursor_width, 272);
	KMSCAP_CHECK_FIELD(kmscap_event, cursor_height, 276);
	KMSCAP_CHECK_FIELD(kmscap_event, cursor_hot_x, 280);
	KMSCAP_CHECK_FIELD(kmscap_event, cursor_hot_y, 284);
	KMSCAP_CHECK_FIELD(kmscap_event, cursor_pitch, 288);
	KMSCAP_CHECK_FIELD(kmscap_event, pad, 292);
	KMSCAP_CHECK_FIELD(kmscap_event, dropped, 296);
	KMSCAP_CHECK_SIZE(kmscap_event, 304);
	KMSCAP_CHECK_FIELD(kmscap_event_frame, base, 0);
	KMSCAP_CHECK_FIELD(kmscap_event_frame, flags, 8);
	KMSCAP_CHECK_FIELD(kmscap_event_frame, display_id, 12);
	KMSCAP_CHECK_FIELD(kmscap_event_frame, seq, 16);
	KMSCAP_CHECK_FIELD(kmscap_event_frame, timestamp_ns, 24);
	KMSCAP_CHECK_FIELD(kmscap_event_frame, dropped, 32);
	KMSCAP_CHECK_FIELD(kmscap_event_frame, buffer_id, 40);
	KMSCAP_CHECK_FIELD(kmscap_event_frame, format, 44);
	KMSCAP_CHECK_FIELD(kmscap_event_frame, modifier, 48);
	KMSCAP_CHECK_FIELD(kmscap_event_frame, width, 56);
	KMSCAP_CHECK_FIELD(kmscap_event_frame, height, 60);
	KMSCAP_CHECK_FIELD(kmscap_event_frame, num_planes, 64);
	KMSCAP_CHECK_FIELD(kmscap_event_frame, pad, 68);
	KMSCAP_CHECK_FIELD(kmscap_event_frame, pitches, 72);
	KMSCAP_CHECK_FIELD(kmscap_event_frame, offsets, 88);
	KMSCAP_CHECK_FIELD(kmscap_event_frame, src_x, 104);
	KMSCAP_CHECK_FIELD(kmscap_event_frame, src_y, 108);
	KMSCAP_CHECK_FIELD(kmscap_event_frame, src_w, 112);
	KMSCAP_CHECK_FIELD(kmscap_event_frame, src_h, 116);
	KMSCAP_CHECK_FIELD(kmscap_event_frame, mode_width, 120);
	KMSCAP_CHECK_FIELD(kmscap_event_frame, mode_height, 124);
	KMSCAP_CHECK_FIELD(kmscap_event_frame, refresh_mhz, 128);
	KMSCAP_CHECK_FIELD(kmscap_event_frame, num_damage, 132);
	KMSCAP_CHECK_FIELD(kmscap_event_frame, damage_offset, 136);
	KMSCAP_CHECK_FIELD(kmscap_event_frame, cursor_buffer_id, 140);
	KMSCAP_CHECK_FIELD(kmscap_event_frame, cursor_x, 144);
	KMSCAP_CHECK_FIELD(kmscap_event_frame, cursor_y, 152);
	KMSCAP_CHECK_FIELD(kmscap_event_frame, cursor_format, 160);
	KMSCAP_CHECK_FIELD(kmscap_event_frame, cursor_width, 164);
	KMSCAP_CHECK_FIELD(kmscap_event_frame, cursor_height, 168);
	KMSCAP_CHECK_FIELD(kmscap_event_frame, cursor_hot_x, 172);
	KMSCAP_CHECK_FIELD(kmscap_event_frame, cursor_hot_y, 176);
	KMSCAP_CHECK_FIELD(kmscap_event_frame, cursor_pitch, 180);
	KMSCAP_CHECK_SIGNED(kmscap_event_frame, cursor_x);
	KMSCAP_CHECK_SIGNED(kmscap_event_frame, cursor_y);
	KMSCAP_CHECK_SIZE(kmscap_event_frame, 184);
	KMSCAP_CHECK_FIELD(kmscap_event_header, type, 0);
	KMSCAP_CHECK_FIELD(kmscap_event_header, length, 4);
	KMSCAP_CHECK_SIZE(kmscap_event_header, 8);
	KMSCAP_CHECK_FIELD(kmscap_event_hangup, base, 0);
	KMSCAP_CHECK_FIELD(kmscap_event_hangup, display_id, 8);
	KMSCAP_CHECK_FIELD(kmscap_event_hangup, pad, 12);
	KMSCAP_CHECK_FIELD(kmscap_event_hangup, seq, 16);
	KMSCAP_CHECK_FIELD(kmscap_event_hangup, timestamp_ns, 24);
	KMSCAP_CHECK_SIZE(kmscap_event_hangup, 32);
	KMSCAP_CHECK_FIELD(kmscap_event_flip_done, base, 0);
	KMSCAP_CHECK_FIELD(kmscap_event_flip_done, flags, 8);
	KMSCAP_CHECK_FIELD(kmscap_event_flip_done, display_id, 12);
	KMSCAP_CHECK_FIELD(kmscap_event_flip_done, seq, 16);
	KMSCAP_CHECK_FIELD(kmscap_event_flip_done, vblank_seq, 24);
	KMSCAP_CHECK_FIELD(kmscap_event_flip_done, timestamp_ns, 32);
	KMSCAP_CHECK_FIELD(kmscap_event_flip_done, commit_ns, 40);
	KMSCAP_CHECK_FIELD(kmscap_event_flip_done, hold_wait_ns, 48);
	KMSCAP_CHECK_FIELD(kmscap_event_flip_done, dropped, 56);
	KMSCAP_CHECK_SIZE(kmscap_event_flip_done, 64);
	KMSCAP_CHECK_FIELD(kmscap_gamma_entry, red, 0);
	KMSCAP_CHECK_FIELD(kmscap_gamma_entry, green, 4);
	KMSCAP_CHECK_FIELD(kmscap_gamma_entry, blue, 8);
	KMSCAP_CHECK_FIELD(kmscap_gamma_entry, pad, 12);
	KMSCAP_CHECK_SIZE(kmscap_gamma_entry, 16);
	KMSCAP_CHECK_FIELD(kmscap_display_gamma, id, 0);
	KMSCAP_CHECK_FIELD(kmscap_display_gamma, flags, 4);
	KMSCAP_CHECK_FIELD(kmscap_display_gamma, entries_ptr, 8);
	KMSCAP_CHECK_FIELD(kmscap_display_gamma, count, 16);
	KMSCAP_CHECK_FIELD(kmscap_display_gamma, out_flags, 20);
	KMSCAP_CHECK_FIELD(kmscap_display_gamma, seq, 24);
	KMSCAP_CHECK_SIZE(kmscap_display_gamma, 32);
	KMSCAP_CHECK_FIELD(kmscap_client_status, revokes, 0);
	KMSCAP_CHECK_FIELD(kmscap_client_status, pad, 4);
	KMSCAP_CHECK_FIELD(kmscap_client_status, revoked_seq, 8);
	KMSCAP_CHECK_SIZE(kmscap_client_status, 8 + 8 * KMSCAP_STATUS_REVOKED);
	KMSCAP_CHECK_FIELD(kmscap_ring_slot, state, 0);
	KMSCAP_CHECK_FIELD(kmscap_ring_slot, pad, 4);
	KMSCAP_CHECK_FIELD(kmscap_ring_slot, seq, 8);
	KMSCAP_CHECK_FIELD(kmscap_ring_slot, ev, 16);
	KMSCAP_CHECK_SIZE(kmscap_ring_slot, 16 + 304);
	KMSCAP_CHECK_FIELD(kmscap_frame_ring, slots, 0);
	KMSCAP_CHECK_FIELD(kmscap_frame_ring, slot_size, 4);
	KMSCAP_CHECK_FIELD(kmscap_frame_ring, slot_offset, 8);
	KMSCAP_CHECK_FIELD(kmscap_frame_ring, pad, 12);
	KMSCAP_CHECK_FIELD(kmscap_frame_ring, published, 16);
	KMSCAP_CHECK_FIELD(kmscap_frame_ring, reserved, 24);
	KMSCAP_CHECK_SIZE(kmscap_frame_ring, 64);
#ifndef KMSCAP_LAYOUT_STATIC
	printf("1..%d\n", kmscap_n);
	return kmscap_failed;
#endif
}
