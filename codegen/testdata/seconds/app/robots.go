package app

import (
	"context"

	"github.com/isr-go/framework/framework"
)

// RobotsRevalidate is half a minute, in seconds.
const RobotsRevalidate = 30

// Robots allows everything.
func Robots(ctx context.Context) (framework.Robots, error) { return framework.Robots{}, nil }
