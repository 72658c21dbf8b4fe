/*
 * The target interpreter's facts (see target.h).
 *
 * The probe script is kept here rather than in a data file so that it
 * cannot drift from the parser below. It prints one JSON object:
 *   format, executable, prefix, base_prefix, in_venv, purelib, platlib,
 *   site_dirs[], markers{}, tags[], tags_source, pip_file, installed[]
 * "installed" is only read by tests; safepip reads the site directories
 * itself on every run (sp_target_scan_installed), since installs change it.
 */
#include "delegate/target.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/buf.h"
#include "core/digest.h"
#include "core/limits.h"
#include "core/xalloc.h"
#include "delegate/proc.h"
#include "delegate/venv.h"
#include "fetch/store.h"
#include "req/name.h"
#include "core/file.h"
#include "core/banned.h"

/* Version of the answer's layout; part of the cache key. */
#define PROBE_FORMAT 1

/* Site directories accepted from the target (a venv has 1-2, Debian's system python 3). */
#define MAX_SITE_DIRS 64

/* Bytes of the interpreter's stderr kept for an error message. */
#define MAX_PROBE_STDERR (64 * 1024)

/* Bytes of a name or version read from installed metadata. */
#define MAX_DIST_FIELD 256

const char *const sp_target_marker_names[SP_MARKER_COUNT] = {
	[SP_MARKER_IMPLEMENTATION_NAME] = "implementation_name",
	[SP_MARKER_IMPLEMENTATION_VERSION] = "implementation_version",
	[SP_MARKER_OS_NAME] = "os_name",
	[SP_MARKER_PLATFORM_MACHINE] = "platform_machine",
	[SP_MARKER_PLATFORM_PYTHON_IMPLEMENTATION] = "platform_python_implementation",
	[SP_MARKER_PLATFORM_RELEASE] = "platform_release",
	[SP_MARKER_PLATFORM_SYSTEM] = "platform_system",
	[SP_MARKER_PLATFORM_VERSION] = "platform_version",
	[SP_MARKER_PYTHON_FULL_VERSION] = "python_full_version",
	[SP_MARKER_PYTHON_VERSION] = "python_version",
	[SP_MARKER_SYS_PLATFORM] = "sys_platform",
};

/*
 * Run as `PY -I -S -c SCRIPT [--no-pip]`. Standard library only; pip is
 * imported (for its tag list) only from the target's own site directories,
 * appended to sys.path so nothing there can shadow the standard library.
 */
const char sp_target_script[] =
	"import os, sys\n"
	"def enter_venv():\n"
	"    # What site.py does for a venv, without its .pth processing (-S).\n"
	"    exe_dir = os.path.dirname(os.path.abspath(sys.executable))\n"
	"    top = os.path.dirname(exe_dir)\n"
	"    for d in (exe_dir, top):\n"
	"        if os.path.isfile(os.path.join(d, \"pyvenv.cfg\")):\n"
	"            if sys.prefix == sys.base_prefix:\n"
	"                sys.prefix = sys.exec_prefix = top\n"
	"            return os.path.join(d, \"pyvenv.cfg\")\n"
	"    return None\n"
	"VENV_CFG = enter_venv()\n"
	"import json, platform, re, struct, sysconfig\n"
	"def norm(s):\n"
	"    return s.replace(\".\", \"_\").replace(\"-\", \"_\")\n"
	"def glibc():\n"
	"    try:\n"
	"        v = os.confstr(\"CS_GNU_LIBC_VERSION\").split()[1]\n"
	"    except (AttributeError, OSError, ValueError, IndexError):\n"
	"        return (-1, -1)\n"
	"    m = re.match(r\"(\\d+)\\.(\\d+)\", v)\n"
	"    return (int(m.group(1)), int(m.group(2))) if m else (-1, -1)\n"
	"def elf(path):\n"
	"    # (class, data, machine, flags, interpreter) of an ELF file, or None.\n"
	"    try:\n"
	"        with open(path, \"rb\") as f:\n"
	"            h = f.read(64)\n"
	"            if h[:4] != b\"\\x7fELF\" or h[4] not in (1, 2) or h[5] not in (1, 2):\n"
	"                return None\n"
	"            e = \"<\" if h[5] == 1 else \">\"\n"
	"            w = \"I\" if h[4] == 1 else \"Q\"\n"
	"            mach = struct.unpack_from(e + \"H\", h, 18)[0]\n"
	"            phoff = struct.unpack_from(e + w, h, 28 if h[4] == 1 else 32)[0]\n"
	"            fl = 36 if h[4] == 1 else 48\n"
	"            flags, _, phsz, phnum = struct.unpack_from(e + \"IHHH\", h, fl)\n"
	"            interp = None\n"
	"            for i in range(min(phnum, 256)):\n"
	"                f.seek(phoff + i * phsz)\n"
	"                ph = f.read(phsz)\n"
	"                if len(ph) < (20 if h[4] == 1 else 40):\n"
	"                    break\n"
	"                if struct.unpack_from(e + \"I\", ph, 0)[0] != 3:\n"
	"                    continue\n"
	"                if h[4] == 1:\n"
	"                    off, size = struct.unpack_from(e + \"I\", ph, 4)[0], \\\n"
	"                        struct.unpack_from(e + \"I\", ph, 16)[0]\n"
	"                else:\n"
	"                    off, size = struct.unpack_from(e + \"Q\", ph, 8)[0], \\\n"
	"                        struct.unpack_from(e + \"Q\", ph, 32)[0]\n"
	"                f.seek(off)\n"
	"                interp = f.read(min(size, 4096)).rstrip(b\"\\0\")\n"
	"                interp = interp.decode(\"utf-8\", \"replace\")\n"
	"                break\n"
	"            return h[4], h[5], mach, flags, interp\n"
	"    except (OSError, struct.error):\n"
	"        return None\n"
	"def musl(info):\n"
	"    if not info or not info[4] or \"musl\" not in info[4]:\n"
	"        return None\n"
	"    import subprocess\n"
	"    try:\n"
	"        err = subprocess.run([info[4]], stdin=subprocess.DEVNULL,\n"
	"                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,\n"
	"                             timeout=10).stderr.decode(\"utf-8\", \"replace\")\n"
	"    except (OSError, subprocess.SubprocessError):\n"
	"        return None\n"
	"    lines = [l.strip() for l in err.splitlines() if l.strip()]\n"
	"    if len(lines) < 2 or not lines[0].startswith(\"musl\"):\n"
	"        return None\n"
	"    m = re.match(r\"Version (\\d+)\\.(\\d+)\", lines[1])\n"
	"    return (int(m.group(1)), int(m.group(2))) if m else None\n"
	"LEGACY = {(2, 17): \"manylinux2014\", (2, 12): \"manylinux2010\",\n"
	"          (2, 5): \"manylinux1\"}\n"
	"def linux_platforms(is32):\n"
	"    linux = norm(sysconfig.get_platform())\n"
	"    if is32:\n"
	"        linux = {\"linux_x86_64\": \"linux_i686\",\n"
	"                 \"linux_aarch64\": \"linux_armv7l\"}.get(linux, linux)\n"
	"    arch = linux.split(\"_\", 1)[1]\n"
	"    info = elf(sys.executable)\n"
	"    out = []\n"
	"    if arch == \"armv7l\":\n"
	"        ok = bool(info) and info[:3] == (1, 1, 40) and \\\n"
	"            info[3] & 0xFF000000 == 0x05000000 and info[3] & 0x400 == 0x400\n"
	"    elif arch == \"i686\":\n"
	"        ok = bool(info) and info[:3] == (1, 1, 3)\n"
	"    else:\n"
	"        ok = arch in (\"x86_64\", \"aarch64\", \"ppc64\", \"ppc64le\", \"s390x\")\n"
	"    if ok:\n"
	"        cur = glibc()\n"
	"        oldest = (2, 4) if arch in (\"x86_64\", \"i686\") else (2, 16)\n"
	"        tops = [cur] + [(major, 50) for major in range(cur[0] - 1, 1, -1)]\n"
	"        for top in tops:\n"
	"            low = oldest[1] if top[0] == oldest[0] else -1\n"
	"            for minor in range(top[1], low, -1):\n"
	"                v = (top[0], minor)\n"
	"                if cur >= v:\n"
	"                    out.append(linux.replace(\"linux\", \"manylinux_%d_%d\" % v))\n"
	"                    if v in LEGACY:\n"
	"                        out.append(linux.replace(\"linux\", LEGACY[v]))\n"
	"    m = musl(info)\n"
	"    if m:\n"
	"        out += [\"musllinux_%d_%d_%s\" % (m[0], n, arch)\n"
	"                for n in range(m[1], -1, -1)]\n"
	"    return out + [linux]\n"
	"def mac_formats(version, arch):\n"
	"    fmts = [arch]\n"
	"    if arch == \"x86_64\":\n"
	"        if version < (10, 4):\n"
	"            return []\n"
	"        fmts += [\"intel\", \"fat64\", \"fat32\"]\n"
	"    elif arch == \"i386\":\n"
	"        if version < (10, 4):\n"
	"            return []\n"
	"        fmts += [\"intel\", \"fat32\", \"fat\"]\n"
	"    elif arch == \"ppc64\":\n"
	"        if version > (10, 5) or version < (10, 4):\n"
	"            return []\n"
	"        fmts += [\"fat64\"]\n"
	"    elif arch == \"ppc\":\n"
	"        if version > (10, 6):\n"
	"            return []\n"
	"        fmts += [\"fat32\", \"fat\"]\n"
	"    if arch in (\"arm64\", \"x86_64\"):\n"
	"        fmts.append(\"universal2\")\n"
	"    if arch in (\"x86_64\", \"i386\", \"ppc64\", \"ppc\", \"intel\"):\n"
	"        fmts.append(\"universal\")\n"
	"    return fmts\n"
	"def mac_platforms(is32):\n"
	"    rel, _, arch = platform.mac_ver()\n"
	"    version = tuple(int(x) for x in rel.split(\".\")[:2])\n"
	"    if is32:\n"
	"        arch = \"ppc\" if arch.startswith(\"ppc\") else \"i386\"\n"
	"    out = []\n"
	"    if (10, 0) <= version < (11, 0):\n"
	"        for n in range(version[1], -1, -1):\n"
	"            out += [\"macosx_10_%d_%s\" % (n, f)\n"
	"                    for f in mac_formats((10, n), arch)]\n"
	"    if version >= (11, 0):\n"
	"        for major in range(version[0], 10, -1):\n"
	"            out += [\"macosx_%d_0_%s\" % (major, f)\n"
	"                    for f in mac_formats((major, 0), arch)]\n"
	"        for n in range(16, 3, -1):\n"
	"            fmts = [\"universal2\"]\n"
	"            if arch == \"x86_64\":\n"
	"                fmts = mac_formats((10, n), arch)\n"
	"            out += [\"macosx_10_%d_%s\" % (n, f) for f in fmts]\n"
	"    return out\n"
	"SHORT = {\"python\": \"py\", \"cpython\": \"cp\", \"pypy\": \"pp\",\n"
	"         \"ironpython\": \"ip\", \"jython\": \"jy\"}\n"
	"def builtin_tags():\n"
	"    # packaging's sys_tags() as pip's get_supported() calls it.\n"
	"    is32 = sys.maxsize <= 2 ** 32\n"
	"    system = platform.system()\n"
	"    if system == \"Darwin\":\n"
	"        plats = mac_platforms(is32)\n"
	"    elif system == \"Linux\":\n"
	"        plats = linux_platforms(is32)\n"
	"    else:\n"
	"        plats = [norm(sysconfig.get_platform())]\n"
	"    name = SHORT.get(sys.implementation.name) or sys.implementation.name\n"
	"    nodot = sysconfig.get_config_var(\"py_version_nodot\")\n"
	"    interp = name + (str(nodot) if nodot else \"%d%d\" % sys.version_info[:2])\n"
	"    major, minor = sys.version_info[:2]\n"
	"    tags = []\n"
	"    if name == \"cp\":\n"
	"        from importlib.machinery import EXTENSION_SUFFIXES as ext\n"
	"        cp = \"cp%d%d\" % (major, minor)\n"
	"        dbg = sysconfig.get_config_var(\"Py_DEBUG\")\n"
	"        if dbg is None:\n"
	"            dbg = hasattr(sys, \"gettotalrefcount\") or \"_d.pyd\" in ext\n"
	"        d = \"d\" if dbg else \"\"\n"
	"        if (major, minor) < (3, 8):\n"
	"            pm = sysconfig.get_config_var(\"WITH_PYMALLOC\")\n"
	"            abis = [cp + d + (\"m\" if pm or pm is None else \"\")]\n"
	"        else:\n"
	"            abis = [cp + d] + ([cp] if dbg else [])\n"
	"        tags += [\"%s-%s-%s\" % (cp, a, p) for a in abis for p in plats]\n"
	"        tags += [\"%s-abi3-%s\" % (cp, p) for p in plats]\n"
	"        tags += [\"%s-none-%s\" % (cp, p) for p in plats]\n"
	"        tags += [\"cp%d%d-abi3-%s\" % (major, m, p)\n"
	"                 for m in range(minor - 1, 1, -1) for p in plats]\n"
	"    else:\n"
	"        soabi = sysconfig.get_config_var(\"SOABI\")\n"
	"        abis = [norm(soabi)] if soabi else []\n"
	"        if \"none\" not in abis:\n"
	"            abis.append(\"none\")\n"
	"        tags += [\"%s-%s-%s\" % (interp, a, p) for a in abis for p in plats]\n"
	"    pys = [\"py%d%d\" % (major, minor), \"py%d\" % major]\n"
	"    pys += [\"py%d%d\" % (major, m) for m in range(minor - 1, -1, -1)]\n"
	"    tags += [\"%s-none-%s\" % (v, p) for v in pys for p in plats]\n"
	"    tags.append(interp + \"-none-any\")\n"
	"    tags += [v + \"-none-any\" for v in pys]\n"
	"    return [t.lower() for t in tags]\n"
	"def venv_cfg():\n"
	"    cfg = {}\n"
	"    try:\n"
	"        with open(VENV_CFG, encoding=\"utf-8\") as f:\n"
	"            for line in f:\n"
	"                k, eq, v = line.partition(\"=\")\n"
	"                if eq:\n"
	"                    cfg[k.strip().lower()] = v.strip()\n"
	"    except (OSError, TypeError):\n"
	"        pass\n"
	"    return cfg\n"
	"def site_dirs(in_venv):\n"
	"    import site\n"
	"    paths = sysconfig.get_paths()\n"
	"    dirs = [paths[\"purelib\"], paths[\"platlib\"]]\n"
	"    if not in_venv:\n"
	"        dirs += site.getsitepackages()\n"
	"    elif venv_cfg().get(\"include-system-site-packages\", \"\").lower() == \"true\":\n"
	"        dirs += site.getsitepackages([sys.base_prefix, sys.base_exec_prefix])\n"
	"    out = []\n"
	"    for d in dirs:\n"
	"        if d not in out and os.path.isdir(d):\n"
	"            out.append(d)\n"
	"    return out\n"
	"def installed(dirs):\n"
	"    # Only for tests, which compare it with safepip's own reading.\n"
	"    from email.parser import HeaderParser\n"
	"    out = []\n"
	"    for d in dirs:\n"
	"        for e in sorted(os.listdir(d)):\n"
	"            meta = os.path.join(d, e, \"METADATA\")\n"
	"            if not e.endswith(\".dist-info\") or not os.path.isfile(meta):\n"
	"                continue\n"
	"            with open(meta, encoding=\"utf-8\", errors=\"replace\") as f:\n"
	"                h = HeaderParser().parse(f)\n"
	"            if h[\"Name\"] and h[\"Version\"]:\n"
	"                out.append({\"name\": h[\"Name\"], \"version\": h[\"Version\"],\n"
	"                            \"path\": os.path.join(d, e)})\n"
	"    return out\n"
	"def pip_tags(dirs):\n"
	"    for d in dirs:\n"
	"        init = os.path.join(d, \"pip\", \"__init__.py\")\n"
	"        if os.path.isfile(init):\n"
	"            # Appended, so nothing in site-packages can shadow the stdlib.\n"
	"            sys.path.append(d)\n"
	"            try:\n"
	"                from pip._internal.utils import compatibility_tags as ct\n"
	"                import pip\n"
	"                tags = [str(t) for t in ct.get_supported()]\n"
	"                return tags, pip.__version__, init\n"
	"            except Exception:\n"
	"                return None\n"
	"    return None\n"
	"def main():\n"
	"    in_venv = sys.prefix != sys.base_prefix\n"
	"    paths = sysconfig.get_paths()\n"
	"    dirs = site_dirs(in_venv)\n"
	"    iv = sys.implementation.version\n"
	"    impl = \"%d.%d.%d\" % iv[:3]\n"
	"    if iv.releaselevel != \"final\":\n"
	"        impl += iv.releaselevel[0] + str(iv.serial)\n"
	"    markers = {\n"
	"        \"implementation_name\": sys.implementation.name,\n"
	"        \"implementation_version\": impl,\n"
	"        \"os_name\": os.name,\n"
	"        \"platform_machine\": platform.machine(),\n"
	"        \"platform_python_implementation\": platform.python_implementation(),\n"
	"        \"platform_release\": platform.release(),\n"
	"        \"platform_system\": platform.system(),\n"
	"        \"platform_version\": platform.version(),\n"
	"        \"python_full_version\": platform.python_version(),\n"
	"        \"python_version\": \".\".join(platform.python_version_tuple()[:2]),\n"
	"        \"sys_platform\": sys.platform,\n"
	"    }\n"
	"    got = None if \"--no-pip\" in sys.argv else pip_tags(dirs)\n"
	"    res = {\"format\": 1, \"executable\": sys.executable, \"prefix\": sys.prefix,\n"
	"           \"base_prefix\": sys.base_prefix, \"in_venv\": in_venv,\n"
	"           \"purelib\": paths[\"purelib\"], \"platlib\": paths[\"platlib\"],\n"
	"           \"site_dirs\": dirs, \"markers\": markers}\n"
	"    if got:\n"
	"        res.update(tags=got[0], tags_source=\"pip \" + got[1],\n"
	"                   pip_file=got[2])\n"
	"    else:\n"
	"        res.update(tags=builtin_tags(), tags_source=\"builtin\", pip_file=None)\n"
	"    res[\"installed\"] = installed(dirs)\n"
	"    json.dump(res, sys.stdout, ensure_ascii=True)\n"
	"main()\n";

struct sp_tag_rank {
	const char *tag; /* points into t->tags */
	long rank;
};

char *sp_target_name_key(const char *name)
{
	return sp_name_normalize(name);
}

/* --- checking the answer --- */

static bool clean_text(const char *s)
{
	size_t n = strlen(s);

	if (n > SP_MAX_FACT_BYTES)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

static int take_string(const cJSON *obj, const char *key, bool is_path, bool nullable,
		       char **out, struct sp_diag *d)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = NULL;
	if (nullable && cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v) || !v->valuestring)
		return sp_diag_set(d, SP_EFORMAT, "'%s' is missing or not a string", key);
	if (!clean_text(v->valuestring) || (is_path && v->valuestring[0] != '/'))
		return sp_diag_set(d, SP_EFORMAT, "'%s' is not a valid %s", key,
				   is_path ? "absolute path" : "value");
	*out = xstrdup(v->valuestring);
	return 0;
}

/* "interp-abi-plat", each part of [a-z0-9_.]; lower-cased in place. */
static bool valid_tag(char *tag)
{
	int dashes = 0;
	size_t n = strlen(tag);

	if (n == 0 || n > 256 || tag[0] == '-' || tag[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = (char)tolower((unsigned char)tag[i]);

		tag[i] = c;
		if (c == '-') {
			if (tag[i + 1] == '-')
				return false;
			dashes++;
		} else if (!(isdigit((unsigned char)c) || (c >= 'a' && c <= 'z') || c == '_' ||
			     c == '.')) {
			return false;
		}
	}
	return dashes == 2;
}

static int cmp_rank(const void *a, const void *b)
{
	const struct sp_tag_rank *x = a, *y = b;
	int c = strcmp(x->tag, y->tag);

	if (c)
		return c;
	return (x->rank > y->rank) - (x->rank < y->rank);
}

static void index_tags(struct sp_target *t)
{
	size_t j = 0;

	t->tag_index = xcalloc(t->n_tags ? t->n_tags : 1, sizeof(*t->tag_index));
	for (size_t i = 0; i < t->n_tags; i++)
		t->tag_index[i] = (struct sp_tag_rank){t->tags[i], (long)i};
	qsort(t->tag_index, t->n_tags, sizeof(*t->tag_index), cmp_rank);
	/* A tag listed twice keeps its first (best) rank. */
	for (size_t i = 0; i < t->n_tags; i++)
		if (j == 0 || strcmp(t->tag_index[j - 1].tag, t->tag_index[i].tag) != 0)
			t->tag_index[j++] = t->tag_index[i];
	t->n_tag_index = j;
}

static int take_string_array(const cJSON *root, const char *key, bool is_path, size_t max,
			     char ***out, size_t *n, struct sp_diag *d)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, key), *it;
	int count;

	*out = NULL;
	*n = 0;
	if (!cJSON_IsArray(arr))
		return sp_diag_set(d, SP_EFORMAT, "'%s' is missing or not a list", key);
	count = cJSON_GetArraySize(arr);
	if (count < 0 || (size_t)count > max)
		return sp_diag_set(d, SP_ELIMIT, "'%s' has %d entries, more than the %zu allowed",
				   key, count, max);
	*out = xcalloc((size_t)count + 1, sizeof(**out));
	cJSON_ArrayForEach(it, arr) {
		if (!cJSON_IsString(it) || !it->valuestring || !clean_text(it->valuestring) ||
		    (is_path && it->valuestring[0] != '/'))
			return sp_diag_set(d, SP_EFORMAT, "'%s' entry %zu is not valid", key, *n);
		(*out)[(*n)++] = xstrdup(it->valuestring);
	}
	return 0;
}

static int parse_root(struct sp_target *t, const cJSON *root, struct sp_diag *d)
{
	const cJSON *fmt, *venv, *markers;
	int ret;

	if (!cJSON_IsObject(root))
		return sp_diag_set(d, SP_EFORMAT, "the answer is not a JSON object");
	fmt = cJSON_GetObjectItemCaseSensitive(root, "format");
	if (!cJSON_IsNumber(fmt) || fmt->valuedouble != PROBE_FORMAT)
		return sp_diag_set(d, SP_EFORMAT, "'format' is not %d", PROBE_FORMAT);
	if ((ret = take_string(root, "executable", true, false, &t->executable, d)) < 0 ||
	    (ret = take_string(root, "prefix", true, false, &t->prefix, d)) < 0 ||
	    (ret = take_string(root, "base_prefix", true, false, &t->base_prefix, d)) < 0 ||
	    (ret = take_string(root, "purelib", true, false, &t->purelib, d)) < 0 ||
	    (ret = take_string(root, "platlib", true, false, &t->platlib, d)) < 0 ||
	    (ret = take_string(root, "tags_source", false, false, &t->tags_source, d)) < 0 ||
	    (ret = take_string(root, "pip_file", true, true, &t->pip_file, d)) < 0)
		return ret;
	venv = cJSON_GetObjectItemCaseSensitive(root, "in_venv");
	if (!cJSON_IsBool(venv))
		return sp_diag_set(d, SP_EFORMAT, "'in_venv' is missing or not a boolean");
	t->in_venv = cJSON_IsTrue(venv);
	markers = cJSON_GetObjectItemCaseSensitive(root, "markers");
	if (!cJSON_IsObject(markers))
		return sp_diag_set(d, SP_EFORMAT, "'markers' is missing or not an object");
	for (int i = 0; i < SP_MARKER_COUNT; i++) {
		ret = take_string(markers, sp_target_marker_names[i], false, false, &t->markers[i],
				  d);
		if (ret < 0)
			return ret;
	}
	ret = take_string_array(root, "site_dirs", true, MAX_SITE_DIRS, &t->site_dirs,
				&t->n_site_dirs, d);
	if (ret < 0)
		return ret;
	ret = take_string_array(root, "tags", false, SP_MAX_TAGS, &t->tags, &t->n_tags, d);
	if (ret < 0)
		return ret;
	if (t->n_tags == 0)
		return sp_diag_set(d, SP_EFORMAT, "'tags' is empty");
	for (size_t i = 0; i < t->n_tags; i++)
		if (!valid_tag(t->tags[i]))
			return sp_diag_set(d, SP_EFORMAT, "'tags' entry %zu is not a wheel tag", i);
	index_tags(t);
	return 0;
}

int sp_target_parse(struct sp_target *t, const char *json, size_t len, struct sp_diag *d)
{
	cJSON *root;
	int ret;

	root = cJSON_ParseWithLength(json, len);
	if (!root)
		return sp_diag_set(d, SP_EPARSE, "the answer is not valid JSON");
	ret = parse_root(t, root, d);
	cJSON_Delete(root);
	return ret;
}

/* --- the cache --- */

static char *cache_dir(const struct sp_target_opts *o)
{
	char *root, *dir;

	if (o && o->cache_dir)
		return xstrdup(o->cache_dir);
	/* The one cache root: SAFEPIP_CACHE_DIR, else the XDG rule. */
	if (!(root = sp_store_cache_root()))
		return NULL;
	dir = xasprintf("%s/targets", root);
	free(root);
	return dir;
}

static void stamp(char *buf, size_t size, const struct stat *sb)
{
	snprintf(buf, size, "%lld.%09ld:%lld", (long long)sb->st_mtim.tv_sec,
		 (long)sb->st_mtim.tv_nsec, (long long)sb->st_size);
}

static bool is_script(const char *path)
{
	char head[2];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool script;

	if (fd < 0)
		return true;
	script = read(fd, head, 2) == 2 && head[0] == '#' && head[1] == '!';
	close(fd);
	return script;
}

/* The cache file for python, or NULL when it must not be cached. */
static char *cache_file(const char *python, const struct sp_target_opts *o)
{
	unsigned char digest[SP_SHA256_LEN];
	char real[PATH_MAX], hex[SP_SHA256_HEX], st_real[64], st_cfg[64] = "-";
	char *dir, *key, *prefix, *cfg, *path = NULL;
	struct stat sb;

	if (o && (o->no_cache || o->no_pip))
		return NULL;
	if (!realpath(python, real) || stat(real, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    is_script(real))
		return NULL;
	stamp(st_real, sizeof(st_real), &sb);
	prefix = sp_venv_prefix_of(python);
	if (prefix) {
		cfg = xasprintf("%s/pyvenv.cfg", prefix);
		if (stat(cfg, &sb) == 0)
			stamp(st_cfg, sizeof(st_cfg), &sb);
		free(cfg);
		free(prefix);
	}
	sp_sha256(sp_target_script, sizeof(sp_target_script) - 1, digest);
	sp_hex(digest, sizeof(digest), hex);
	key = xasprintf("%d\n%s\n%s\n%s\n%s\n%s", PROBE_FORMAT, python, real, st_real, st_cfg,
			hex);
	sp_sha256(key, strlen(key), digest);
	sp_hex(digest, sizeof(digest), hex);
	dir = cache_dir(o);
	if (dir)
		path = xasprintf("%s/%s.json", dir, hex);
	free(dir);
	free(key);
	return path;
}

static int read_file(const char *path, struct sp_buf *b)
{
	char chunk[65536];
	FILE *f = fopen(path, "rb");
	size_t n;
	int ret = 0;

	if (!f)
		return errno == ENOENT ? SP_ENOENT : SP_EIO;
	while (ret == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		ret = sp_buf_add(b, chunk, n);
	if (ret == 0 && ferror(f))
		ret = SP_EIO;
	fclose(f);
	return ret;
}

/* Whether the pip the entry took its tags from is still the one there. */
static bool pip_unchanged(const struct sp_target *t, const cJSON *root)
{
	const cJSON *want = cJSON_GetObjectItemCaseSensitive(root, "pip_stamp");
	char now[64];
	struct stat sb;

	if (t->pip_file) {
		if (!cJSON_IsString(want) || stat(t->pip_file, &sb) != 0)
			return false;
		stamp(now, sizeof(now), &sb);
		return strcmp(now, want->valuestring) == 0;
	}
	/* Built-in tags: stale once pip has been installed where the script looks. */
	for (size_t i = 0; i < t->n_site_dirs; i++) {
		char *p = xasprintf("%s/pip/__init__.py", t->site_dirs[i]);
		bool there = stat(p, &sb) == 0;

		free(p);
		if (there)
			return false;
	}
	return true;
}

static bool cache_load(struct sp_target *t, const char *file)
{
	struct sp_buf b;
	cJSON *root = NULL;
	bool ok = false;

	sp_buf_init(&b, SP_MAX_PROBE_OUTPUT);
	if (read_file(file, &b) < 0)
		goto out;
	root = cJSON_ParseWithLength(b.data, b.len);
	if (!root || parse_root(t, root, NULL) < 0)
		goto out;
	ok = pip_unchanged(t, root);
out:
	cJSON_Delete(root);
	sp_buf_release(&b);
	return ok;
}

/* Best effort: a cache that cannot be written only costs the next run a probe. */
static void cache_store(const struct sp_target *t, const char *file, const char *json,
			size_t len)
{
	cJSON *root = cJSON_ParseWithLength(json, len);
	char *dir = NULL, *tmp = NULL, *text = NULL, st[64];
	struct stat sb;
	size_t n;
	int fd = -1;

	if (!root)
		return;
	cJSON_DeleteItemFromObjectCaseSensitive(root, "installed");
	if (t->pip_file && stat(t->pip_file, &sb) == 0) {
		stamp(st, sizeof(st), &sb);
		cJSON_AddStringToObject(root, "pip_stamp", st);
	}
	text = cJSON_PrintUnformatted(root);
	dir = xstrdup(file);
	*strrchr(dir, '/') = '\0';
	if (!text || sp_mkdirs(dir) != 0)
		goto out;
	tmp = xasprintf("%s/.tmp-XXXXXX", dir);
	fd = mkstemp(tmp);
	if (fd < 0)
		goto out;
	n = strlen(text);
	if (write(fd, text, n) != (ssize_t)n || close(fd) != 0 || rename(tmp, file) != 0)
		unlink(tmp);
	fd = -1;
out:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	free(tmp);
	free(dir);
	free(text);
	cJSON_Delete(root);
}

/* --- asking the interpreter --- */

/* The last non-empty line of the interpreter's stderr, without control bytes. */
static void last_line(const struct sp_buf *err, char *out, size_t size)
{
	const char *end = err->data ? err->data + err->len : NULL, *start;
	size_t j = 0;

	out[0] = '\0';
	if (!end)
		return;
	while (end > err->data && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	start = end;
	while (start > err->data && start[-1] != '\n')
		start--;
	for (const char *p = start; p < end && j + 1 < size; p++)
		out[j++] = (unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p;
	out[j] = '\0';
}

static int ask(struct sp_target *t, const char *python, const struct sp_target_opts *o,
	       const char *cache, struct sp_diag *d)
{
	struct sp_buf out, err;
	struct sp_proc_status st;
	struct sp_strv argv;
	struct sp_diag sub;
	char how[128], line[200];
	int ret;

	sp_buf_init(&out, SP_MAX_PROBE_OUTPUT);
	sp_buf_init(&err, MAX_PROBE_STDERR);
	sp_strv_init(&argv);
	sp_strv_push(&argv, python);
	sp_strv_push(&argv, "-I");
	sp_strv_push(&argv, "-S");
	sp_strv_push(&argv, "-c");
	sp_strv_push(&argv, sp_target_script);
	if (o && o->no_pip)
		sp_strv_push(&argv, "--no-pip");
	sp_diag_clear(&sub);
	ret = sp_proc_run(argv.v, &(struct sp_proc_opts){.out = &out, .err = &err,
			  .stdin_null = true, .timeout_ms = SP_PROBE_TIMEOUT_MS}, &st, &sub);
	if (ret < 0) {
		sp_diag_set(d, ret, "cannot ask '%s' about itself: %s (check --python)", python,
			    sub.msg);
		goto out;
	}
	if (!st.exited || st.code != 0) {
		sp_proc_describe(&st, how, sizeof(how));
		last_line(&err, line, sizeof(line));
		ret = sp_diag_set(d, SP_EIO, "cannot ask '%s' about itself: it %s%s%s "
				  "(is it a Python 3 interpreter? check --python)", python, how,
				  line[0] ? ": " : "", line);
		goto out;
	}
	ret = sp_target_parse(t, out.data ? out.data : "", out.len, &sub);
	if (ret < 0) {
		sp_diag_set(d, ret, "cannot use the answer of '%s': %s", python, sub.msg);
		goto out;
	}
	if (cache)
		cache_store(t, cache, out.data, out.len);
out:
	sp_strv_release(&argv);
	sp_buf_release(&out);
	sp_buf_release(&err);
	return ret;
}

int sp_target_probe(struct sp_target *t, const char *python, const struct sp_target_opts *o,
		    struct sp_diag *d)
{
	char *cache;
	int ret;

	memset(t, 0, sizeof(*t));
	t->python = xstrdup(python);
	cache = cache_file(python, o);
	if (cache && cache_load(t, cache)) {
		t->from_cache = true;
	} else {
		char *keep = t->python;

		t->python = NULL;
		sp_target_release(t);
		memset(t, 0, sizeof(*t));
		t->python = keep;
		ret = ask(t, python, o, cache, d);
		if (ret < 0)
			goto out;
	}
	ret = sp_target_scan_installed(t, d);
out:
	free(cache);
	return ret;
}

/* --- the installed set --- */

/* The value of header key in an RFC 822 block (up to the first blank line), or NULL. */
static char *header(const char *data, size_t len, const char *key)
{
	size_t klen = strlen(key);
	const char *p = data, *end = data + len, *nl, *v, *ve;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if (nl == p || (nl == p + 1 && *p == '\r'))
			break;
		if ((size_t)(nl - p) > klen && p[klen] == ':' && strncasecmp(p, key, klen) == 0) {
			v = p + klen + 1;
			ve = nl;
			while (v < ve && (*v == ' ' || *v == '\t'))
				v++;
			while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
			return xstrndup(v, (size_t)(ve - v));
		}
		p = nl + 1;
	}
	return NULL;
}

/* PEP 508 names: letters and digits, with '-', '_' or '.' inside. */
static bool valid_name(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n > 0 && n <= MAX_DIST_FIELD && sp_name_valid(s, n);
}

/* Characters of a PEP 440 version, public and local, and a legacy one. */
static bool valid_version(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > MAX_DIST_FIELD)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr(".+!_-*", s[i]))
			return false;
	return true;
}

int sp_target_dist_fields(const char *data, size_t len, char **name, char **version)
{
	*name = header(data, len, "Name");
	*version = header(data, len, "Version");
	if (*name && *version && valid_name(*name) && valid_version(*version))
		return 0;
	free(*name);
	free(*version);
	*name = *version = NULL;
	return SP_EFORMAT;
}

/* Name and version from "name-version[-more].dist-info": the directory's own spelling. */
static void from_dirname(const char *ent, size_t suffix, char **name, char **version)
{
	const char *dash = memchr(ent, '-', suffix), *vend;

	if (!dash)
		return;
	vend = memchr(dash + 1, '-', (size_t)(ent + suffix - dash - 1));
	if (!vend)
		vend = ent + suffix;
	if (!*name)
		*name = xstrndup(ent, (size_t)(dash - ent));
	if (!*version)
		*version = xstrndup(dash + 1, (size_t)(vend - dash - 1));
}

static bool is_dir_at(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* Reads one .dist-info or .egg-info entry; adds it when it names a valid distribution. */
static int add_dist(struct sp_target *t, size_t *cap, size_t site, const char *ent,
		    size_t suffix, bool egg)
{
	char *path, *meta, *head, *name = NULL, *version = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, ret = 0;

	path = xasprintf("%s/%s", t->site_dirs[site], ent);
	if (is_dir_at(path))
		meta = xasprintf("%s/%s", path, egg ? "PKG-INFO" : "METADATA");
	else if (egg)
		meta = xstrdup(path); /* an .egg-info file is the PKG-INFO itself */
	else
		goto out;
	head = xmalloc(SP_MAX_METADATA_HEAD);
	fd = open(meta, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		while (len < SP_MAX_METADATA_HEAD &&
		       (n = read(fd, head + len, SP_MAX_METADATA_HEAD - len)) > 0)
			len += (size_t)n;
		close(fd);
		name = header(head, len, "Name");
		version = header(head, len, "Version");
	}
	free(head);
	free(meta);
	/* Unreadable metadata: the directory name is the spec's own spelling of both. */
	from_dirname(ent, suffix, &name, &version);
	if (!name || !version || !valid_name(name) || !valid_version(version))
		goto out;
	if (t->n_installed >= SP_MAX_INSTALLED) {
		ret = SP_ELIMIT;
		goto out;
	}
	SP_GROW(t->installed, t->n_installed + 1, *cap);
	t->installed[t->n_installed++] = (struct sp_dist){
		.name = name, .key = sp_target_name_key(name), .version = version, .path = path,
		.site = site};
	return 0;
out:
	free(name);
	free(version);
	free(path);
	return ret;
}

/* Sort by key; among equal keys the first site directory (sys.path order) first. */
static int cmp_dist(const void *a, const void *b)
{
	const struct sp_dist *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	if (x->site != y->site)
		return x->site < y->site ? -1 : 1;
	return strcmp(x->path, y->path);
}

static void free_dist(struct sp_dist *e)
{
	free(e->name);
	free(e->key);
	free(e->version);
	free(e->path);
}

int sp_target_scan_installed(struct sp_target *t, struct sp_diag *d)
{
	struct dirent *de;
	size_t cap = 0, j = 0, len;
	DIR *dir;
	int ret = 0;

	for (size_t i = 0; i < t->n_installed; i++)
		free_dist(&t->installed[i]);
	free(t->installed);
	t->installed = NULL;
	t->n_installed = 0;
	for (size_t i = 0; i < t->n_site_dirs && ret == 0; i++) {
		dir = opendir(t->site_dirs[i]);
		if (!dir)
			continue; /* a site directory that does not exist holds nothing */
		while (ret == 0 && (de = readdir(dir))) {
			len = strlen(de->d_name);
			if (len > 10 && strcmp(de->d_name + len - 10, ".dist-info") == 0)
				ret = add_dist(t, &cap, i, de->d_name, len - 10, false);
			else if (len > 9 && strcmp(de->d_name + len - 9, ".egg-info") == 0)
				ret = add_dist(t, &cap, i, de->d_name, len - 9, true);
		}
		closedir(dir);
	}
	if (ret == SP_ELIMIT)
		return sp_diag_set(d, ret, "too many installed distributions in '%s' (over %d)",
				   t->python ? t->python : "the target", SP_MAX_INSTALLED);
	if (t->n_installed)
		qsort(t->installed, t->n_installed, sizeof(*t->installed), cmp_dist);
	for (size_t i = 0; i < t->n_installed; i++) {
		if (j > 0 && strcmp(t->installed[j - 1].key, t->installed[i].key) == 0) {
			free_dist(&t->installed[i]);
			continue;
		}
		t->installed[j++] = t->installed[i];
	}
	t->n_installed = j;
	return 0;
}

const char *sp_target_marker(const struct sp_target *t, const char *name)
{
	for (int i = 0; i < SP_MARKER_COUNT; i++)
		if (strcmp(sp_target_marker_names[i], name) == 0)
			return t->markers[i];
	return NULL;
}

static int cmp_rank_key(const void *key, const void *elem)
{
	return strcmp(key, ((const struct sp_tag_rank *)elem)->tag);
}

long sp_target_tag_priority(const struct sp_target *t, const char *tag)
{
	char low[260];
	size_t n = strlen(tag);
	const struct sp_tag_rank *r;

	if (n >= sizeof(low) || !t->tag_index)
		return -1;
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)tolower((unsigned char)tag[i]);
	r = bsearch(low, t->tag_index, t->n_tag_index, sizeof(*r), cmp_rank_key);
	return r ? r->rank : -1;
}

static int cmp_dist_key(const void *key, const void *elem)
{
	return strcmp(key, ((const struct sp_dist *)elem)->key);
}

const struct sp_dist *sp_target_find_installed(const struct sp_target *t, const char *name)
{
	char *key = sp_target_name_key(name);
	const struct sp_dist *r;

	r = t->n_installed ? bsearch(key, t->installed, t->n_installed, sizeof(*r), cmp_dist_key)
			   : NULL;
	free(key);
	return r;
}

static void free_strs(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

void sp_target_release(struct sp_target *t)
{
	free(t->python);
	free(t->executable);
	free(t->prefix);
	free(t->base_prefix);
	free(t->purelib);
	free(t->platlib);
	free_strs(t->site_dirs, t->n_site_dirs);
	for (int i = 0; i < SP_MARKER_COUNT; i++)
		free(t->markers[i]);
	free_strs(t->tags, t->n_tags);
	free(t->tags_source);
	free(t->pip_file);
	for (size_t i = 0; i < t->n_installed; i++)
		free_dist(&t->installed[i]);
	free(t->installed);
	free(t->tag_index);
	memset(t, 0, sizeof(*t));
}
