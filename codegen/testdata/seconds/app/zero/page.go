package zero

// Revalidate 0 renders on every request.
const Revalidate = 0
