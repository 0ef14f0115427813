package app

// Revalidate is a minute, Expire an hour: seconds, as Next.js's export
// const revalidate = 60 (a float that is a whole number too).
const Revalidate = 60

const Expire = 3600.0
