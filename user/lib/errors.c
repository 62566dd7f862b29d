// SPDX-License-Identifier: MIT
/*
 * Human-readable error messages: an errno plus what was being done and
 * to what becomes a sentence that names the device, display or value at
 * fault and, where there is a likely cause, says what to check.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "libkmscap.h"

static const char *kmscap_subject(const char *s)
{
	return s ? s : "?";
}

const char *kmscap_strerror_ctx(int err, enum kmscap_err_ctx ctx, const char *subject,
				char *buf, size_t size)
{
	const char *s = kmscap_subject(subject);
	const char *why;

	if (!buf || !size)
		return "";
	if (err < 0)
		err = -err;

	switch (ctx) {
	case KMSCAP_ERR_OPEN:
		switch (err) {
		case ENOENT:
		case ENODEV:
		case ENXIO:
			snprintf(buf, size, "%s: no such device — is the kmscap module loaded?", s);
			break;
		case EACCES:
		case EPERM:
			snprintf(buf, size,
				 "%s: permission denied — is your user in group kmscap?", s);
			break;
		case ENOTTY:
			snprintf(buf, size, "%s: not a kmscap device", s);
			break;
		case EPROTO:
			snprintf(buf, size, "%s: module ABI major differs from this tool's (%d)",
				 s, KMSCAP_ABI_MAJOR);
			break;
		default:
			snprintf(buf, size, "%s: %s", s, strerror(err));
			break;
		}
		break;

	case KMSCAP_ERR_DISPLAY:
	case KMSCAP_ERR_ATTACH:
		switch (err) {
		case ENOENT:
			snprintf(buf, size, "no such display %s", s);
			break;
		case EPERM:
		case EACCES:
			snprintf(buf, size, "display %s belongs to another user", s);
			break;
		case ENOSPC:
			snprintf(buf, size, "too many displays (module limit max_displays)");
			break;
		case EBUSY:
			snprintf(buf, size, ctx == KMSCAP_ERR_ATTACH ?
				 "display %s: this handle is already attached" :
				 "display %s is busy", s);
			break;
		case EINVAL:
			snprintf(buf, size, "display %s: invalid argument", s);
			break;
		default:
			snprintf(buf, size, "display %s: %s", s, strerror(err));
			break;
		}
		break;

	case KMSCAP_ERR_CREATE:
		switch (err) {
		case ENOSPC:
			snprintf(buf, size, "too many displays (module limit max_displays)");
			break;
		case EDQUOT:
			snprintf(buf, size,
				 "you own too many displays (module limit max_displays_per_user)");
			break;
		case EINVAL:
			snprintf(buf, size, "invalid mode '%s': rejected by the module", s);
			break;
		default:
			snprintf(buf, size, "cannot create a %s display: %s", s, strerror(err));
			break;
		}
		break;

	case KMSCAP_ERR_MODE:
		if (kmscap_parse_mode_why(subject, NULL, NULL, NULL, &why) == 0)
			why = err == EINVAL || err == ERANGE ? "rejected by the module" :
							       strerror(err);
		snprintf(buf, size, "invalid mode '%s': %s", s, why);
		break;

	case KMSCAP_ERR_EXPORT:
		switch (err) {
		case ENOENT:
			snprintf(buf, size, "buffer %s: no such buffer (gone or never seen)", s);
			break;
		default:
			snprintf(buf, size, "buffer %s: cannot export: %s", s, strerror(err));
			break;
		}
		break;

	case KMSCAP_ERR_RING:
		switch (err) {
		case EOPNOTSUPP:
			snprintf(buf, size, "%s: the module has no frame ring "
				 "(KMSCAP_CAP_FRAME_RING, ABI 1.6)", s);
			break;
		case EPROTO:
			snprintf(buf, size, "%s: the frame ring's header does not match the "
				 "queue depth or slot layout this library knows", s);
			break;
		case ESTALE:
			snprintf(buf, size, "%s: the frame was revoked while held "
				 "(its picture may be torn)", s);
			break;
		case ENOENT:
			snprintf(buf, size, "%s: this handle holds no such frame", s);
			break;
		case ENOTCONN:
			snprintf(buf, size, "%s: not attached with a frame ring", s);
			break;
		default:
			snprintf(buf, size, "%s: frame ring: %s", s, strerror(err));
			break;
		}
		break;

	default:
		snprintf(buf, size, "%s: %s", s, strerror(err));
		break;
	}
	return buf;
}
