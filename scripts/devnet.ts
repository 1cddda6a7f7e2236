/**
 * npm run devnet: a Hardhat node and the Alto bundler on 127.0.0.1, with every contract
 * deployed. Prints the URLs and addresses; Ctrl-C stops both and leaves nothing behind.
 *   --rpc-port N      (default 8545)
 *   --bundler-port N  (default 4337)
 */
import { parseArgs } from 'node:util'
import { startDevnetServer } from '../src/devnet/index.js'

const { values } = parseArgs({
  options: { 'rpc-port': { type: 'string' }, 'bundler-port': { type: 'string' } },
})
const port = (value: string | undefined, fallback: number) => (value === undefined ? fallback : Number(value))

try {
  let server: Awaited<ReturnType<typeof startDevnetServer>> | undefined
  const shutdown = async (code: number) => {
    await server?.stop()
    process.exit(code)
  }
  server = await startDevnetServer({
    rpcPort: port(values['rpc-port'], 8545),
    bundlerPort: port(values['bundler-port'], 4337),
    onUnexpectedExit: (what, code) => {
      console.error(`The ${what} exited unexpectedly (code ${code}); stopping.`)
      void shutdown(1)
    },
  })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void shutdown(0))
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
