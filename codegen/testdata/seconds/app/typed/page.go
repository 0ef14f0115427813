package typed

import "time"

// A time.Duration is used as it is.
const Revalidate = time.Minute

const Expire = 2 * time.Hour
