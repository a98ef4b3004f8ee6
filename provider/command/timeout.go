package main

// Step timeouts: each create, update and delete is bounded by the resource's customTimeouts,
// which the engine sends as seconds (0: none given). kubeha gives every step one
// (kubeha:stepTimeout), so a step that hangs on a live host fails too, naming the host.

import (
	"context"
	"errors"
	"fmt"
	"time"
)

type stepTimeoutKey struct{}

// withStepTimeout bounds ctx by the engine's timeout for this operation.
func withStepTimeout(ctx context.Context, seconds float64) (context.Context, context.CancelFunc) {
	if seconds <= 0 {
		return context.WithCancel(ctx)
	}
	d := time.Duration(seconds * float64(time.Second))
	ctx = context.WithValue(ctx, stepTimeoutKey{}, d)
	return context.WithTimeout(ctx, d)
}

// stepEnded says why ctx ended a step.
func stepEnded(ctx context.Context) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		if d, ok := ctx.Value(stepTimeoutKey{}).(time.Duration); ok {
			return fmt.Sprintf("the step did not finish within its timeout of %s (customTimeouts; kubeha sets them from kubeha:stepTimeout)", d)
		}
	}
	return "the update was cancelled"
}
