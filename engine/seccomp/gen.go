package seccomp

//go:generate go run mksyscalls.go
