/**
 * npm run app: builds the demo app (the dapp and the wallet, against the built package),
 * starts the devnet (Hardhat node + Alto) and serves the two pages on two origins of
 * 127.0.0.1. Prints the URLs; Ctrl-C stops everything it started.
 *   --dapp-port N     (default 5173)   --wallet-port N   (default 5174)
 *   --rpc-port N      (default 8545)   --bundler-port N  (default 4337)
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { build } from 'vite'
import { type AppServer, startAppServer } from './app/server.js'
import { portFlag } from './ports.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const usage = 'Usage: npm run app [-- --dapp-port N] [--wallet-port N] [--rpc-port N] [--bundler-port N] [--no-build]'

let values: Record<string, string | boolean | undefined>
try {
  values = parseArgs({
    options: {
      'dapp-port': { type: 'string' },
      'wallet-port': { type: 'string' },
      'rpc-port': { type: 'string' },
      'bundler-port': { type: 'string' },
      'no-build': { type: 'boolean' },
    },
  }).values
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n${usage}`)
  process.exit(1)
}
const port = (flag: string, fallback: number) => portFlag(flag, values[flag] as string | undefined, fallback, usage)

let app: AppServer | undefined
const starting = new AbortController()
const shutdown = async (code: number) => {
  await app?.stop()
  process.exit(code)
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => (app ? void shutdown(0) : starting.abort()))
}
try {
  const distDir = join(root, 'dist-app')
  if (!values['no-build']) await build({ configFile: join(root, 'app', 'vite.config.ts'), logLevel: 'warn' })
  app = await startAppServer({
    distDir,
    dappPort: port('dapp-port', 5173),
    walletPort: port('wallet-port', 5174),
    rpcPort: port('rpc-port', 8545),
    bundlerPort: port('bundler-port', 4337),
    signal: starting.signal,
  })
  console.log(`Session keys, in a browser.
  The dapp (Pixel Arcade): ${app.dappUrl}
  The wallet:              ${app.walletUrl}
  (devnet: node ${app.devnet.rpcUrl}, Alto ${app.devnet.bundlerUrl}; everything on 127.0.0.1)
Open the dapp and press "Connect wallet". Ctrl-C stops everything.`)
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  await app?.stop()
  process.exit(1)
}
