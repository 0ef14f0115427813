package app

import (
	"time"

	"github.com/isr-go/framework/framework"
)

var RobotsRevalidate = "1h"

func Robots() framework.Robots { return framework.Robots{} }

var _ = time.Hour
