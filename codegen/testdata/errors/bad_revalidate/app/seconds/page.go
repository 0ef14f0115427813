package seconds

// Seconds, as Next.js's export const revalidate = 60: right, not reported.
const Revalidate = 60

const Expire = 3600.0
