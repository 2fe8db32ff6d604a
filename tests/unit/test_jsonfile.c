/* test_jsonfile - json_write_atomic: the document lands whole, with the
 * mode asked for, replacing what was there, and no temporary file stays. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "jsonfile.h"
#include "temphome.h"

static void test_write_replace(void **state)
{
	char path[256], *text = NULL;
	cJSON *j = cJSON_Parse("{\"format\":1,\"keys\":[\"a\"]}"), *back;
	struct sh_error e;
	struct stat st;
	struct dirent *d;
	DIR *dir;
	int files = 0;

	(void)state;
	assert_non_null(j);
	snprintf(path, sizeof path, "%s/doc.json", tmp);
	assert_int_equal(json_write_atomic(path, j, 0600, 1, &e), SH_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(fs_read_file(path, 4096, &text, NULL, &e), SH_OK);
	back = cJSON_Parse(text);
	assert_true(cJSON_Compare(j, back, 1));
	cJSON_Delete(back);
	free(text);

	/* Written again, with another mode: replaced whole. */
	cJSON_AddNumberToObject(j, "version", 2);
	assert_int_equal(json_write_atomic(path, j, 0644, 0, &e), SH_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(fs_read_file(path, 4096, &text, NULL, &e), SH_OK);
	back = cJSON_Parse(text);
	assert_true(cJSON_Compare(j, back, 1));
	cJSON_Delete(back);
	free(text);

	/* Nothing else left beside it. */
	dir = opendir(tmp);
	assert_non_null(dir);
	while ((d = readdir(dir)))
		files += d->d_name[0] != '.';
	closedir(dir);
	assert_int_equal(files, 1);

	/* A folder that does not exist: an error naming the file. */
	snprintf(path, sizeof path, "%s/no/such/doc.json", tmp);
	assert_int_not_equal(json_write_atomic(path, j, 0600, 0, &e), SH_OK);
	assert_non_null(strstr(e.msg, "doc.json"));
	cJSON_Delete(j);
}

static int setup(void **state)
{
	(void)state;
	return temphome_make("jsonfile");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_write_replace),
	};

	return cmocka_run_group_tests(tests, setup, temphome_teardown);
}
