/*
 * Functions that are easy to misuse with untrusted lengths. Including this
 * header last in a .c file turns any use of them into a compile error.
 */
#ifndef SP_CORE_BANNED_H
#define SP_CORE_BANNED_H

#define SP_BANNED(func) sorry_##func##_is_banned_in_safepip

#undef strcpy
#define strcpy(x, y) SP_BANNED(strcpy)
#undef strcat
#define strcat(x, y) SP_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) SP_BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) SP_BANNED(strncat)
#undef sprintf
#define sprintf(...) SP_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) SP_BANNED(vsprintf)
#undef gets
#define gets(x) SP_BANNED(gets)
#undef strtok
#define strtok(x, y) SP_BANNED(strtok)
#undef atoi
#define atoi(x) SP_BANNED(atoi)

#endif
