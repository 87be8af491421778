/*
 * docs_assets: the documentation's files, built into the program (see
 * docs_assets.h).  Each file is pulled in whole by the assembler's
 * .incbin (GNU as and clang's integrated assembler), which is quick for
 * swagger-ui-bundle.js (1.7 MB) where a C array initialiser is not.  The
 * paths come from CMake (src/users/CMakeLists.txt), which makes this
 * object depend on the files.  The pages of the program file holding them
 * are read only when a client asks for /docs: a process that never serves
 * the documentation does not get them in memory.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "docs_assets.h"

/*
 * EMBED(sym, path): sym[] holds the file's bytes, sym_len its length.
 * Hidden symbols: no GOT entry, nothing exported.
 */
#define EMBED(sym, path)						\
	__asm__(".section .rodata\n"					\
	    ".balign 16\n"						\
	    ".globl " #sym "\n"						\
	    ".hidden " #sym "\n"					\
	    #sym ":\n"							\
	    ".incbin \"" path "\"\n"					\
	    #sym "_end:\n"						\
	    ".balign 8\n"						\
	    ".globl " #sym "_len\n"					\
	    ".hidden " #sym "_len\n"					\
	    #sym "_len:\n"						\
	    ".quad " #sym "_end - " #sym "\n"				\
	    ".previous\n");						\
	extern const unsigned char sym[];				\
	extern const uint64_t sym ## _len

EMBED(fu_docs_openapi, FU_DOCS_OPENAPI_JSON);

static const struct docs_asset openapi = {
	"openapi.json", "application/json", fu_docs_openapi, &fu_docs_openapi_len
};

#ifdef FU_DOCS_UI_DIR
EMBED(fu_docs_page, FU_DOCS_PAGE);
EMBED(fu_docs_init, FU_DOCS_INIT);
EMBED(fu_docs_bundle, FU_DOCS_UI_DIR "/swagger-ui-bundle.js");
EMBED(fu_docs_css, FU_DOCS_UI_DIR "/swagger-ui.css");

#define JS	"text/javascript; charset=utf-8"

static const struct docs_asset ui[] = {
	{ "", "text/html; charset=utf-8", fu_docs_page, &fu_docs_page_len },
	{ "fcgi-users-init.js", JS, fu_docs_init, &fu_docs_init_len },
	{ "swagger-ui-bundle.js", JS, fu_docs_bundle, &fu_docs_bundle_len },
	{ "swagger-ui.css", "text/css; charset=utf-8", fu_docs_css, &fu_docs_css_len },
};
#endif

const struct docs_asset *
docs_asset_openapi(void)
{
	return &openapi;
}

int
docs_ui_built(void)
{
#ifdef FU_DOCS_UI_DIR
	return 1;
#else
	return 0;
#endif
}

const struct docs_asset *
docs_asset_find(const char *name)
{
#ifdef FU_DOCS_UI_DIR
	size_t	 i;

	for (i = 0; i < sizeof(ui) / sizeof(ui[0]); i++)
		if (strcmp(ui[i].name, name) == 0)
			return &ui[i];
#else
	(void)name;
#endif
	return NULL;
}
