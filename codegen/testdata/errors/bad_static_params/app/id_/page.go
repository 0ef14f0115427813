package page

import "context"

func StaticParams(ctx context.Context) ([]string, error) { return nil, nil }

var DynamicParams = "no"
