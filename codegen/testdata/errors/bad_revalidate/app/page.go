package app

const Revalidate = 5
