package negative

// Below 0, and between two seconds.
const Revalidate = -1

const Expire = 1.5
