// SPDX-License-Identifier: GPL-2.0-only
/*
 * Deliberate bugs, to prove that make check-debug sees each class: writing
 * 1 to selftest_bug reads freed memory (KASAN), 2 takes two locks in both
 * orders (lockdep), 3 leaks an allocation (kmemleak). Only
 * selftests/instrument_test.sh writes it. This file exists for one commit
 * and is reverted by the next.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compiler.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>

static DEFINE_MUTEX(rfsec_bug_a);
static DEFINE_MUTEX(rfsec_bug_b);

static int rfsec_selftest_bug_set(const char *val,
				  const struct kernel_param *kp)
{
	unsigned int bug;
	u8 *p;
	int ret;

	ret = kstrtouint(val, 0, &bug);
	if (ret)
		return ret;
	switch (bug) {
	case 1:
		p = kmalloc(32, GFP_KERNEL);
		if (!p)
			return -ENOMEM;
		kfree(p);
		OPTIMIZER_HIDE_VAR(p);
		pr_info("selftest_bug: read after free: %u\n", READ_ONCE(p[8]));
		return 0;
	case 2:
		mutex_lock(&rfsec_bug_a);
		mutex_lock(&rfsec_bug_b);
		mutex_unlock(&rfsec_bug_b);
		mutex_unlock(&rfsec_bug_a);
		mutex_lock(&rfsec_bug_b);
		mutex_lock(&rfsec_bug_a);
		mutex_unlock(&rfsec_bug_a);
		mutex_unlock(&rfsec_bug_b);
		return 0;
	case 3:
		p = kmalloc(128, GFP_KERNEL);
		OPTIMIZER_HIDE_VAR(p);
		pr_info("selftest_bug: leaked %p\n", p);
		p = NULL;
		return 0;
	default:
		return -EINVAL;
	}
}

static const struct kernel_param_ops rfsec_selftest_bug_ops = {
	.set = rfsec_selftest_bug_set,
};
module_param_cb(selftest_bug, &rfsec_selftest_bug_ops, NULL, 0200);
MODULE_PARM_DESC(selftest_bug, "for make check-debug's own test only");
