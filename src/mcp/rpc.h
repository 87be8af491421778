/*
 * rpc: JSON-RPC 2.0 messages as MCP uses them (MCP 2025-11-25 "Base
 * Protocol"): classifying what a client sent, and building results and
 * errors.  Ids are strings or integers, never null; params, when present,
 * an object.  Errors answered at the HTTP level carry no id (the MCP
 * schema's JSONRPCErrorResponse makes it optional).
 */
#ifndef FCGI_USERS_MCP_RPC_H
#define FCGI_USERS_MCP_RPC_H

#include <stddef.h>

struct json_object;
struct response;

/* JSON-RPC 2.0 §5.1 and MCP's server-defined codes. */
#define RPC_PARSE_ERROR		(-32700)
#define RPC_INVALID_REQUEST	(-32600)
#define RPC_METHOD_NOT_FOUND	(-32601)
#define RPC_INVALID_PARAMS	(-32602)
#define RPC_INTERNAL_ERROR	(-32603)
#define RPC_SERVER_ERROR	(-32000)	/* transport errors, as the TypeScript SDK */
#define RPC_SESSION_NOT_FOUND	(-32001)	/* the SDK's "Session not found" */

#define RPC_METHOD_MAX		128	/* bytes of a method name */
#define RPC_ID_MAX		256	/* bytes of a string id */
#define RPC_BATCH_MAX		100	/* messages in a 2025-03-26 batch */

enum rpc_kind {
	RPC_REQUEST,		/* method and id */
	RPC_NOTIFICATION,	/* method, no id */
	RPC_RESPONSE,		/* id and exactly one of result, error */
	RPC_INVALID,
	RPC__MAX
};

/*
 * What `msg` is.  For a request or notification *method and *params
 * (NULL when absent) point into msg; for a request and a response *id
 * does.  Anything else — not an object, no "jsonrpc":"2.0", a null, float
 * or boolean id, params not an object, an overlong method or id — is
 * RPC_INVALID.
 */
enum rpc_kind	 rpc_classify(struct json_object *msg, const char **method,
		    struct json_object **id, struct json_object **params);

/* {"jsonrpc":"2.0","id":id,"result":result}; result is taken, id copied. */
struct json_object *rpc_result(struct json_object *id, struct json_object *result);
/* {"jsonrpc":"2.0","id":id,"error":{"code","message"}}; no id member when id is NULL. */
struct json_object *rpc_error(struct json_object *id, int code, const char *message);
/* The same with data (taken). */
struct json_object *rpc_error_data(struct json_object *id, int code,
		    const char *message, struct json_object *data);
/* A notification {"jsonrpc":"2.0","method","params"}; params taken (may be NULL). */
struct json_object *rpc_notification(const char *method, struct json_object *params);
/* Answers resp with `status` and a JSON-RPC error without id. */
void		 rpc_http_error(struct response *, int status, int code,
		    const char *message);
/* Compact JSON text of o (json-c owns it until o is put). */
const char	*rpc_text(struct json_object *o, size_t *len);

#endif
