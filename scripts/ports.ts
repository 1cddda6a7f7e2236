// Port flags of the command-line scripts (npm run devnet, npm run app).

/** A port from a flag: digits only, 1 to 65535; anything else ends with a clear message and the usage. */
export function portFlag(flag: string, value: string | undefined, fallback: number, usage: string): number {
  if (value === undefined) return fallback
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN
  if (!Number.isInteger(n) || n < 1 || n > 65_535) {
    console.error(`--${flag} takes a port number from 1 to 65535, not '${value}'.\n${usage}`)
    process.exit(1)
  }
  return n
}
