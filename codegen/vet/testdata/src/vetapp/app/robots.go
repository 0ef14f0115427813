package app // want `want func Robots\(ctx context.Context\) \(framework.Robots, error\)`

// RobotsRevalidate is an hour, in seconds.
const RobotsRevalidate = 3600
