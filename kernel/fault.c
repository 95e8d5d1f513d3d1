// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test-only failures (fault.h): bit N of fault_once arms point N.
 */

#include "fault.h"

#include <linux/bitops.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

static unsigned long rfsec_fault_once;
module_param_named(fault_once, rfsec_fault_once, ulong, 0600);
MODULE_PARM_DESC(fault_once,
		 "for tests only: bit 0 fails the next key change, bit 1 the next data seal, bit 2 pauses the next listener shutdown, bit 3 makes the next handshake find no AEAD, bit 4 (until cleared) starts new connections' counters 8 records below the limit (default 0)");

bool rfsec_fault(enum rfsec_fault_point point)
{
	return unlikely(READ_ONCE(rfsec_fault_once)) &&
	       test_and_clear_bit(point, &rfsec_fault_once);
}

bool rfsec_fault_armed(enum rfsec_fault_point point)
{
	return unlikely(READ_ONCE(rfsec_fault_once)) &&
	       test_bit(point, &rfsec_fault_once);
}
