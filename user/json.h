/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small JSON writer for the tool's -j output: objects, arrays, strings,
 * numbers, booleans and null, indented or on one line, with strings escaped
 * as RFC 8259 requires.
 */

#ifndef RFSEC_USER_JSON_H
#define RFSEC_USER_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 8

/*
 * The version of the tool's JSON schema (docs/JSON.md), the "version"
 * member of every top-level object. Adding members keeps it; renaming,
 * removing or retyping one raises it.
 */
#define JSON_SCHEMA_VERSION 1

struct json {
	FILE *out;
	bool pretty;		/* indented, else one line */
	int depth;
	bool first[JSON_MAX_DEPTH];	/* nothing written yet at this depth */
};

void json_init(struct json *j, FILE *out, bool pretty);

/*
 * @key names the member inside an object and must be NULL inside an array
 * and at the top level.
 */
void json_begin_object(struct json *j, const char *key);
void json_end_object(struct json *j);
void json_begin_array(struct json *j, const char *key);
void json_end_array(struct json *j);
void json_string(struct json *j, const char *key, const char *value);
void json_u64(struct json *j, const char *key, uint64_t value);
void json_bool(struct json *j, const char *key, bool value);
void json_null(struct json *j, const char *key);

/*
 * A top-level object with its "version" member first; the caller adds the
 * rest and ends it with json_end_document().
 */
void json_begin_document(struct json *j, FILE *out, bool pretty);
void json_end_document(struct json *j);

/* A u64 as a decimal string: nanosecond times that doubles would round. */
void json_u64_string(struct json *j, const char *key, uint64_t value);

/* Ends a finished top-level value with a newline. */
void json_finish(struct json *j);

#endif /* RFSEC_USER_JSON_H */
