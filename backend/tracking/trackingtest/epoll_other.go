//go:build !linux

package trackingtest

import (
	"context"
	"errors"
	"math/rand"
)

func runEpoll(context.Context, string, Options, func(rnd *rand.Rand, body, req []byte) ([]byte, []byte)) (Result, error) {
	return Result{}, errors.New("trackingtest: the epoll engine is Linux-only (leave Engine empty)")
}
