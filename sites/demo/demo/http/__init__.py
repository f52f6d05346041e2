"""HTTP plumbing: the error shape and 503s, request guards, OpenAPI, health, ping and media serving."""
