/*
 * fold: the match key of a place name or a query, so that "  SAO   Paulo"
 * and "São Paulo" meet.  The same function folds the names at import and
 * the query at lookup, so the two always agree.  It depends on no locale.
 */
#ifndef FCGI_USERS_FOLD_H
#define FCGI_USERS_FOLD_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Folds the UTF-8 text (in, len) into out (outlen bytes, NUL-terminated):
 *
 *  - blanks (ASCII space, tab, line breaks, no-break and the other Unicode
 *    spaces) are trimmed at both ends and each inner run becomes one space;
 *  - ASCII letters are lower-cased;
 *  - Latin letters lose their accents and are lower-cased, from a table
 *    covering Latin-1 Supplement, Latin Extended-A, Latin Extended-B and
 *    Latin Extended Additional (São -> sao, Köln -> koln, Łódź -> lodz,
 *    Ærø -> aero, ß -> ss, Ø -> o, Đ -> d, Þ -> th, İ and ı -> i);
 *  - combining diacritical marks (U+0300..U+036F) are dropped, so text in
 *    decomposed form (NFD) folds as the precomposed form does;
 *  - Greek letters are lower-cased without tonos or dialytika, final sigma
 *    becomes σ; Cyrillic letters are lower-cased (and ё becomes е);
 *  - every other character (CJK, Arabic, Hebrew, Armenian, digits,
 *    punctuation, Greek Extended ...) is copied as it is.
 *
 * fold_tables.h holds the tables and gen_fold_tables.py says how they were
 * made.  The output is never longer than the input, and folding it again
 * gives it back.  Returns the length of the output, or -1 when the input
 * is not valid UTF-8 (RFC 3629: overlong forms, surrogates, code points
 * past U+10FFFF, truncated sequences), holds a control character other
 * than a blank (NUL included), or the output does not fit in outlen.
 */
ssize_t		 geo_fold(const char *in, size_t len, char *out, size_t outlen);

#endif
