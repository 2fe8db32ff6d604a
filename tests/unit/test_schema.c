/*
 * test_schema.c - the compiled JSON Schema validator (host/lib/schema.c).
 *
 * Schemas and instances in the tables are written with ' for " so that
 * they stay readable; jq() swaps them back before parsing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "skip_ci.h"

#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "schema.h"

/* ' becomes ", so the tables need no \" everywhere. */
static char *jq(const char *s)
{
	char *out = strdup(s), *p;

	assert_non_null(out);
	for (p = out; *p; p++)
		if (*p == '\'')
			*p = '"';
	return out;
}

static struct schema *compile_ok(const char *schema_q)
{
	struct schema *s = NULL;
	struct sh_error e;
	char *text = jq(schema_q);

	sh_error_clear(&e);
	if (schema_compile_text(text, strlen(text), &s, &e) != SH_OK)
		fail_msg("schema %s did not compile: %s", text, e.msg);
	free(text);
	assert_non_null(s);
	return s;
}

static cJSON *parse_q(const char *json_q)
{
	char *text = jq(json_q);
	cJSON *v = cJSON_Parse(text);

	if (!v)
		fail_msg("test instance %s is not JSON", text);
	free(text);
	return v;
}

struct vcase {
	const char *schema;
	const char *instance;
	int valid;
	const char *msg; /* substring of the message, ' for " */
};

static const struct vcase cases[] = {
        /* type */
        {"{'type':'string'}", "'x'", 1, NULL},
        {"{'type':'string'}", "5", 0, "/: expected string, got number 5"},
        {"{'type':'integer'}", "3", 1, NULL},
        {"{'type':'integer'}", "3.0", 1, NULL},
        {"{'type':'integer'}", "-7e2", 1, NULL},
        {"{'type':'integer'}", "3.5", 0, "expected integer, got number 3.5"},
        {"{'type':'number'}", "3", 1, NULL},
        {"{'type':'number'}", "0.1", 1, NULL},
        {"{'type':'number'}", "'1'", 0, "expected number, got string '1'"},
        {"{'type':['string','null']}", "null", 1, NULL},
        {"{'type':['string','null']}", "1", 0,
         "expected string or null, got number 1"},
        {"{'type':['number','integer','string']}", "true", 0,
         "expected string or number, got boolean true"},
        {"{'type':'boolean'}", "false", 1, NULL},
        {"{'type':'boolean'}", "0", 0, "expected boolean"},
        {"{'type':'null'}", "null", 1, NULL},
        {"{'type':'object'}", "[1,2]", 0, "expected object, got array [1,2]"},
        {"{'type':'array'}", "{}", 0, "expected array, got object {}"},
        {"{'type':'object','properties':{'tags':{'type':'array'}}}",
         "{'tags':'a,b'}", 0, "/tags: expected array, got string 'a,b'"},

        /* properties, required, additionalProperties */
        {"{'type':'object','properties':{'name':{'type':'string'},"
         "'age':{'type':'integer'}},'required':['name']}",
         "{'name':'x','age':3}", 1, NULL},
        {"{'type':'object','properties':{'name':{'type':'string'},"
         "'age':{'type':'integer'}},'required':['name']}",
         "{'age':3}", 0, "/: missing required property 'name'"},
        {"{'type':'object','properties':{'name':{'type':'string'},"
         "'age':{'type':'integer'}},'required':['name']}",
         "{'name':5}", 0, "/name: expected string, got number 5"},
        {"{'type':'object','properties':{'name':{'type':'string'},"
         "'age':{'type':'integer'}},'required':['name']}",
         "{'name':'x','age':'3'}", 0, "/age: expected integer, got string '3'"},
        {"{'type':'object','properties':{'name':{'type':'string'},"
         "'age':{'type':'integer'}},'required':['name','age']}",
         "{'name':'x'}", 0, "missing required property 'age'"},
        {"{'type':'object','properties':{'name':{'type':'string'},"
         "'age':{'type':'integer'}},'additionalProperties':false}",
         "{'nmae':'x'}", 0,
         "/: unexpected property 'nmae' (allowed: 'name', 'age')"},
        {"{'type':'object','properties':{'name':{'type':'string'},"
         "'age':{'type':'integer'}},'additionalProperties':false}",
         "{'name':'x','age':1}", 1, NULL},
        {"{'additionalProperties':false}", "{'x':1}", 0,
         "unexpected property 'x' (this object takes no properties)"},
        {"{'additionalProperties':false}", "{}", 1, NULL},
        {"{'additionalProperties':true,'properties':{'a':{'type':'string'}}}",
         "{'a':'s','b':[1]}", 1, NULL},
        {"{'properties':{'a':{'type':'string'}},"
         "'additionalProperties':{'type':'number'}}",
         "{'a':'x','b':2,'c':3.5}", 1, NULL},
        {"{'properties':{'a':{'type':'string'}},"
         "'additionalProperties':{'type':'number'}}",
         "{'a':'x','b':'two'}", 0, "/b: expected number, got string 'two'"},
        {"{'type':'object','properties':{'user':{'type':'object',"
         "'properties':{'email':{'type':'string','pattern':'@'}},"
         "'required':['email']}}}",
         "{'user':{'email':'nope'}}", 0,
         "/user/email: 'nope' does not match the pattern '@'"},
        {"{'type':'object','properties':{'user':{'type':'object',"
         "'properties':{'email':{'type':'string','pattern':'@'}},"
         "'required':['email']}}}",
         "{'user':{}}", 0, "/user: missing required property 'email'"},
        {"{'properties':{'a/b':{'type':'string'},'t~':{'type':'string'}}}",
         "{'a/b':1}", 0, "/a~1b: expected string"},
        {"{'properties':{'a/b':{'type':'string'},'t~':{'type':'string'}}}",
         "{'t~':1}", 0, "/t~0: expected string"},
        {"{'required':['a']}", "[1]", 1, NULL}, /* object keywords only */
        /* more than PROPS_LINEAR_MAX properties: the binary search */
        {"{'properties':{'p0':{'type':'integer'},'p1':{'type':'integer'},"
         "'p2':{'type':'integer'},'p3':{'type':'integer'},"
         "'p4':{'type':'integer'},'p5':{'type':'integer'},"
         "'p6':{'type':'integer'},'p7':{'type':'integer'},"
         "'p8':{'type':'integer'},'p9':{'type':'integer'}},"
         "'additionalProperties':false}",
         "{'p9':1,'p0':2,'p5':3}", 1, NULL},
        {"{'properties':{'p0':{'type':'integer'},'p1':{'type':'integer'},"
         "'p2':{'type':'integer'},'p3':{'type':'integer'},"
         "'p4':{'type':'integer'},'p5':{'type':'integer'},"
         "'p6':{'type':'integer'},'p7':{'type':'integer'},"
         "'p8':{'type':'integer'},'p9':{'type':'integer'}},"
         "'additionalProperties':false}",
         "{'p7':'x'}", 0, "/p7: expected integer"},
        {"{'properties':{'p0':{'type':'integer'},'p1':{'type':'integer'},"
         "'p2':{'type':'integer'},'p3':{'type':'integer'},"
         "'p4':{'type':'integer'},'p5':{'type':'integer'},"
         "'p6':{'type':'integer'},'p7':{'type':'integer'},"
         "'p8':{'type':'integer'},'p9':{'type':'integer'}},"
         "'additionalProperties':false}",
         "{'zz':1}", 0, "unexpected property 'zz' (allowed: 'p0', 'p1'"},

        /* enum, const */
        {"{'enum':['title','bullets']}", "'title'", 1, NULL},
        {"{'enum':['title','bullets']}", "'grid'", 0,
         "/: 'grid' is not one of 'title', 'bullets'"},
        {"{'type':'object','properties':{'slides':{'type':'array','items':"
         "{'type':'object','properties':{'layout':"
         "{'enum':['title','bullets']}}}}}}",
         "{'slides':[{'layout':'title'},{'layout':'grid'}]}", 0,
         "/slides/1/layout: 'grid' is not one of 'title', 'bullets'"},
        {"{'enum':[{'a':1},[1,2],null]}", "{'a':1.0}", 1, NULL},
        {"{'enum':[{'a':1},[1,2],null]}", "null", 1, NULL},
        {"{'enum':[{'a':1},[1,2],null]}", "{'a':2}", 0,
         "{'a':2} is not one of {'a':1}, [1,2], null"},
        {"{'enum':[{'a':1},[1,2],null]}", "[2,1]", 0, "is not one of"},
        {"{'enum':[1,2,3]}", "2.0", 1, NULL},
        {"{'enum':[1,2,3]}", "'2'", 0, "'2' is not one of 1, 2, 3"},
        {"{'enum':[0,1,2,3,4,5,6,7,8,9]}", "10", 0, "(10 values in all)"},
        {"{'const':{'a':[1,{'b':null}],'c':'x'}}",
         "{'c':'x','a':[1.0,{'b':null}]}", 1, NULL},
        {"{'const':{'a':[1,{'b':null}],'c':'x'}}",
         "{'c':'x','a':[1,{'b':false}]}", 0, "must be {'a':[1,{'b':null}]"},
        {"{'const':{'a':1}}", "{'a':1,'b':2}", 0, "must be {'a':1}"},
        {"{'const':1}", "1.0", 1, NULL},
        {"{'const':'x'}", "'y'", 0, "/: must be 'x', got 'y'"},
        {"{'const':[1,2]}", "[2,1]", 0, "must be [1,2], got [2,1]"},
        {"{'const':null}", "false", 0, "must be null, got false"},

        /* numeric bounds */
        {"{'minimum':1}", "1", 1, NULL},
        {"{'minimum':1}", "0.5", 0, "/: 0.5 is less than the minimum 1"},
        {"{'type':'object','properties':{'count':{'type':'integer',"
         "'maximum':10}}}",
         "{'count':12}", 0, "/count: 12 is greater than the maximum 10"},
        {"{'maximum':10}", "10", 1, NULL},
        {"{'exclusiveMinimum':0}", "0", 0,
         "0 must be greater than 0 (exclusiveMinimum)"},
        {"{'exclusiveMinimum':0}", "1e-9", 1, NULL},
        {"{'exclusiveMaximum':10}", "9.99", 1, NULL},
        {"{'exclusiveMaximum':10}", "10", 0,
         "10 must be less than 10 (exclusiveMaximum)"},
        {"{'minimum':-2.5,'maximum':2.5}", "-2.6", 0,
         "-2.6 is less than the minimum -2.5"},
        {"{'minimum':5}", "'abc'", 1, NULL}, /* numbers only */

        /* string length, in code points */
        {"{'minLength':2}", "'a'", 0,
         "'a' has 1 character, fewer than the minimum length 2"},
        {"{'maxLength':5}", "'h\\u00e9llo'", 1, NULL},
        {"{'maxLength':4}", "'h\\u00e9llo'", 0,
         "has 5 characters, more than the maximum length 4"},
        {"{'maxLength':1}", "'\\ud83d\\ude00'", 1, NULL},
        {"{'minLength':2}", "'\\ud83d\\ude00'", 0, "has 1 character"},
        {"{'minLength':3,'maxLength':3}", "'\\u65e5\\u672c\\u8a9e'", 1, NULL},
        {"{'minLength':1}", "''", 0, "'' has 0 characters"},
        {"{'maxLength':1}", "12345", 1, NULL}, /* strings only */

        /* pattern */
        {"{'pattern':'^\\\\d{3}-\\\\d{4}$'}", "'555-1234'", 1, NULL},
        {"{'pattern':'^\\\\d{3}-\\\\d{4}$'}", "'555-12345'", 0,
         "'555-12345' does not match the pattern '^\\\\d{3}-\\\\d{4}$'"},
        {"{'pattern':'\\\\d'}", "'abc1'", 1, NULL}, /* a search */
        {"{'pattern':'\\\\d'}", "'abc'", 0, "does not match"},
        {"{'pattern':'^\\\\w+$'}", "'hello_World1'", 1, NULL},
        {"{'pattern':'^\\\\w+$'}", "'hello world'", 0, "does not match"},
        {"{'pattern':'^[\\\\w.-]+@[\\\\w-]+\\\\.[a-z]{2,}$'}",
         "'a.b-c@ex-ample.org'", 1, NULL},
        {"{'pattern':'^[\\\\w.-]+@[\\\\w-]+\\\\.[a-z]{2,}$'}",
         "'a.b-c@example'", 0, "does not match"},
        {"{'pattern':'^[^\\\\d]+$'}", "'abc'", 1, NULL},
        {"{'pattern':'^[^\\\\d]+$'}", "'ab1'", 0, "does not match"},
        {"{'pattern':'^[\\\\D]{2}$'}", "'\\u00e9!'", 1, NULL},
        {"{'pattern':'^[a\\\\D]$'}", "'5'", 0, "does not match"},
        {"{'pattern':'^.{3}$'}", "'h\\u00e9\\u00e9'", 1, NULL},
        {"{'pattern':'^.{3}$'}", "'h\\u00e9\\u00e9!'", 0, "does not match"},
        {"{'pattern':'^[^a]$'}", "'\\u00e9'", 1, NULL},
        {"{'pattern':'^\\\\S+$'}", "'a b'", 0, "does not match"},
        {"{'pattern':'^\\\\s*$'}", "' \\t\\n'", 1, NULL},
        {"{'pattern':'a.c'}", "'a\\nc'", 0, "does not match"},
        {"{'pattern':'^(?:ab)+$'}", "'abab'", 1, NULL},
        {"{'pattern':'^\\\\$\\\\d+\\\\.\\\\d{2}$'}", "'$12.50'", 1, NULL},
        {"{'pattern':'^\\\\$\\\\d+\\\\.\\\\d{2}$'}", "'$12x50'", 0,
         "does not match"},
        {"{'pattern':'^[\\\\u0400-\\\\u04FF]+$'}",
         "'\\u043f\\u0440\\u0438\\u0432\\u0435\\u0442'", 1, NULL},
        {"{'pattern':'^[\\\\u0400-\\\\u04FF]+$'}", "'hello'", 0,
         "does not match"},
        {"{'pattern':'colou?r'}", "'The color'", 1, NULL},
        {"{'pattern':'^a|b$'}", "'xb'", 1, NULL},
        {"{'pattern':'\\\\bcat\\\\b'}", "'a cat here'", 1, NULL},
        {"{'pattern':'\\\\bcat\\\\b'}", "'concatenate'", 0, "does not match"},
        {"{'pattern':'^[\\\\^\\\\-\\\\]]+$'}", "'^-]'", 1, NULL},
        {"{'pattern':'^a{2,3}?$'}", "'aaaa'", 0, "does not match"},
        {"{'pattern':'^{x}$'}", "'{x}'", 1, NULL}, /* literal braces */
        {"{'pattern':'^a$'}", "5", 1, NULL},       /* strings only */

        /* arrays */
        {"{'type':'array','items':{'type':'integer'}}", "[1,2,3]", 1, NULL},
        {"{'type':'array','items':{'type':'integer'}}", "[1,'2',3]", 0,
         "/1: expected integer, got string '2'"},
        {"{'minItems':2}", "[1]", 0,
         "the array has 1 item, fewer than the minimum 2"},
        {"{'maxItems':2}", "[1,2,3]", 0,
         "the array has 3 items, more than the maximum 2"},
        {"{'minItems':1,'maxItems':1}", "['x']", 1, NULL},
        {"{'items':false}", "[]", 1, NULL},
        {"{'items':false}", "[1]", 0, "/0: no value is allowed here"},
        {"{'items':{'items':{'type':'string'}}}", "[['a'],['b',3]]", 0,
         "/1/1: expected string, got number 3"},

        /* allOf, anyOf, oneOf, not */
        {"{'allOf':[{'type':'integer'},{'minimum':3}]}", "5", 1, NULL},
        {"{'allOf':[{'type':'integer'},{'minimum':3}]}", "2", 0,
         "2 is less than the minimum 3"},
        {"{'anyOf':[{'type':'string'},{'type':'integer'}]}", "5", 1, NULL},
        {"{'anyOf':[{'type':'string'},{'type':'integer'}]}", "true", 0,
         "/: expected string or integer, got boolean true"},
        {"{'anyOf':[{'type':'string'},{'type':'object','properties':"
         "{'n':{'type':'integer'}}}]}",
         "{'n':'x'}", 0, "/n: expected integer, got string 'x'"},
        {"{'anyOf':[{'type':'object','required':['a']},"
         "{'type':'object','required':['b']}]}",
         "{}", 0, "/: matches none of the 2 allowed shapes (anyOf)"},
        {"{'oneOf':[{'type':'integer'},{'type':'string'}]}", "5", 1, NULL},
        {"{'oneOf':[{'type':'number'},{'type':'integer'}]}", "5", 0,
         "matches more than one of the 2 allowed shapes (oneOf branches 0 "
         "and 1)"},
        {"{'oneOf':[{'type':'number'},{'type':'integer'}]}", "5.5", 1, NULL},
        {"{'oneOf':[{'type':'number'},{'type':'string'}]}", "null", 0,
         "expected string or number, got null"},
        {"{'oneOf':[{'type':'object','properties':{'kind':{'const':'a'},"
         "'x':{'type':'integer'}},'required':['kind','x']},"
         "{'type':'object','properties':{'kind':{'const':'b'},"
         "'y':{'type':'string'}},'required':['kind','y']}]}",
         "{'kind':'b'}", 0, "missing required property 'y'"},
        {"{'not':{'type':'null'}}", "1", 1, NULL},
        {"{'not':{'type':'null'}}", "null", 0, "/: must not be null, got null"},
        {"{'not':{'minimum':3}}", "5", 0,
         "5 matches the schema under 'not', which is not allowed"},
        {"{'not':{'const':'admin'}}", "'admin'", 0,
         "'admin' is a forbidden value"},
        {"{'not':{'const':'admin'}}", "'user'", 1, NULL},

        /* $ref, $defs, definitions, recursion */
        {"{'$defs':{'pos':{'type':'integer','minimum':1}},'type':'object',"
         "'properties':{'n':{'$ref':'#/$defs/pos'}}}",
         "{'n':0}", 0, "/n: 0 is less than the minimum 1"},
        {"{'definitions':{'s':{'type':'string'}},"
         "'items':{'$ref':'#/definitions/s'}}",
         "['a',1]", 0, "/1: expected string"},
        {"{'type':'object','properties':{'value':{'type':'integer'},"
         "'children':{'type':'array','items':{'$ref':'#'}}},"
         "'required':['value']}",
         "{'value':1,'children':[{'value':2,'children':[{'value':3}]}]}", 1,
         NULL},
        {"{'type':'object','properties':{'value':{'type':'integer'},"
         "'children':{'type':'array','items':{'$ref':'#'}}},"
         "'required':['value']}",
         "{'value':1,'children':[{'value':2,'children':[{'value':'x'}]}]}", 0,
         "/children/0/children/0/value: expected integer"},
        {"{'$defs':{'a/b':{'type':'string'},'c~d':{'type':'integer'}},"
         "'properties':{'x':{'$ref':'#/$defs/a~1b'},"
         "'y':{'$ref':'#/$defs/c~0d'}}}",
         "{'x':'s','y':1}", 1, NULL},
        {"{'$defs':{'a/b':{'type':'string'},'c~d':{'type':'integer'}},"
         "'properties':{'x':{'$ref':'#/$defs/a~1b'},"
         "'y':{'$ref':'#/$defs/c~0d'}}}",
         "{'y':'s'}", 0, "/y: expected integer"},
        {"{'$defs':{'s':{'type':'string'}},'$ref':'#/$defs/s',"
         "'maxLength':2}",
         "'abc'", 0, "more than the maximum length 2"},
        {"{'$defs':{'node':{'type':'object','properties':{'next':"
         "{'anyOf':[{'type':'null'},{'$ref':'#/$defs/node'}]}}}},"
         "'$ref':'#/$defs/node'}",
         "{'next':{'next':{'next':null}}}", 1, NULL},
        {"{'$defs':{'node':{'type':'object','properties':{'next':"
         "{'anyOf':[{'type':'null'},{'$ref':'#/$defs/node'}]}}}},"
         "'$ref':'#/$defs/node'}",
         "{'next':{'next':5}}", 0,
         "/next/next: expected object or null, got number 5"},
        {"{'$defs':{'a':{'$ref':'#/$defs/b'},'b':{'type':'string'}},"
         "'$ref':'#/$defs/a'}",
         "1", 0, "expected string"},

        /* boolean schemas */
        {"true", "{'anything':[1,2]}", 1, NULL},
        {"false", "1", 0, "/: no value is allowed here"},
        {"{'properties':{'legacy':false}}", "{'legacy':1}", 0,
         "/legacy: no value is allowed here"},
        {"{'properties':{'legacy':false}}", "{'other':1}", 1, NULL},
        {"{'anyOf':[false,true]}", "1", 1, NULL},
        {"{'not':true}", "1", 0, "matches the schema under 'not'"},
        {"{'not':false}", "1", 1, NULL},

        /* unknown and annotation keywords are ignored */
        {"{'type':'string','format':'email','x-custom':{'a':1},'title':'T',"
         "'description':'d','default':'z','examples':['q'],'$comment':'c'}",
         "'a'", 1, NULL},

        /* long values are cut in messages */
        {"{'type':'integer'}",
         "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'",
         0, "aaaa...'"},

        /* multipleOf, with the slack decimal input needs */
        {"{'multipleOf':3}", "9", 1, NULL},
        {"{'multipleOf':3}", "10", 0, "/: 10 is not a multiple of 3"},
        {"{'multipleOf':0.01}", "0.07", 1, NULL},
        {"{'multipleOf':0.01}", "19.99", 1, NULL},
        {"{'multipleOf':0.01}", "0.075", 0, "is not a multiple of 0.01"},
        {"{'multipleOf':1}", "100000000.5", 0, "not a multiple of 1"},
        {"{'multipleOf':0.5}", "-2.5", 1, NULL},
        {"{'multipleOf':2}", "'x'", 1, NULL},
        {"{'multipleOf':1e-300}", "1e300", 1, NULL},

        /* uniqueItems: pairwise, then hashed past 32 items */
        {"{'uniqueItems':true}", "[1,2,3]", 1, NULL},
        {"{'uniqueItems':true}", "[1,2,1]", 0,
         "/: items 0 and 2 are equal, but the items must be distinct"},
        {"{'uniqueItems':true}", "[1,1.0]", 0, "items 0 and 1 are equal"},
        {"{'uniqueItems':true}", "[{'a':1,'b':[2]},{'b':[2],'a':1}]", 0,
         "items 0 and 1 are equal"},
        {"{'uniqueItems':true}", "[{'a':1},{'a':2},[1],[1,2],'1',true,1]", 1,
         NULL},
        {"{'uniqueItems':false}", "[1,1]", 1, NULL},
        {"{'uniqueItems':true}",
         "[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,"
         "24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,{'x':[1]}]",
         1, NULL},
        {"{'uniqueItems':true}",
         "[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,"
         "24,25,26,27,28,29,30,31,32,33,34,35,{'x':[1]},37,38,39,"
         "{'x':[1.0]}]",
         0, "items 36 and 40 are equal"},
        {"{'uniqueItems':true}",
         "[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,"
         "24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,-0,0]",
         0, "items 0 and 40 are equal"},

        /* prefixItems, and draft-07's array form of items */
        {"{'prefixItems':[{'type':'string'},{'type':'integer'}]}",
         "['a',1,true]", 1, NULL},
        {"{'prefixItems':[{'type':'string'},{'type':'integer'}]}", "[1]", 0,
         "/0: expected string, got number 1"},
        {"{'prefixItems':[{'type':'string'}],'items':{'type':'integer'}}",
         "['a',1,2]", 1, NULL},
        {"{'prefixItems':[{'type':'string'}],'items':{'type':'integer'}}",
         "['a',1,'b']", 0, "/2: expected integer, got string 'b'"},
        {"{'prefixItems':[{'type':'string'}],'items':false}", "['a','b']", 0,
         "/: the array has 2 items, but only the first 1 are allowed"},
        {"{'prefixItems':[{'type':'string'}],'items':false}", "['a']", 1, NULL},
        {"{'items':[{'type':'string'}],'additionalItems':{'type':'null'}}",
         "['a',null,null]", 1, NULL},
        {"{'items':[{'type':'string'}],'additionalItems':{'type':'null'}}",
         "['a',null,3]", 0, "/2: expected null, got number 3"},
        {"{'items':[{'type':'string'}]}", "['a',3]", 1, NULL},
        {"{'items':[{'type':'string'}]}", "[3]", 0, "/0: expected string"},

        /* contains, minContains, maxContains */
        {"{'contains':{'type':'string'}}", "[1,'a',2]", 1, NULL},
        {"{'contains':{'type':'string'}}", "[1,2]", 0,
         "/: no item of the array matches the schema of \"contains\""},
        {"{'contains':{'type':'string'}}", "[]", 0, "no item of the array"},
        {"{'contains':{'type':'string'},'minContains':0}", "[]", 1, NULL},
        {"{'contains':{'type':'string'},'minContains':2}", "['a',1]", 0,
         "1 item of the array matches the schema of \"contains\", fewer "
         "than the minimum (minContains) 2"},
        {"{'contains':{'type':'string'},'maxContains':1}", "['a','b']", 0,
         "2 items of the array match the schema of \"contains\", more "
         "than the maximum (maxContains) 1"},
        {"{'contains':{'type':'string'},'maxContains':1}", "['a',2]", 1, NULL},
        {"{'minContains':5}", "[]", 1, NULL},

        /* minProperties, maxProperties */
        {"{'minProperties':1}", "{}", 0,
         "/: the object has 0 properties, fewer than the minimum 1"},
        {"{'maxProperties':1}", "{'a':1,'b':2}", 0,
         "the object has 2 properties, more than the maximum 1"},
        {"{'minProperties':1,'maxProperties':1}", "{'a':1}", 1, NULL},
        {"{'maxProperties':0}", "[1,2]", 1, NULL},

        /* patternProperties, with properties and additionalProperties */
        {"{'patternProperties':{'^x-':{'type':'string'}}}", "{'x-a':'1','y':2}",
         1, NULL},
        {"{'patternProperties':{'^x-':{'type':'string'}}}", "{'x-a':1}", 0,
         "/x-a: expected string, got number 1"},
        {"{'properties':{'id':{'type':'integer'}},"
         "'patternProperties':{'^x-':{'type':'string'}},"
         "'additionalProperties':false}",
         "{'id':1,'x-b':'c'}", 1, NULL},
        {"{'properties':{'id':{'type':'integer'}},"
         "'patternProperties':{'^x-':{'type':'string'}},"
         "'additionalProperties':false}",
         "{'id':1,'y':'c'}", 0,
         "unexpected property 'y' (allowed: 'id', names matching '^x-')"},
        {"{'patternProperties':{'^x-':{}},'additionalProperties':false}",
         "{'y':1}", 0, "(allowed: names matching '^x-')"},
        {"{'patternProperties':{'a':{'minimum':5},'b':{'maximum':7}}}",
         "{'ab':6}", 1, NULL},
        {"{'patternProperties':{'a':{'minimum':5},'b':{'maximum':7}}}",
         "{'ab':8}", 0, "/ab: 8 is greater than the maximum 7"},
        {"{'patternProperties':{'':{'type':'integer'}}}", "{'q':'s'}", 0,
         "/q: expected integer"},
        {"{'patternProperties':{'^\\\\d+$':{'type':'boolean'}},"
         "'additionalProperties':{'type':'string'}}",
         "{'12':true,'ab':'c'}", 1, NULL},
        {"{'patternProperties':{'^\\\\d+$':{'type':'boolean'}},"
         "'additionalProperties':{'type':'string'}}",
         "{'12':true,'ab':3}", 0, "/ab: expected string"},

        /* propertyNames */
        {"{'propertyNames':{'pattern':'^[a-z]+$'}}", "{'ab':1,'cd':2}", 1,
         NULL},
        {"{'propertyNames':{'pattern':'^[a-z]+$'}}", "{'ab':1,'C':2}", 0,
         "/C: 'C' does not match the pattern '^[a-z]+$'"},
        {"{'propertyNames':{'maxLength':3}}", "{'abcd':1}", 0,
         "has 4 characters, more than the maximum length 3"},
        {"{'propertyNames':false}", "{}", 1, NULL},
        {"{'propertyNames':false}", "{'a':1}", 0, "/a"},

        /* dependentRequired */
        {"{'dependentRequired':{'card':['cvv','expiry']}}",
         "{'card':'4111','cvv':'123','expiry':'12/30'}", 1, NULL},
        {"{'dependentRequired':{'card':['cvv','expiry']}}",
         "{'card':'4111','cvv':'123'}", 0,
         "/: missing property 'expiry', which is required when 'card' is "
         "given"},
        {"{'dependentRequired':{'card':['cvv']}}", "{'cvv':'1'}", 1, NULL},

        /* if, then, else */
        {"{'if':{'properties':{'kind':{'const':'epic'}}},"
         "'then':{'required':['epicName']},'else':{'required':['parent']}}",
         "{'kind':'epic','epicName':'E'}", 1, NULL},
        {"{'if':{'properties':{'kind':{'const':'epic'}}},"
         "'then':{'required':['epicName']},'else':{'required':['parent']}}",
         "{'kind':'epic'}", 0, "missing required property 'epicName'"},
        {"{'if':{'properties':{'kind':{'const':'epic'}}},"
         "'then':{'required':['epicName']},'else':{'required':['parent']}}",
         "{'kind':'task'}", 0, "missing required property 'parent'"},
        {"{'if':{'type':'string'},'then':{'minLength':2}}", "5", 1, NULL},
        {"{'if':{'type':'string'},'then':{'minLength':2}}", "'a'", 0,
         "fewer than the minimum length 2"},
        {"{'then':{'type':'string'}}", "5", 1, NULL},
};

static void test_cases(void **state)
{
	size_t i, failures = 0;
	char msg[1024];

	(void)state;
	assert_true(sizeof cases / sizeof *cases >= 80);
	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		const struct vcase *t = &cases[i];
		struct schema *s = compile_ok(t->schema);
		cJSON *inst = parse_q(t->instance);
		char *want = t->msg ? jq(t->msg) : NULL;
		int got;

		memset(msg, 'Z', sizeof msg);
		got = schema_validate(s, inst, msg, sizeof msg);
		if (got != t->valid) {
			print_error("case %zu: %s against %s: expected %s, "
			            "got %s (%s)\n",
			            i, t->instance, t->schema,
			            t->valid ? "valid" : "invalid",
			            got ? "valid" : "invalid", msg);
			failures++;
		} else if (got && msg[0] != '\0') {
			print_error("case %zu: valid but message \"%s\"\n", i,
			            msg);
			failures++;
		} else if (!got &&
		           (msg[0] == '\0' || (want && !strstr(msg, want)))) {
			print_error("case %zu: %s against %s: message \"%s\" "
			            "lacks \"%s\"\n",
			            i, t->instance, t->schema, msg,
			            want ? want : "(anything)");
			failures++;
		}
		/* The answer does not depend on a message being asked for. */
		if (schema_validate(s, inst, NULL, 0) != got) {
			print_error("case %zu: result changes without a "
			            "message\n",
			            i);
			failures++;
		}
		free(want);
		cJSON_Delete(inst);
		schema_free(s);
	}
	assert_int_equal(failures, 0);
}

struct ccase {
	const char *schema;
	const char *msg; /* ' for " */
};

static const struct ccase compile_errors[] = {
        {"{'minimum':'3'}", "at #/minimum: must be a number, got string '3'"},
        {"{'properties':{'age':{'minimum':'3'}}}",
         "at #/properties/age/minimum: must be a number"},
        {"{'maximum':null}", "at #/maximum: must be a number"},
        {"{'required':'x'}", "at #/required: must be an array"},
        {"{'required':['a',2]}", "at #/required/1: must be a property name"},
        {"{'type':'strnig'}", "at #/type: unknown type 'strnig'"},
        {"{'type':['string',5]}", "at #/type/1: must be a type name"},
        {"{'type':{}}", "at #/type: must be a type name or an array"},
        {"{'maxLength':-1}", "at #/maxLength: must be a non-negative integer"},
        {"{'minItems':1.5}", "at #/minItems: must be a non-negative integer"},
        {"{'minLength':'2'}", "at #/minLength: must be a non-negative integer"},
        {"{'pattern':'(?=a)'}", "at #/pattern: '(?=a)' is not a supported "
                                "regex: lookahead"},
        {"{'properties':{'x':{'pattern':'[a'}}}",
         "at #/properties/x/pattern: '[a' is not a supported regex"},
        {"{'pattern':'\\\\1'}", "backreferences are not supported"},
        {"{'pattern':'a{2000}'}", "a repeat count is over 1000"},
        {"{'pattern':'((a{1,100}){1,100})'}", "too large a regex"},
        {"{'pattern':5}", "at #/pattern: must be a string"},
        {"{'prefixItems':[{}],'items':[{'type':'string'}]}",
         "at #/items: must be a schema when prefixItems is there"},
        {"{'prefixItems':[]}", "at #/prefixItems: must be a non-empty array"},
        {"{'items':[{},3]}", "at #/items/1: must be a schema"},
        {"{'items':[{}],'additionalItems':3}",
         "at #/additionalItems: must be a schema"},
        {"{'multipleOf':0}",
         "at #/multipleOf: must be a number greater than 0"},
        {"{'multipleOf':'2'}", "at #/multipleOf: must be a number"},
        {"{'uniqueItems':1}", "at #/uniqueItems: must be a boolean"},
        {"{'contains':5}", "at #/contains: must be a schema"},
        {"{'contains':{},'minContains':-1}",
         "at #/minContains: must be a non-negative integer"},
        {"{'minProperties':'1'}",
         "at #/minProperties: must be a non-negative integer"},
        {"{'patternProperties':[]}",
         "at #/patternProperties: must be an object of schemas"},
        {"{'patternProperties':{'^a(':{}}}",
         "at #/patternProperties/^a(: '^a(' is not a supported regex"},
        {"{'patternProperties':{'(?=x)':{}}}", "lookahead"},
        {"{'patternProperties':{'^a':3}}",
         "at #/patternProperties/^a: must be a schema"},
        {"{'patternProperties':{'^a':{'type':'nope'}}}",
         "at #/patternProperties/^a/type: unknown type 'nope'"},
        {"{'propertyNames':'x'}", "at #/propertyNames: must be a schema"},
        {"{'dependentRequired':{'a':'b'}}",
         "at #/dependentRequired/a: must be an array of property names"},
        {"{'dependentRequired':{'a':['b',1]}}",
         "at #/dependentRequired/a/1: must be a property name"},
        {"{'if':{},'then':3}", "at #/then: must be a schema"},
        {"{'if':'x'}", "at #/if: must be a schema"},
        {"{'$defs':{'a':{'if':{'$ref':'#/$defs/a'}}},'$ref':'#/$defs/a'}",
         "this $ref leads back"},
        {"{'items':3}", "at #/items: must be a schema"},
        {"{'anyOf':[]}", "at #/anyOf: must be a non-empty array of schemas"},
        {"{'oneOf':{}}", "at #/oneOf: must be a non-empty array"},
        {"{'allOf':[{'type':'string'},3]}", "at #/allOf/1: must be a schema"},
        {"{'not':'x'}", "at #/not: must be a schema"},
        {"{'enum':'x'}", "at #/enum: must be an array"},
        {"{'additionalProperties':'no'}",
         "at #/additionalProperties: must be a boolean or a schema"},
        {"{'properties':5}", "at #/properties: must be an object"},
        {"{'properties':{'a/b':{'type':7}}}", "at #/properties/a~1b/type"},
        {"{'properties':{'a':{},'a':{}}}", "property 'a' is defined twice"},
        {"{'$ref':'#/$defs/missing'}",
         "at #/$ref: '#/$defs/missing' does not resolve"},
        {"{'$ref':'other.json#/x'}",
         "at #/$ref: 'other.json#/x' is not supported"},
        {"{'$ref':'#anchor'}", "at #/$ref: '#anchor' is not supported"},
        {"{'$ref':5}", "at #/$ref: must be a string"},
        {"{'$defs':{'x':'str'},'$ref':'#/$defs/x'}",
         "at #/$ref: '#/$defs/x' points to a string, not to a schema"},
        {"{'$defs':{'bad':{'type':'nope'}}}",
         "at #/$defs/bad/type: unknown type 'nope'"},
        {"{'$defs':5}", "at #/$defs: must be an object"},
        {"{'$ref':'#/$defs/a','$defs':{'a':{'$ref':'#/$defs/a'}}}",
         "at #/$defs/a/$ref: this $ref leads back"},
        {"{'anyOf':[{'$ref':'#'}]}", "at #/anyOf/0/$ref: this $ref leads back"},
        {"{'$defs':{'a':{'allOf':[{'$ref':'#/$defs/b'}]},"
         "'b':{'not':{'$ref':'#/$defs/a'}}}}",
         "this $ref leads back"},
        {"5", "at #: a schema must be an object or a boolean, got number 5"},
        {"{'properties':{'x':[]}}",
         "at #/properties/x: a schema must be an object or a boolean"},
        /* 70 levels of [] */
        {"{'const':[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
         "[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]"
         "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
         "at #/const: value nested deeper than 64 levels"},
};

static void test_compile_errors(void **state)
{
	size_t i, failures = 0;

	(void)state;
	assert_true(sizeof compile_errors / sizeof *compile_errors >= 12);
	for (i = 0; i < sizeof compile_errors / sizeof *compile_errors; i++) {
		char *text = jq(compile_errors[i].schema);
		char *want = jq(compile_errors[i].msg);
		struct schema *s = NULL;
		struct sh_error e;
		sh_status rc;

		sh_error_clear(&e);
		rc = schema_compile_text(text, strlen(text), &s, &e);
		if (rc != SH_ERR_INVALID || s != NULL || !strstr(e.msg, want)) {
			print_error("compile case %zu: %s: status %d, "
			            "message \"%s\" lacks \"%s\"\n",
			            i, text, (int)rc, e.msg, want);
			failures++;
		}
		free(text);
		free(want);
	}
	assert_int_equal(failures, 0);
}

static void test_deep_schema_refused(void **state)
{
	char text[64 * 16 + 64];
	struct schema *s = NULL;
	struct sh_error e;
	size_t i, len = 0;

	(void)state;
	for (i = 0; i < 70; i++)
		len += (size_t)sprintf(text + len, "{\"not\":");
	len += (size_t)sprintf(text + len, "true");
	for (i = 0; i < 70; i++)
		text[len++] = '}';
	text[len] = '\0';
	assert_int_equal(schema_compile_text(text, len, &s, &e),
	                 SH_ERR_INVALID);
	assert_null(s);
	assert_non_null(strstr(e.msg, "schema nested deeper than 64 levels"));
	assert_non_null(strstr(e.msg, "at #/not/not/not/"));
}

static void test_compile_text_errors(void **state)
{
	struct schema *s = NULL;
	struct sh_error e;

	(void)state;
	assert_int_equal(schema_compile_text("{\"type\":", 8, &s, &e),
	                 SH_ERR_INVALID);
	assert_null(s);
	assert_non_null(strstr(e.msg, "not valid JSON"));
	assert_int_equal(schema_compile_text("{} x", 4, &s, &e),
	                 SH_ERR_INVALID);
	assert_non_null(strstr(e.msg, "data after its JSON value, at byte 3"));
	assert_int_equal(schema_compile_text("", 0, &s, &e), SH_ERR_INVALID);
	/* Only len bytes count: the rest of the buffer is not read. */
	assert_int_equal(schema_compile_text("{}garbage", 2, &s, &e), SH_OK);
	schema_free(s);
	assert_int_equal(schema_compile(NULL, &s, &e), SH_ERR_INVALID);
	assert_null(s);
}

static void test_root_is_object(void **state)
{
	static const struct {
		const char *schema;
		int want;
	} t[] = {
	        {"{'type':'object'}", 1},
	        {"{'type':'object','properties':{'a':{}}}", 1},
	        {"{'type':['object']}", 0},
	        {"{'type':['object','null']}", 0},
	        {"{'type':'string'}", 0},
	        {"{}", 0},
	        {"true", 0},
	        {"{'$ref':'#/$defs/o','$defs':{'o':{'type':'object'}}}", 0},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof *t; i++) {
		struct schema *s = compile_ok(t[i].schema);

		if (schema_root_is_object(s) != t[i].want)
			fail_msg("schema_root_is_object(%s) != %d", t[i].schema,
			         t[i].want);
		schema_free(s);
	}
	assert_int_equal(schema_root_is_object(NULL), 0);
}

static void test_small_buffers(void **state)
{
	struct schema *s = compile_ok("{'type':'object','required':['name']}");
	cJSON *inst = parse_q("{}");
	char full[256], buf[16];

	(void)state;
	assert_int_equal(schema_validate(s, inst, full, sizeof full), 0);
	assert_string_equal(full, "/: missing required property \"name\"");

	memset(buf, 'Z', sizeof buf);
	assert_int_equal(schema_validate(s, inst, buf, 0), 0);
	assert_int_equal(buf[0], 'Z'); /* cap 0: nothing written */

	memset(buf, 'Z', sizeof buf);
	assert_int_equal(schema_validate(s, inst, buf, 1), 0);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'Z');

	memset(buf, 'Z', sizeof buf);
	assert_int_equal(schema_validate(s, inst, buf, 8), 0);
	assert_true(strlen(buf) <= 7);
	assert_int_equal(buf[8], 'Z');
	assert_string_equal(buf, "/: m...");

	memset(buf, 'Z', sizeof buf);
	assert_int_equal(schema_validate(s, inst, buf, 3), 0);
	assert_string_equal(buf, "/:");

	assert_int_equal(schema_validate(s, inst, NULL, 100), 0);

	/* A valid value leaves an empty message. */
	cJSON_Delete(inst);
	inst = parse_q("{'name':1}");
	memset(buf, 'Z', sizeof buf);
	assert_int_equal(schema_validate(s, inst, buf, sizeof buf), 1);
	assert_int_equal(buf[0], '\0');

	/* A cut never splits a UTF-8 character: the message is
	 * "/: expected integer, got string \"\xc3\xa9\xc3\xa9...", the first
	 * \xc3 at byte 33. */
	cJSON_Delete(inst);
	schema_free(s);
	s = compile_ok("{'type':'integer'}");
	inst = parse_q("'\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9'");
	assert_int_equal(schema_validate(s, inst, full, 40), 0);
	assert_string_equal(full, "/: expected integer, got string "
	                          "\"\xc3\xa9...");
	assert_int_equal(schema_validate(s, inst, full, 39), 0);
	assert_string_equal(full, "/: expected integer, got string "
	                          "\"\xc3\xa9...");
	assert_int_equal(schema_validate(s, inst, full, 38), 0);
	assert_string_equal(full, "/: expected integer, got string \"...");

	assert_int_equal(schema_validate(NULL, inst, full, sizeof full), 0);
	assert_non_null(strstr(full, "no schema"));
	assert_int_equal(schema_validate(s, NULL, full, sizeof full), 0);
	schema_free(NULL);
	cJSON_Delete(inst);
	schema_free(s);
}

/* A recursive schema stops at SCHEMA_MAX_DEPTH instance levels, with a
 * message, instead of running the stack out. */
static void test_depth_limit(void **state)
{
	struct schema *s = compile_ok("{'type':'array','items':{'$ref':'#'}}");
	cJSON *inst = cJSON_CreateArray(), *cur = inst, *next;
	char msg[512];
	int i;

	(void)state;
	for (i = 0; i < SCHEMA_MAX_DEPTH; i++) {
		next = cJSON_CreateArray();
		cJSON_AddItemToArray(cur, next);
		cur = next;
	}
	/* SCHEMA_MAX_DEPTH levels below the root: still fine */
	assert_int_equal(schema_validate(s, inst, msg, sizeof msg), 1);
	cJSON_AddItemToArray(cur, cJSON_CreateArray());
	assert_int_equal(schema_validate(s, inst, msg, sizeof msg), 0);
	assert_non_null(strstr(msg, "nested deeper than 64 levels"));
	assert_int_equal(strncmp(msg, "/0/0/0/", 7), 0);
	assert_int_equal(schema_validate(s, inst, NULL, 0), 0);
	cJSON_Delete(inst);
	schema_free(s);
}

/* oneOf over two recursive branches is exponential in the depth; the step
 * budget ends it with a message rather than hanging the host. */
static void test_step_budget(void **state)
{
	struct schema *s = compile_ok(
	        "{'oneOf':[{'items':{'$ref':'#'}},{'items':{'$ref':'#'}}]}");
	cJSON *inst = cJSON_CreateArray(), *cur = inst, *next;
	char msg[512];
	int i;

	(void)state;
	for (i = 0; i < 40; i++) {
		next = cJSON_CreateArray();
		cJSON_AddItemToArray(cur, next);
		cur = next;
	}
	assert_int_equal(schema_validate(s, inst, msg, sizeof msg), 0);
	assert_non_null(strstr(msg, "validation gave up after"));
	cJSON_Delete(inst);
	schema_free(s);
}

/* Patterns work in bytes whatever the process locale: glibc would read a
 * byte-level translation as characters under a UTF-8 LC_CTYPE. */
static void test_pattern_under_utf8_locale(void **state)
{
	const char *old = setlocale(LC_ALL, NULL);
	char *saved = strdup(old ? old : "C");
	struct schema *s;
	cJSON *ok, *bad;
	char msg[256];

	(void)state;
	assert_non_null(saved);
	if (!setlocale(LC_ALL, "C.UTF-8")) {
		free(saved);
		SKIP_OR_FAIL("the C.UTF-8 locale is missing (Debian: locales)");
	}
	s = compile_ok("{'pattern':'^[^x]\\\\w.$'}");
	ok = parse_q("'\\u00e9a\\u00e8'");
	bad = parse_q("'xa\\u00e8'");
	assert_int_equal(schema_validate(s, ok, msg, sizeof msg), 1);
	assert_int_equal(schema_validate(s, bad, msg, sizeof msg), 0);
	setlocale(LC_ALL, saved);
	free(saved);
	cJSON_Delete(ok);
	cJSON_Delete(bad);
	schema_free(s);
}

static struct schema *compile_pattern(const char *pattern)
{
	cJSON *root = cJSON_CreateObject();
	struct schema *s = NULL;
	struct sh_error e;

	assert_non_null(cJSON_AddStringToObject(root, "pattern", pattern));
	if (schema_compile(root, &s, &e) != SH_OK)
		fail_msg("pattern %s did not compile: %s", pattern, e.msg);
	cJSON_Delete(root);
	return s;
}

static int matches(const struct schema *s, const char *text)
{
	cJSON *v = cJSON_CreateString(text);
	int ok;

	assert_non_null(v);
	ok = schema_validate(s, v, NULL, 0);
	cJSON_Delete(v);
	return ok;
}

static size_t encode(uint32_t cp, char *out)
{
	size_t n;

	if (cp < 0x80) {
		out[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		out[0] = (char)(0xF0 | (cp >> 18));
		out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	out[n] = '\0';
	return n;
}

static int not_e_acute(uint32_t c)
{
	return c != 0xE9;
}
static int latin1_upper(uint32_t c)
{
	return c >= 0xE0 && c <= 0xFF;
}
static int bmp_from_100(uint32_t c)
{
	return c >= 0x100 && c <= 0xFFFF;
}
static int not_digit(uint32_t c)
{
	return c < '0' || c > '9';
}
static int not_line_end(uint32_t c)
{
	return c != '\n' && c != '\r';
}
static int astral_mix(uint32_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 0x1F600 && c <= 0x1F64F) ||
	       c == 0x10FFFF;
}
static int not_across(uint32_t c)
{
	return !(c >= 0x7FF && c <= 0x10000) && c != '\n' && c != '\r';
}

/* Classes are matched per code point, not per byte, whatever the UTF-8
 * length: check membership over every encoding length boundary. */
static void test_pattern_code_points(void **state)
{
	static const struct {
		const char *pattern;
		int (*in)(uint32_t);
	} t[] = {
	        {"^[^\xc3\xa9]$", not_e_acute},
	        {"^[\xc3\xa0-\xc3\xbf]$", latin1_upper},
	        {"^[\\u0100-\\uFFFF]$", bmp_from_100},
	        {"^\\D$", not_digit},
	        {"^.$", not_line_end},
	        {"^[A-Z\\u{1F600}-\\u{1F64F}\\u{10FFFF}]$", astral_mix},
	        {"^[^\\u07FF-\\u{10000}\\n\\r]$", not_across},
	};
	static const uint32_t edges[] = {
	        0x7F,    0x80,    0xFF,    0x100,   0x7FE,    0x7FF,
	        0x800,   0x801,   0xFFF,   0x1000,  0xD7FF,   0xE000,
	        0xFFFE,  0xFFFF,  0x10000, 0x10001, 0x1F5FF,  0x1F600,
	        0x1F64F, 0x1F650, 0x3FFFF, 0x40000, 0x10FFFE, 0x10FFFF};
	char text[8];
	size_t i, k, bad = 0;
	uint32_t c;

	(void)state;
	for (i = 0; i < sizeof t / sizeof *t; i++) {
		struct schema *s = compile_pattern(t[i].pattern);

		for (c = 1; c <= 0x10FFFF; c += c < 0x1100 ? 1 : 97) {
			if (c >= 0xD800 && c <= 0xDFFF)
				continue;
			encode(c, text);
			if (matches(s, text) != t[i].in(c) && bad++ < 5)
				print_error("%s on U+%04X\n", t[i].pattern,
				            (unsigned)c);
		}
		for (k = 0; k < sizeof edges / sizeof *edges; k++) {
			encode(edges[k], text);
			if (matches(s, text) != t[i].in(edges[k]) && bad++ < 5)
				print_error("%s on U+%04X\n", t[i].pattern,
				            (unsigned)edges[k]);
		}
		schema_free(s);
	}
	assert_int_equal(bad, 0);
}

/* POSIX reads ] - ^ [ specially inside brackets: every mix of them, plain
 * and negated, must still mean the ECMA class. */
static void test_pattern_bracket_specials(void **state)
{
	static const char sp[] = {']', '-', '^', '[', '\\', 'a', '.', ':'};
	const int nsp = (int)sizeof sp;
	char pat[64], text[2] = {0, 0};
	int mask, neg, i, ch, in, l, bad = 0;

	(void)state;
	for (mask = 1; mask < (1 << nsp); mask++) {
		for (neg = 0; neg < 2; neg++) {
			struct schema *s;

			l = 0;
			pat[l++] = '^';
			pat[l++] = '[';
			if (neg)
				pat[l++] = '^';
			for (i = 0; i < nsp; i++) {
				if (!((mask >> i) & 1))
					continue;
				if (strchr("]-^[\\", sp[i]))
					pat[l++] = '\\';
				pat[l++] = sp[i];
			}
			pat[l++] = ']';
			pat[l++] = '$';
			pat[l] = '\0';
			s = compile_pattern(pat);
			for (ch = 1; ch < 128; ch++) {
				in = 0;
				for (i = 0; i < nsp; i++)
					if (((mask >> i) & 1) && sp[i] == ch)
						in = 1;
				text[0] = (char)ch;
				if (neg)
					in = !in;
				if (matches(s, text) != in && bad++ < 5)
					print_error("%s on %d\n", pat, ch);
			}
			schema_free(s);
		}
	}
	assert_int_equal(bad, 0);
}

/* glibc restarts an unanchored search at every byte, quadratic in the
 * string; the validator anchors every pattern so the cost stays linear. */
static void test_pattern_search_is_linear(void **state)
{
	struct schema *s = compile_pattern("(a|aa|aaa)*b");
	size_t n = 100000;
	char *text = malloc(n + 2);
	struct timespec t0, t1;
	double secs;

	(void)state;
	assert_non_null(text);
	memset(text, 'a', n);
	text[n] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(matches(s, text), 0);
	text[n] = 'b';
	text[n + 1] = '\0';
	assert_int_equal(matches(s, text), 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	/* About a millisecond; unanchored it was 16 s. */
	assert_true(secs < 2.0);
	free(text);
	schema_free(s);
}

#define THREADS 8
#define ROUNDS  10000

struct thread_arg {
	const struct schema *s;
	const cJSON *good, *bad;
	const char *want;
	int errors;
};

static void *validate_loop(void *p)
{
	struct thread_arg *a = p;
	char msg[256];
	int i;

	for (i = 0; i < ROUNDS; i++) {
		if (schema_validate(a->s, a->good, msg, sizeof msg) != 1 ||
		    msg[0] != '\0')
			a->errors++;
		if (schema_validate(a->s, a->bad, msg, sizeof msg) != 0 ||
		    strcmp(msg, a->want) != 0)
			a->errors++;
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct schema *s = compile_ok(
	        "{'type':'object','properties':{'name':{'type':'string',"
	        "'pattern':'^[a-z]+$'},'kind':{'anyOf':[{'const':'a'},"
	        "{'type':'integer'}]},'tags':{'type':'array','items':"
	        "{'enum':['x','y']}}},'required':['name'],"
	        "'additionalProperties':false}");
	cJSON *good = parse_q("{'name':'abc','kind':3,'tags':['x','y']}");
	cJSON *bad = parse_q("{'name':'abc','kind':'b','tags':['x','z']}");
	struct thread_arg args[THREADS];
	pthread_t tid[THREADS];
	char want[256];
	int i;

	(void)state;
	assert_int_equal(schema_validate(s, bad, want, sizeof want), 0);
	assert_non_null(strstr(want, "/kind:"));
	for (i = 0; i < THREADS; i++) {
		args[i].s = s;
		args[i].good = good;
		args[i].bad = bad;
		args[i].want = want;
		args[i].errors = 0;
		assert_int_equal(
		        pthread_create(&tid[i], NULL, validate_loop, &args[i]),
		        0);
	}
	for (i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(tid[i], NULL), 0);
		assert_int_equal(args[i].errors, 0);
	}
	cJSON_Delete(good);
	cJSON_Delete(bad);
	schema_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_cases),
	        cmocka_unit_test(test_compile_errors),
	        cmocka_unit_test(test_deep_schema_refused),
	        cmocka_unit_test(test_compile_text_errors),
	        cmocka_unit_test(test_root_is_object),
	        cmocka_unit_test(test_small_buffers),
	        cmocka_unit_test(test_depth_limit),
	        cmocka_unit_test(test_step_budget),
	        cmocka_unit_test(test_pattern_under_utf8_locale),
	        cmocka_unit_test(test_pattern_code_points),
	        cmocka_unit_test(test_pattern_bracket_specials),
	        cmocka_unit_test(test_pattern_search_is_linear),
	        cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
