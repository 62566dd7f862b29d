// SPDX-License-Identifier: MIT
/*
 * kmscap-stream: command line parsing.  Every error names the option and
 * the value at fault; nothing is printed here, the caller does.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ks.h"
#include "libkmscap.h"

enum {
	KS_OPT_KMSCAP_DEVICE = 0x100,
	KS_OPT_KMSCAP,
	KS_OPT_RENDER_NODE,
	KS_OPT_DEVICE,
	KS_OPT_DISPLAY,
	KS_OPT_CREATE,
	KS_OPT_CODEC,
	KS_OPT_FORMAT,
	KS_OPT_RC,
	KS_OPT_BITRATE,
	KS_OPT_QP,
	KS_OPT_GOP,
	KS_OPT_INTRA_REFRESH,
	KS_OPT_CURSOR,
	KS_OPT_CURSOR_OUT,
	KS_OPT_IDLE,
	KS_OPT_STATS,
	KS_OPT_JSON,
	KS_OPT_FRAMES,
	KS_OPT_DURATION,
	KS_OPT_QUEUE,
	KS_OPT_HOLD,
	KS_OPT_POOL,
	KS_OPT_THREADS,
	KS_OPT_CONTROL,
	KS_OPT_VERSION,
};

static const struct option ks_options[] = {
	{ "kmscap-device", required_argument, NULL, KS_OPT_KMSCAP_DEVICE },
	{ "render-node", required_argument, NULL, KS_OPT_RENDER_NODE },
	/* the old names: they still work, with a notice */
	{ "kmscap", required_argument, NULL, KS_OPT_KMSCAP },
	{ "device", required_argument, NULL, KS_OPT_DEVICE },
	{ "display", required_argument, NULL, KS_OPT_DISPLAY },
	{ "create", required_argument, NULL, KS_OPT_CREATE },
	{ "codec", required_argument, NULL, KS_OPT_CODEC },
	{ "format", required_argument, NULL, KS_OPT_FORMAT },
	{ "output", required_argument, NULL, 'o' },
	{ "rc", required_argument, NULL, KS_OPT_RC },
	{ "bitrate", required_argument, NULL, KS_OPT_BITRATE },
	{ "qp", required_argument, NULL, KS_OPT_QP },
	{ "gop", required_argument, NULL, KS_OPT_GOP },
	{ "intra-refresh", no_argument, NULL, KS_OPT_INTRA_REFRESH },
	{ "cursor", required_argument, NULL, KS_OPT_CURSOR },
	{ "cursor-out", required_argument, NULL, KS_OPT_CURSOR_OUT },
	{ "idle", required_argument, NULL, KS_OPT_IDLE },
	{ "stats", no_argument, NULL, KS_OPT_STATS },
	{ "json", no_argument, NULL, KS_OPT_JSON },
	{ "frames", required_argument, NULL, KS_OPT_FRAMES },
	{ "duration", required_argument, NULL, KS_OPT_DURATION },
	{ "queue-depth", required_argument, NULL, KS_OPT_QUEUE },
	{ "hold-timeout", required_argument, NULL, KS_OPT_HOLD },
	{ "pool", required_argument, NULL, KS_OPT_POOL },
	{ "threads", required_argument, NULL, KS_OPT_THREADS },
	{ "control", required_argument, NULL, KS_OPT_CONTROL },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, KS_OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

void ks_args_init(struct ks_args *a)
{
	memset(a, 0, sizeof(*a));
	a->device = KS_DEFAULT_DEVICE;
	a->device_opt = "--render-node";
	a->codec = KS_CODEC_H264;
	a->output = "-";
	a->rc = KS_RC_CBR;
	a->bitrate = KS_DEFAULT_BITRATE;
	a->qp = KS_DEFAULT_QP;
	a->cursor = KS_CURSOR_COMPOSITE;
	a->idle = KS_IDLE_SKIP;
	a->pool = KS_DEFAULT_POOL;
}

void ks_args_usage(FILE *f)
{
	fprintf(f,
		"usage: " KS_PROG " (--display ID | --create WxH[@HZ]) [options]\n"
		"Encode every frame of a kmscap display with VA-API.\n\n"
		"  --display ID          capture existing display ID\n"
		"  --create WxH[@HZ]     create a display, remove it on exit\n"
		"  --kmscap-device PATH  kmscap control device (default $KMSCAP_DEVICE or /dev/kmscap)\n"
		"  --render-node PATH    VA-API render node (default " KS_DEFAULT_DEVICE ")\n"
		"  -o, --output DEST     FILE, - (stdout), tcp:HOST:PORT or unix:PATH (default -)\n"
		"  --codec C             h264 (default), hevc, av1\n"
		"  --format F            raw (default: H.264/HEVC Annex B, AV1 IVF), mpegts or\n"
		"                        matroska (flip times as presentation times)\n"
		"  --rc MODE             cbr (default), vbr or cqp\n"
		"  --bitrate N[k|M]      target bits per second (default 8M)\n"
		"  --qp N                quantiser for --rc cqp, 0..51 (default 26)\n"
		"  --gop N               IDR every N frames; 0: only on request (default 0)\n"
		"  --intra-refresh       rolling intra refresh where the driver offers it\n"
		"  --cursor MODE         composite (default) or separate\n"
		"  --cursor-out DEST     cursor side data for --cursor separate (FILE or unix:PATH)\n"
		"  --idle MODE           frames without damage: skip (default) or repeat\n"
		"  --stats               statistics on stderr once a second\n"
		"  --json                statistics and summary as JSON lines\n"
		"  --frames N            stop after N captured frames\n"
		"  --duration T          stop after T (10, 10s, 500ms, 2m)\n"
		"  --queue-depth N       kmscap event queue depth, 1..%d (default: module's)\n"
		"  --hold-timeout MS     kmscap hold timeout in ms (default 50, or 3 refresh periods)\n"
		"  --pool N              NV12 surfaces, 2..%u (default %u)\n"
		"  --threads N           1: encode in the event loop's thread; 2: in an encode\n"
		"                        thread (default $" KS_THREADS_ENV " or %u)\n"
		"  --control PATH        read control lines (idr) from a FIFO or unix socket\n"
		"  -h, --help            this text\n"
		"  --version             print the version\n"
		"\nThe old names --kmscap (now --kmscap-device) and --device (now --render-node)\n"
		"still work.\n"
		"\nSIGUSR1, or the line \"idr\" on --control or from the peer of a tcp: or\n"
		"unix: output, forces an IDR frame; SIGINT/SIGTERM finish the stream cleanly.\n",
		KMSCAP_MAX_QUEUE, KS_MAX_POOL, KS_DEFAULT_POOL, KS_DEFAULT_THREADS);
}

uint64_t ks_default_hold_ns(uint32_t refresh_mhz)
{
	uint64_t three = refresh_mhz ? 3000000000000ull / refresh_mhz : 0;

	return three > KS_HOLD_FLOOR_NS ? three : KS_HOLD_FLOOR_NS;
}

const char *ks_codec_name(enum ks_codec c)
{
	switch (c) {
	case KS_CODEC_H264:
		return "h264";
	case KS_CODEC_HEVC:
		return "hevc";
	case KS_CODEC_AV1:
		return "av1";
	}
	return "?";
}

const char *ks_format_name(enum ks_format f)
{
	switch (f) {
	case KS_FORMAT_RAW:
		return "raw";
	case KS_FORMAT_MPEGTS:
		return "mpegts";
	case KS_FORMAT_MATROSKA:
		return "matroska";
	}
	return "?";
}

const char *ks_rc_name(enum ks_rc rc)
{
	switch (rc) {
	case KS_RC_CBR:
		return "cbr";
	case KS_RC_VBR:
		return "vbr";
	case KS_RC_CQP:
		return "cqp";
	}
	return "?";
}

static int ks_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int ks_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Unsigned decimal with an optional fraction of up to 9 digits, as value * 1e9. */
static int ks_parse_fixed9(const char *s, const char **end, uint64_t *out)
{
	uint64_t ip = 0, frac = 0, scale = 1000000000ull;
	int digits = 0;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	while (*s >= '0' && *s <= '9') {
		if (ip > (UINT64_MAX / 1000000000ull - 9) / 10)
			return -ERANGE;
		ip = ip * 10 + (uint64_t)(*s++ - '0');
	}
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return -EINVAL;
		while (*s >= '0' && *s <= '9') {
			if (digits++ == 9)
				return -EINVAL;
			scale /= 10;
			frac += (uint64_t)(*s++ - '0') * scale;
		}
	}
	*end = s;
	*out = ip * 1000000000ull + frac;
	return 0;
}

int ks_parse_duration(const char *s, uint64_t *ns)
{
	const char *end;
	uint64_t v, mul;
	int ret;

	if (!s || !ns)
		return -EINVAL;
	ret = ks_parse_fixed9(s, &end, &v);
	if (ret)
		return ret;
	/* v is seconds * 1e9 if the unit is seconds */
	if (!*end || !strcmp(end, "s"))
		mul = 1;
	else if (!strcmp(end, "ms"))
		mul = 0;
	else if (!strcmp(end, "m"))
		mul = 60;
	else
		return -EINVAL;
	if (mul == 0) {
		v /= 1000;
	} else {
		if (v > UINT64_MAX / mul)
			return -ERANGE;
		v *= mul;
	}
	if (!v)
		return -ERANGE;
	*ns = v;
	return 0;
}

int ks_parse_bitrate(const char *s, uint32_t *bps)
{
	const char *end;
	uint64_t v, mul;
	int ret;

	if (!s || !bps)
		return -EINVAL;
	ret = ks_parse_fixed9(s, &end, &v);
	if (ret)
		return ret;
	if (!*end)
		mul = 1;
	else if (!strcmp(end, "k") || !strcmp(end, "K"))
		mul = 1000;
	else if (!strcmp(end, "M"))
		mul = 1000000;
	else
		return -EINVAL;
	if (v > UINT64_MAX / mul)
		return -ERANGE;
	v = v * mul / 1000000000ull;
	if (v < 1000 || v > 1000000000ull)
		return -ERANGE;
	*bps = (uint32_t)v;
	return 0;
}

/* Decimal integer in [min, max]; no sign, no trailing text. */
static int ks_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

static int ks_num(const char *opt, const char *val, uint64_t min, uint64_t max, uint64_t *out,
		  char *err, size_t errlen)
{
	int ret = ks_parse_u64(val, min, max, out);

	if (ret == -EINVAL)
		return ks_err(err, errlen, "--%s: '%s' is not a number", opt, val);
	if (ret)
		return ks_err(err, errlen, "--%s: %s is out of range %llu..%llu", opt, val,
			      (unsigned long long)min, (unsigned long long)max);
	return 0;
}

static int ks_choice(const char *opt, const char *val, const char *const *names, int *out,
		     char *err, size_t errlen)
{
	char list[128] = "";
	int i;

	for (i = 0; names[i]; i++) {
		if (!strcmp(val, names[i])) {
			*out = i;
			return 0;
		}
		if (i)
			strncat(list, ", ", sizeof(list) - strlen(list) - 1);
		strncat(list, names[i], sizeof(list) - strlen(list) - 1);
	}
	return ks_err(err, errlen, "--%s: unknown value '%s' (expected %s)", opt, val, list);
}

static const char *const ks_codecs[] = { "h264", "hevc", "av1", NULL };
static const char *const ks_formats[] = { "raw", "mpegts", "matroska", NULL };
static const char *const ks_rcs[] = { "cbr", "vbr", "cqp", NULL };
static const char *const ks_cursors[] = { "composite", "separate", NULL };
static const char *const ks_idles[] = { "skip", "repeat", NULL };

static int ks_args_check(struct ks_args *a, char *err, size_t errlen)
{
	if (a->help || a->version)
		return 0;
	if (a->have_display && a->create)
		return ks_err(err, errlen, "--display and --create exclude each other");
	if (!a->have_display && !a->create)
		return ks_err(err, errlen, "no display: give --display ID or --create WxH[@HZ]");
	if (a->cursor == KS_CURSOR_SEPARATE && !a->cursor_out)
		return ks_err(err, errlen, "--cursor separate needs --cursor-out FILE");
	if (a->cursor == KS_CURSOR_COMPOSITE && a->cursor_out)
		return ks_err(err, errlen, "--cursor-out needs --cursor separate");
	if (!*a->output)
		return ks_err(err, errlen, "--output: empty destination");
	if (!*a->device)
		return ks_err(err, errlen, "%s: empty path", a->device_opt);
	if (a->kmscap_path && !*a->kmscap_path)
		return ks_err(err, errlen, "%s: empty path", a->kmscap_opt);
	if (a->control && !*a->control)
		return ks_err(err, errlen, "--control: empty path");
	return 0;
}

/* An old option name was used: say once what it is called now. */
static void ks_args_notice(struct ks_args *a, const char *notice)
{
	unsigned int i;

	for (i = 0; i < a->notices; i++)
		if (!strcmp(a->notice[i], notice))
			return;
	if (a->notices < KS_MAX_NOTICES)
		a->notice[a->notices++] = notice;
}

int ks_args_parse(struct ks_args *a, int argc, char **argv, char *err, size_t errlen)
{
	uint64_t v;
	int c, i, ret;

	if (err && errlen)
		err[0] = '\0';
	optind = 0;	/* glibc: full re-initialisation, so parsing can be repeated */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", ks_options, NULL)) != -1) {
		const char *name = "";

		for (i = 0; ks_options[i].name; i++)
			if (ks_options[i].val == c)
				name = ks_options[i].name;
		switch (c) {
		case KS_OPT_KMSCAP:
			ks_args_notice(a, KS_NOTICE_KMSCAP);
			/* fall through */
		case KS_OPT_KMSCAP_DEVICE:
			a->kmscap_path = optarg;
			a->kmscap_opt = c == KS_OPT_KMSCAP ? "--kmscap" : "--kmscap-device";
			break;
		case KS_OPT_DEVICE:
			ks_args_notice(a, KS_NOTICE_DEVICE);
			/* fall through */
		case KS_OPT_RENDER_NODE:
			a->device = optarg;
			a->device_opt = c == KS_OPT_DEVICE ? "--device" : "--render-node";
			break;
		case KS_OPT_DISPLAY:
			ret = ks_num(name, optarg, 0, UINT32_MAX, &v, err, errlen);
			if (ret)
				return ret;
			a->display_id = (uint32_t)v;
			a->have_display = true;
			break;
		case KS_OPT_CREATE: {
			const char *why = NULL;

			ret = kmscap_parse_mode_why(optarg, &a->width, &a->height,
						    &a->refresh_mhz, &why);
			if (ret)
				return ks_err(err, errlen, "--create: invalid mode '%s': %s",
					      optarg, why ? why : "expected WxH[@HZ]");
			a->create = true;
			break;
		}
		case KS_OPT_CODEC:
			ret = ks_choice(name, optarg, ks_codecs, &i, err, errlen);
			if (ret)
				return ret;
			a->codec = (enum ks_codec)i;
			break;
		case KS_OPT_FORMAT:
			ret = ks_choice(name, optarg, ks_formats, &i, err, errlen);
			if (ret)
				return ret;
			a->format = (enum ks_format)i;
			break;
		case 'o':
			a->output = optarg;
			break;
		case KS_OPT_RC:
			ret = ks_choice(name, optarg, ks_rcs, &i, err, errlen);
			if (ret)
				return ret;
			a->rc = (enum ks_rc)i;
			break;
		case KS_OPT_BITRATE:
			ret = ks_parse_bitrate(optarg, &a->bitrate);
			if (ret == -ERANGE)
				return ks_err(err, errlen,
					      "--bitrate: %s is out of range 1k..1000M", optarg);
			if (ret)
				return ks_err(err, errlen,
					      "--bitrate: '%s' is not a bit rate (e.g. 8M, 2500k)",
					      optarg);
			break;
		case KS_OPT_QP:
			ret = ks_num(name, optarg, 0, 51, &v, err, errlen);
			if (ret)
				return ret;
			a->qp = (uint32_t)v;
			break;
		case KS_OPT_GOP:
			ret = ks_num(name, optarg, 0, 65535, &v, err, errlen);
			if (ret)
				return ret;
			a->gop = (uint32_t)v;
			break;
		case KS_OPT_INTRA_REFRESH:
			a->intra_refresh = true;
			break;
		case KS_OPT_CURSOR:
			ret = ks_choice(name, optarg, ks_cursors, &i, err, errlen);
			if (ret)
				return ret;
			a->cursor = (enum ks_cursor)i;
			break;
		case KS_OPT_CURSOR_OUT:
			a->cursor_out = optarg;
			break;
		case KS_OPT_IDLE:
			ret = ks_choice(name, optarg, ks_idles, &i, err, errlen);
			if (ret)
				return ret;
			a->idle = (enum ks_idle)i;
			break;
		case KS_OPT_STATS:
			a->stats = true;
			break;
		case KS_OPT_JSON:
			a->json = true;
			break;
		case KS_OPT_FRAMES:
			ret = ks_num(name, optarg, 1, UINT64_MAX, &a->frames, err, errlen);
			if (ret)
				return ret;
			break;
		case KS_OPT_DURATION:
			ret = ks_parse_duration(optarg, &a->duration_ns);
			if (ret)
				return ks_err(err, errlen,
					      "--duration: '%s' is not a positive duration (e.g. 10, 10s, 500ms, 2m)",
					      optarg);
			break;
		case KS_OPT_QUEUE:
			ret = ks_num(name, optarg, 1, KMSCAP_MAX_QUEUE, &v, err, errlen);
			if (ret)
				return ret;
			a->queue_depth = (uint32_t)v;
			break;
		case KS_OPT_HOLD:
			ret = ks_num(name, optarg, 1, KMSCAP_MAX_HOLD_NS / 1000000, &v, err,
				     errlen);
			if (ret)
				return ret;
			a->hold_timeout_ns = v * 1000000;
			break;
		case KS_OPT_POOL:
			ret = ks_num(name, optarg, 2, KS_MAX_POOL, &v, err, errlen);
			if (ret)
				return ret;
			a->pool = (uint32_t)v;
			break;
		case KS_OPT_THREADS:
			ret = ks_num(name, optarg, 1, 2, &v, err, errlen);
			if (ret)
				return ret;
			a->threads = (uint32_t)v;
			break;
		case KS_OPT_CONTROL:
			a->control = optarg;
			break;
		case 'h':
			a->help = true;
			break;
		case KS_OPT_VERSION:
			a->version = true;
			break;
		case ':':
			return ks_err(err, errlen, "%s needs a value", argv[optind - 1]);
		case '?':
		default:
			if (optopt)
				return ks_err(err, errlen, "unknown option '-%c'", optopt);
			return ks_err(err, errlen, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return ks_err(err, errlen, "unexpected argument '%s'", argv[optind]);
	if (!a->threads && !a->help && !a->version) {
		const char *env = getenv(KS_THREADS_ENV);

		if (env && *env) {
			if (strcmp(env, "1") && strcmp(env, "2"))
				return ks_err(err, errlen,
					      "$" KS_THREADS_ENV ": '%s' is not 1 or 2", env);
			a->threads = (uint32_t)(env[0] - '0');
		} else {
			a->threads = KS_DEFAULT_THREADS;
		}
	}
	return ks_args_check(a, err, errlen);
}
