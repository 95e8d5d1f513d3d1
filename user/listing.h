/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The JSON shapes that several listings share (docs/JSON.md): an identity
 * and a peer, written the same way by show, identity show and peer list.
 */

#ifndef RFSEC_USER_LISTING_H
#define RFSEC_USER_LISTING_H

#include "btdev.h"
#include "json.h"
#include "kconf.h"

/*
 * The members of an identity object: adapter, name, present, up and
 * public_key. The caller opens and closes the object.
 */
void listing_json_identity(struct json *j, const struct kconf_identity *id,
			   const struct btdev *devs, int n_devs);

/* A peer object; with @adapter, its "adapter" member first. */
void listing_json_peer(struct json *j, const struct kconf_peer *p,
		       bool adapter);

/* The controllers present now; none (not an error) without Bluetooth. */
int listing_devices(struct btdev devs[BTDEV_MAX]);

#endif /* RFSEC_USER_LISTING_H */
