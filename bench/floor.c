/*
 * floor: the benchmark yardstick.  The least a FastCGI responder can do with
 * libfcgi's fcgiapp interface: accept on the listening socket the web server
 * hands over as fd 0 (FastCGI §2.2), and answer every request with
 * Status: 200, Content-Type: application/json and exactly 100 bytes of JSON,
 * without reading params or body.  bench/ measures each endpoint as a ratio
 * of this program's rate, measured in the same run on the same server with
 * the same number of processes, so results do not depend on the machine.
 * Not installed.
 */
#include <stdio.h>

#include <fcgiapp.h>

#define FLOOR_BODY \
	"{\"status\":\"healthy\",\"service\":\"floor\",\"version\":\"1.0.0\"," \
	"\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}"

_Static_assert(sizeof(FLOOR_BODY) - 1 == 100, "the floor body is 100 bytes");

static const char floor_head[] =
	"Status: 200\r\n"
	"Content-Type: application/json\r\n"
	"\r\n";

int
main(void)
{
	FCGX_Request	 req;

	if (FCGX_Init() != 0) {
		fprintf(stderr, "floor: FCGX_Init failed\n");
		return 1;
	}
	if (FCGX_InitRequest(&req, 0, 0) != 0) {
		fprintf(stderr, "floor: FCGX_InitRequest failed\n");
		return 1;
	}
	while (FCGX_Accept_r(&req) >= 0) {
		FCGX_PutStr(floor_head, (int)sizeof(floor_head) - 1, req.out);
		FCGX_PutStr(FLOOR_BODY, (int)sizeof(FLOOR_BODY) - 1, req.out);
		FCGX_Finish_r(&req);
	}
	return 0;
}
