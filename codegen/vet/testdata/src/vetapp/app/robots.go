package app // want `want func Robots\(ctx context.Context\) \(framework.Robots, error\)`

import "time"

const RobotsRevalidate = time.Hour
