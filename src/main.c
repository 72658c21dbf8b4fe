#include <locale.h>
#include <signal.h>

#include "cli/cli.h"

int main(int argc, char **argv)
{
	/* A closed pipe (safepip scan ... | head) ends output, not the process with a signal. */
	signal(SIGPIPE, SIG_IGN);
	setlocale(LC_CTYPE, "C");
	return cli_main(argc, argv);
}
