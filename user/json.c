// SPDX-License-Identifier: GPL-2.0-only
/*
 * The JSON writer. It trusts its caller to nest correctly (the tool's
 * output has a fixed shape); what it guarantees is that any string, whatever
 * its bytes, comes out as valid JSON.
 */

#include "json.h"

#include <inttypes.h>

void json_init(struct json *j, FILE *out, bool pretty)
{
	j->out = out;
	j->pretty = pretty;
	j->depth = 0;
	j->first[0] = true;
}

static void json_indent(struct json *j)
{
	int i;

	if (!j->pretty)
		return;
	fputc('\n', j->out);
	for (i = 0; i < j->depth; i++)
		fputs("  ", j->out);
}

/*
 * Characters JSON forbids raw (controls, '"' and '\') are escaped; bytes
 * that are not UTF-8 become U+FFFD so the output always parses.
 */
static void json_put_string(struct json *j, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned int need, i;

	fputc('"', j->out);
	while (*p) {
		if (*p == '"' || *p == '\\') {
			fputc('\\', j->out);
			fputc(*p++, j->out);
			continue;
		}
		if (*p < 0x20) {
			switch (*p) {
			case '\n':
				fputs("\\n", j->out);
				break;
			case '\r':
				fputs("\\r", j->out);
				break;
			case '\t':
				fputs("\\t", j->out);
				break;
			default:
				fprintf(j->out, "\\u%04x", *p);
			}
			p++;
			continue;
		}
		if (*p < 0x80) {
			fputc(*p++, j->out);
			continue;
		}
		/* A UTF-8 sequence: copy it if well formed. */
		if (*p >= 0xc2 && *p <= 0xdf)
			need = 1;
		else if (*p >= 0xe0 && *p <= 0xef)
			need = 2;
		else if (*p >= 0xf0 && *p <= 0xf4)
			need = 3;
		else
			need = 0;
		for (i = 1; need && i <= need; i++)
			if ((p[i] & 0xc0) != 0x80)
				need = 0;
		/* Overlong forms, surrogates and code points past U+10FFFF. */
		if ((need == 2 && p[0] == 0xe0 && p[1] < 0xa0) ||
		    (need == 2 && p[0] == 0xed && p[1] >= 0xa0) ||
		    (need == 3 && p[0] == 0xf0 && p[1] < 0x90) ||
		    (need == 3 && p[0] == 0xf4 && p[1] >= 0x90))
			need = 0;
		if (!need) {
			fputs("\\ufffd", j->out);
			p++;
			continue;
		}
		fwrite(p, 1, need + 1, j->out);
		p += need + 1;
	}
	fputc('"', j->out);
}

/* The separator and key before any value. */
static void json_member(struct json *j, const char *key)
{
	if (j->depth > 0) {
		if (!j->first[j->depth])
			fputc(',', j->out);
		json_indent(j);
	}
	j->first[j->depth] = false;
	if (key) {
		json_put_string(j, key);
		fputs(j->pretty ? ": " : ":", j->out);
	}
}

static void json_open(struct json *j, const char *key, char c)
{
	json_member(j, key);
	fputc(c, j->out);
	if (j->depth + 1 < JSON_MAX_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
}

static void json_close(struct json *j, char c)
{
	bool empty = j->first[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (!empty)
		json_indent(j);
	fputc(c, j->out);
}

void json_begin_object(struct json *j, const char *key)
{
	json_open(j, key, '{');
}

void json_end_object(struct json *j)
{
	json_close(j, '}');
}

void json_begin_array(struct json *j, const char *key)
{
	json_open(j, key, '[');
}

void json_end_array(struct json *j)
{
	json_close(j, ']');
}

void json_string(struct json *j, const char *key, const char *value)
{
	json_member(j, key);
	json_put_string(j, value);
}

void json_u64(struct json *j, const char *key, uint64_t value)
{
	json_member(j, key);
	fprintf(j->out, "%" PRIu64, value);
}

void json_bool(struct json *j, const char *key, bool value)
{
	json_member(j, key);
	fputs(value ? "true" : "false", j->out);
}

void json_null(struct json *j, const char *key)
{
	json_member(j, key);
	fputs("null", j->out);
}

void json_finish(struct json *j)
{
	fputc('\n', j->out);
	j->first[0] = true;
}

void json_begin_document(struct json *j, FILE *out, bool pretty)
{
	json_init(j, out, pretty);
	json_begin_object(j, NULL);
	json_u64(j, "version", JSON_SCHEMA_VERSION);
}

void json_end_document(struct json *j)
{
	json_end_object(j);
	json_finish(j);
}

void json_u64_string(struct json *j, const char *key, uint64_t value)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, value);
	json_string(j, key, buf);
}
