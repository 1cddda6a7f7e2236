/**
 * npm run devnet: a Hardhat node and the Alto bundler on 127.0.0.1, with every contract
 * deployed. Prints the URLs and addresses; Ctrl-C stops both and leaves nothing behind.
 *   --rpc-port N      (default 8545)
 *   --bundler-port N  (default 4337)
 */
import { parseArgs } from 'node:util'
import { startDevnetServer } from '../src/devnet/index.js'
import { portFlag } from './ports.js'

const usage = 'Usage: npm run devnet [-- --rpc-port N] [--bundler-port N]'

const port = (flag: string, value: string | undefined, fallback: number) => portFlag(flag, value, fallback, usage)

let values: { 'rpc-port'?: string | undefined; 'bundler-port'?: string | undefined }
try {
  values = parseArgs({ options: { 'rpc-port': { type: 'string' }, 'bundler-port': { type: 'string' } } }).values
} catch (error) {
  // An unknown or malformed flag: say which, and how to call it (no stack trace).
  console.error(`${error instanceof Error ? error.message : String(error)}\n${usage}`)
  process.exit(1)
}

try {
  let server: Awaited<ReturnType<typeof startDevnetServer>> | undefined
  const starting = new AbortController()
  const shutdown = async (code: number) => {
    await server?.stop()
    process.exit(code)
  }
  // Registered before anything starts: Ctrl-C or SIGTERM during the start stops what was
  // started so far (the start then rejects, and the catch below exits).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => (server ? void shutdown(0) : starting.abort()))
  }
  server = await startDevnetServer({
    rpcPort: port('rpc-port', values['rpc-port'], 8545),
    bundlerPort: port('bundler-port', values['bundler-port'], 4337),
    signal: starting.signal,
    onUnexpectedExit: (what, code) => {
      console.error(`The ${what} exited unexpectedly (code ${code}); stopping.`)
      void shutdown(1)
    },
  })
  const d = server.deployments
  console.log(`Devnet ready.
  RPC:                   ${server.rpcUrl}
  Bundler:               ${server.bundlerUrl}
  Chain id:              ${server.chainId}
  EntryPoint v0.7:       ${d.entryPoint}
  SessionKeyValidator:   ${d.sessionKeyValidator}
  SessionAccountFactory: ${d.sessionAccountFactory}
  Test token (TUSD):     ${server.testToken}
Press Ctrl-C to stop.`)
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
}
