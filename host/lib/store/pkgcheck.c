/*
 * pkgcheck.c - package code against package manifest. See pkgcheck.h.
 */
#include "pkgcheck.h"

#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <skill/version.h>

#include "fsutil.h"
#include "package.h"
#include "probe.h"

sh_status pkgcheck_desc(const struct manifest *m, const struct skilldesc *d,
                        struct sh_error *e)
{
	if (strcmp(d->name, m->name))
		return sh_error_set(e, SH_ERR_INVALID,
		                    "name: the code says \"%s\" but the "
		                    "manifest says \"%s\"",
		                    d->name, m->name);
	if (strcmp(d->version, m->version))
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "version: the code says %s but the manifest says %s; "
		        "keep the version in manifest.json only (the SDK's "
		        "skill_add_skill(... MANIFEST manifest.json) gives it "
		        "to the code as SKILL_MANIFEST_VERSION)",
		        d->version, m->version);
	for (size_t i = 0; i < m->ntools; i++) {
		uint32_t j = 0;
		while (j < d->ntools &&
		       strcmp(d->tools[j].name, m->tools[i].name))
			j++;
		if (j == d->ntools)
			return sh_error_set(
			        e, SH_ERR_INVALID,
			        "tools: the manifest lists tool \"%s\", which "
			        "the skill's code does not have",
			        m->tools[i].name);
	}
	for (uint32_t j = 0; j < d->ntools; j++) {
		size_t i = 0;
		while (i < m->ntools &&
		       strcmp(d->tools[j].name, m->tools[i].name))
			i++;
		if (i == m->ntools)
			return sh_error_set(
			        e, SH_ERR_INVALID,
			        "tools: the code has tool \"%s\", which the "
			        "manifest does not list; list every tool so "
			        "users see what they install",
			        d->tools[j].name);
	}
	return SH_OK;
}

struct cpu {
	const char *prefix; /* the triplet's CPU field */
	unsigned char elf_class;
	unsigned char elf_data;
	uint16_t machine;
	const char *shown;
};

/* The CPUs of the platform keys Debian uses (dpkg-architecture's
 * multiarch triplets). */
static const struct cpu cpus[] = {
        {"x86_64", ELFCLASS64, ELFDATA2LSB, EM_X86_64, "x86-64"},
        {"aarch64", ELFCLASS64, ELFDATA2LSB, EM_AARCH64, "AArch64"},
        {"i386", ELFCLASS32, ELFDATA2LSB, EM_386, "i386"},
        {"i686", ELFCLASS32, ELFDATA2LSB, EM_386, "i386"},
        {"arm", ELFCLASS32, ELFDATA2LSB, EM_ARM, "ARM"},
        {"riscv64", ELFCLASS64, ELFDATA2LSB, EM_RISCV, "RISC-V"},
        {"powerpc64le", ELFCLASS64, ELFDATA2LSB, EM_PPC64, "PowerPC64 LE"},
        {"s390x", ELFCLASS64, ELFDATA2MSB, EM_S390, "s390x"},
};

static const struct cpu *cpu_of_triplet(const char *triplet)
{
	size_t n = strcspn(triplet, "-");

	for (size_t i = 0; i < sizeof cpus / sizeof cpus[0]; i++)
		if (strlen(cpus[i].prefix) == n &&
		    !strncmp(cpus[i].prefix, triplet, n))
			return &cpus[i];
	return NULL;
}

static const char *machine_name(uint16_t machine, unsigned char cls)
{
	for (size_t i = 0; i < sizeof cpus / sizeof cpus[0]; i++)
		if (cpus[i].machine == machine && cpus[i].elf_class == cls)
			return cpus[i].shown;
	return NULL;
}

sh_status pkgcheck_elf(const char *lib, const char *triplet, int *checked,
                       struct sh_error *e)
{
	const struct cpu *want = cpu_of_triplet(triplet);
	unsigned char h[EI_NIDENT + 4];
	const char *got_name;
	uint16_t type, machine;
	size_t got = 0;
	sh_status rc;
	int fd;

	if (checked)
		*checked = 0;
	if ((rc = fs_open_read(lib, lib, &fd, e)))
		return rc;
	rc = fs_read_some(fd, h, sizeof h, &got, lib, e);
	close(fd);
	if (rc)
		return rc;
	if (got < sizeof h || memcmp(h, ELFMAG, SELFMAG))
		return sh_error_set(e, SH_ERR_INVALID,
		                    "%s is not an ELF shared object; "
		                    "platforms.%s must name the built library",
		                    lib, triplet);
	if (h[EI_DATA] == ELFDATA2MSB) {
		type = (uint16_t)(h[EI_NIDENT] << 8 | h[EI_NIDENT + 1]);
		machine = (uint16_t)(h[EI_NIDENT + 2] << 8 | h[EI_NIDENT + 3]);
	} else {
		type = (uint16_t)(h[EI_NIDENT + 1] << 8 | h[EI_NIDENT]);
		machine = (uint16_t)(h[EI_NIDENT + 3] << 8 | h[EI_NIDENT + 2]);
	}
	if (type != ET_DYN)
		return sh_error_set(e, SH_ERR_INVALID,
		                    "%s is an ELF file of type %u, not a "
		                    "shared object; build it with "
		                    "skill_add_skill() (a MODULE library)",
		                    lib, type);
	if (!want)
		return SH_OK;
	if (h[EI_CLASS] != want->elf_class || h[EI_DATA] != want->elf_data ||
	    machine != want->machine) {
		got_name = machine_name(machine, h[EI_CLASS]);
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "platform: %s is built for %s%s (ELF machine %u, "
		        "%d-bit) but the manifest lists it under \"%s\", "
		        "which needs %s (ELF machine %u, %d-bit)",
		        lib, got_name ? got_name : "another CPU",
		        h[EI_DATA] == ELFDATA2MSB ? ", big-endian" : "",
		        machine, h[EI_CLASS] == ELFCLASS64 ? 64 : 32, triplet,
		        want->shown, want->machine,
		        want->elf_class == ELFCLASS64 ? 64 : 32);
	}
	if (checked)
		*checked = 1;
	return SH_OK;
}

sh_status pkgcheck_dir(const char *dir, const struct manifest *m, int *probed,
                       struct sh_error *e)
{
	const char *host = manifest_host_platform();
	char lib[PATH_MAX];
	struct skilldesc *d = NULL;
	sh_status rc;

	if (probed)
		*probed = 0;
	/* A package of Agent Skills alone carries no code: nothing to
	 * compare (its SKILL.md files were checked when it was packed). */
	if (!m->nplatforms && !m->ntools)
		return SH_OK;
	if (m->abi != SKILL_ABI_MAJOR)
		return sh_error_set(
		        e, SH_ERR_INVALID,
		        "abi: the manifest says ABI %d but this SDK and host "
		        "build and load ABI %d; set \"abi\": %d",
		        m->abi, SKILL_ABI_MAJOR, SKILL_ABI_MAJOR);
	for (size_t i = 0; i < m->nplatforms; i++) {
		if ((rc = fs_pathf(lib, sizeof lib, e, "%s/%s", dir,
		                   m->platforms[i].lib)) ||
		    (rc = pkgcheck_elf(lib, m->platforms[i].triplet, NULL, e)))
			return rc;
	}
	if (!manifest_platform_lib(m, host))
		return SH_OK;
	if ((rc = fs_pathf(lib, sizeof lib, e, "%s/%s", dir,
	                   manifest_platform_lib(m, host))))
		return rc;
	/* The probe's sandbox binds the bundle by absolute path. */
	{
		char abs_dir[PATH_MAX], abs_lib[PATH_MAX];
		if (!realpath(dir, abs_dir) || !realpath(lib, abs_lib))
			return sh_error_errno(e, SH_ERR_IO, errno,
			                      "cannot resolve %s", lib);
		if ((rc = probe_skill(abs_lib, abs_dir, &d, e)))
			return rc;
	}
	rc = pkgcheck_desc(m, d, e);
	if (rc)
		sh_error_prefix(e, "%s", manifest_platform_lib(m, host));
	else if (probed)
		*probed = 1;
	skilldesc_free(d);
	return rc;
}

sh_status pkgcheck_package(const char *path, int *probed, struct sh_error *e)
{
	const char *tmp = getenv("TMPDIR");
	char parent[PATH_MAX], dest[PATH_MAX];
	struct manifest *m = NULL;
	struct sh_error ignored;
	sh_status rc;

	if (probed)
		*probed = 0;
	if (fs_pathf(parent, sizeof parent, e, "%s/skillhost-check.XXXXXX",
	             tmp && *tmp ? tmp : "/tmp"))
		return SH_ERR_NOMEM;
	if (!mkdtemp(parent))
		return sh_error_errno(e, SH_ERR_IO, errno,
		                      "cannot make a temporary folder in %s",
		                      tmp && *tmp ? tmp : "/tmp");
	if (!(rc = fs_pathf(dest, sizeof dest, e, "%s/pkg", parent)) &&
	    !(rc = package_extract(path, dest, &m, e)))
		rc = pkgcheck_dir(dest, m, probed, e);
	manifest_free(m);
	fs_remove_tree(parent, &ignored);
	return rc;
}
