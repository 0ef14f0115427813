package huge

import "time"

// More seconds than a time.Duration holds, and a negative time.Duration.
const Revalidate = 1e10

const Expire = -time.Second
