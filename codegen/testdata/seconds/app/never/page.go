package never

import "github.com/isr-go/framework/framework"

// Revalidate framework.Never caches until revalidated on demand.
const Revalidate = framework.Never
