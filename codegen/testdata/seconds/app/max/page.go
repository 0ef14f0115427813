package max

// Revalidate is the most whole seconds a time.Duration holds.
const Revalidate = 9223372036
