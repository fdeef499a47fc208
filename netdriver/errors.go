package netdriver

import "errors"

// Sentinel errors; test them with errors.Is.
var (
	// ErrNotFound: the network, endpoint or namespace does not exist.
	ErrNotFound = errors.New("not found")
	// ErrExists: the address, port, subnet or name is already in use.
	ErrExists = errors.New("already exists")
	// ErrInvalid: the request is malformed (bad subnet, address outside a subnet, bad port).
	ErrInvalid = errors.New("invalid argument")
)
