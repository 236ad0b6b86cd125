// Stands in for the `server-only` package under Vitest, which runs outside Next.js: the real
// one throws whenever it is imported outside a React Server Components build.
export {};
